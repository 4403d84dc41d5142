package recruit_test

import (
	"strings"
	"testing"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

var deadline = time.Date(2027, 2, 16, 9, 0, 0, 0, time.UTC)

// TestOfferStateMachine walks every status × answer, before and at the
// deadline: which answers are taken, the status they give, whether the
// offer stays open to upgrades, and what refusals say.
func TestOfferStateMachine(t *testing.T) {
	before, at := deadline.Add(-time.Second), deadline
	type want struct {
		status   string
		upgrades bool
		refusal  string // part of the message when refused
	}
	for _, tc := range []struct {
		from     string
		answer   recruit.Answer
		upgrades bool
		when     time.Time
		want     want
	}{
		{recruit.OfferOffered, recruit.AnswerAccept, true, before, want{status: recruit.OfferAccepted, upgrades: true}},
		{recruit.OfferOffered, recruit.AnswerAccept, false, before, want{status: recruit.OfferAccepted}},
		{recruit.OfferOffered, recruit.AnswerHold, true, before, want{status: recruit.OfferHeld, upgrades: true}},
		{recruit.OfferOffered, recruit.AnswerDecline, true, before, want{status: recruit.OfferDeclined}},
		{recruit.OfferOffered, recruit.AnswerAccept, false, at, want{refusal: "expired on 16 February 2027"}},
		{recruit.OfferOffered, recruit.AnswerDecline, false, at.Add(time.Hour), want{refusal: "expired"}},
		{recruit.OfferHeld, recruit.AnswerAccept, false, at.Add(time.Hour), want{status: recruit.OfferAccepted}}, // held offers do not expire
		{recruit.OfferHeld, recruit.AnswerHold, true, before, want{status: recruit.OfferHeld, upgrades: true}},
		{recruit.OfferHeld, recruit.AnswerDecline, true, before, want{status: recruit.OfferDeclined}},
		{recruit.OfferAccepted, recruit.AnswerDecline, false, at.Add(time.Hour), want{status: recruit.OfferDeclined}},
		{recruit.OfferAccepted, recruit.AnswerAccept, true, at.Add(time.Hour), want{status: recruit.OfferAccepted, upgrades: true}}, // opting in to upgrades later
		{recruit.OfferAccepted, recruit.AnswerHold, false, before, want{refusal: "you can still decline it"}},
		{recruit.OfferExpired, recruit.AnswerAccept, false, before, want{refusal: "expired"}},
		{recruit.OfferDeclined, recruit.AnswerAccept, false, before, want{refusal: "was declined and cannot be changed"}},
		{recruit.OfferSuperseded, recruit.AnswerDecline, false, before, want{refusal: "was superseded"}},
		{recruit.OfferUnconditional, recruit.AnswerDecline, true, at.Add(time.Hour), want{status: recruit.OfferDeclined}},
		{recruit.OfferUnconditional, recruit.AnswerAccept, true, before, want{refusal: "unconditional"}}, // upgrades stop
		{recruit.OfferUnconditional, recruit.AnswerHold, false, before, want{refusal: "not hold it"}},
		{recruit.OfferWithdrawn, recruit.AnswerAccept, false, before, want{refusal: "withdrew this offer: no DBS"}},
		{recruit.OfferWithdrawn, recruit.AnswerDecline, false, before, want{refusal: "withdrew"}},
	} {
		o := &recruit.Offer{Status: tc.from, Deadline: deadline}
		if tc.from == recruit.OfferWithdrawn {
			o.Reason = "no DBS"
		}
		status, up, err := recruit.Answered(o, tc.answer, tc.upgrades, tc.when)
		name := tc.from + " + " + string(tc.answer)
		switch {
		case tc.want.refusal != "":
			if err == nil || apperr.Code(err) != apperr.Conflict || !strings.Contains(err.Error(), tc.want.refusal) {
				t.Errorf("%s: %q, %v; want a conflict saying %q", name, status, err, tc.want.refusal)
			}
		case err != nil || status != tc.want.status || up != tc.want.upgrades:
			t.Errorf("%s: %q upgrades %v, %v; want %q upgrades %v", name, status, up, err, tc.want.status, tc.want.upgrades)
		}
	}
	if _, _, err := recruit.Answered(&recruit.Offer{Status: recruit.OfferOffered, Deadline: deadline}, "maybe", false, before); apperr.Field(err) != "answer" {
		t.Errorf("an unknown answer: %v", err)
	}
}

func TestParseAnswer(t *testing.T) {
	for _, s := range []string{"accept", "hold", "decline"} {
		if a, err := recruit.ParseAnswer(s); err != nil || string(a) != s {
			t.Errorf("ParseAnswer(%q) = %q, %v", s, a, err)
		}
	}
	for _, s := range []string{"", "Accept", "yes"} {
		if _, err := recruit.ParseAnswer(s); apperr.Field(err) != "answer" {
			t.Errorf("ParseAnswer(%q): %v", s, err)
		}
	}
}

func TestExpiryAndLiveness(t *testing.T) {
	for _, tc := range []struct {
		status string
		when   time.Time
		due    bool
		live   bool
	}{
		{recruit.OfferOffered, deadline.Add(-time.Nanosecond), false, true},
		{recruit.OfferOffered, deadline, true, true},
		{recruit.OfferHeld, deadline.Add(time.Hour), false, true},
		{recruit.OfferAccepted, deadline.Add(time.Hour), false, true},
		{recruit.OfferDeclined, deadline.Add(time.Hour), false, false},
		{recruit.OfferExpired, deadline.Add(time.Hour), false, false},
		{recruit.OfferSuperseded, deadline.Add(time.Hour), false, false},
		{recruit.OfferUnconditional, deadline.Add(time.Hour), false, true},
		{recruit.OfferWithdrawn, deadline.Add(time.Hour), false, false},
	} {
		o := &recruit.Offer{Status: tc.status, Deadline: deadline}
		if recruit.DueForExpiry(o, tc.when) != tc.due || o.Live() != tc.live {
			t.Errorf("%s at %s: due %v live %v, want %v %v", tc.status, tc.when, recruit.DueForExpiry(o, tc.when), o.Live(), tc.due, tc.live)
		}
	}
}

func TestFreeSeat(t *testing.T) {
	live := func(seat int, status string) recruit.Offer { return recruit.Offer{Seat: seat, Status: status} }
	for _, tc := range []struct {
		offers []recruit.Offer
		places int
		want   int
	}{
		{nil, 2, 1},
		{nil, 0, 0},
		{[]recruit.Offer{live(1, recruit.OfferOffered)}, 2, 2},
		{[]recruit.Offer{live(2, recruit.OfferHeld)}, 2, 1},
		{[]recruit.Offer{live(1, recruit.OfferAccepted), live(2, recruit.OfferOffered)}, 2, 0},
		{[]recruit.Offer{live(1, recruit.OfferDeclined), live(2, recruit.OfferOffered)}, 2, 1},
		{[]recruit.Offer{live(1, recruit.OfferOffered), live(2, recruit.OfferExpired), live(3, recruit.OfferOffered)}, 3, 2},
	} {
		if got := recruit.FreeSeat(tc.offers, tc.places); got != tc.want {
			t.Errorf("FreeSeat(%v, %d) = %d, want %d", tc.offers, tc.places, got, tc.want)
		}
	}
}

func TestOfferDeadline(t *testing.T) {
	r := &recruit.Round{OfferWorkingDays: 2}
	sunday := time.Date(2027, 2, 14, 10, 0, 0, 0, time.UTC)
	if got := recruit.OfferDeadline(r, sunday); !got.Equal(time.Date(2027, 2, 16, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("two working days from a Sunday: %s", got)
	}
}

// contender builds a cascade contender: the post's rank of them, their
// preferences in order, and their offers.
func contender(app int64, postRank int, prefs []int64, offers ...recruit.Offer) recruit.Contender {
	c := recruit.Contender{ApplicationID: app, PostRank: postRank, Preferences: map[int64]int{}, Offers: offers}
	for i, p := range prefs {
		c.Preferences[p] = i + 1
	}
	return c
}

// TestCascade: a free place goes to the best-ranked contender still in the
// running, and upgrades an offer only for those who opted in and prefer
// the post.
func TestCascade(t *testing.T) {
	const post, other, third = 10, 20, 30
	offered := func(p int64, up bool) recruit.Offer {
		return recruit.Offer{ID: p * 100, PostID: p, Status: recruit.OfferOffered, Upgrades: up}
	}
	for _, tc := range []struct {
		name       string
		contenders []recruit.Contender
		want       int64
		replaces   int64 // the offer id superseded, 0 for none
	}{
		{"nobody", nil, 0, 0},
		{"best rank first, whatever the order given", []recruit.Contender{contender(2, 5, []int64{post}), contender(1, 3, []int64{post})}, 1, 0},
		{"ties by application number", []recruit.Contender{contender(7, 3, []int64{post}), contender(6, 3, []int64{post})}, 6, 0},
		{"only those who ranked the post", []recruit.Contender{contender(1, 1, []int64{other}), contender(2, 2, []int64{post})}, 2, 0},
		{"a declined offer ends the application", []recruit.Contender{
			contender(1, 1, []int64{post}, recruit.Offer{PostID: other, Status: recruit.OfferDeclined}), contender(2, 2, []int64{post})}, 2, 0},
		{"an expired offer ends it too", []recruit.Contender{
			contender(1, 1, []int64{post}, recruit.Offer{PostID: other, Status: recruit.OfferExpired}), contender(2, 2, []int64{post})}, 2, 0},
		{"a withdrawn offer ends it too", []recruit.Contender{
			contender(1, 1, []int64{post}, recruit.Offer{PostID: other, Status: recruit.OfferWithdrawn, Reason: "no DBS"}), contender(2, 2, []int64{post})}, 2, 0},
		{"an unconditional offer is never upgraded", []recruit.Contender{
			contender(1, 1, []int64{post, other}, recruit.Offer{ID: other * 100, PostID: other, Status: recruit.OfferUnconditional}), contender(2, 2, []int64{post})}, 2, 0},
		{"a conditional offer is upgraded when its applicant opted in", []recruit.Contender{
			contender(1, 1, []int64{post, other}, recruit.Offer{ID: other * 100, PostID: other, Status: recruit.OfferAccepted, Upgrades: true}), contender(2, 2, []int64{post})}, 1, other * 100},
		{"never the same post twice", []recruit.Contender{
			contender(1, 1, []int64{post}, recruit.Offer{PostID: post, Status: recruit.OfferAccepted}), contender(2, 2, []int64{post})}, 2, 0},
		{"a superseded offer of the post does not count", []recruit.Contender{
			contender(1, 1, []int64{post, other}, recruit.Offer{PostID: post, Status: recruit.OfferSuperseded})}, 1, 0},
		{"holding an offer without upgrades: skipped", []recruit.Contender{
			contender(1, 1, []int64{post, other}, offered(other, false)), contender(2, 2, []int64{post})}, 2, 0},
		{"upgrades to a post liked more", []recruit.Contender{
			contender(1, 1, []int64{post, other}, offered(other, true)), contender(2, 2, []int64{post})}, 1, other * 100},
		{"no upgrade to a post liked less", []recruit.Contender{
			contender(1, 1, []int64{other, post}, offered(other, true)), contender(2, 2, []int64{post})}, 2, 0},
		{"no upgrade to a post liked equally (the same rank cannot happen; a post not ranked is liked least)", []recruit.Contender{
			contender(1, 1, []int64{post}, offered(third, true))}, 1, third * 100},
		{"nobody left", []recruit.Contender{
			contender(1, 1, []int64{post}, recruit.Offer{PostID: other, Status: recruit.OfferDeclined})}, 0, 0},
	} {
		app, replace, ok := recruit.NextOffer(post, tc.contenders)
		var replaced int64
		if replace != nil {
			replaced = replace.ID
		}
		if app != tc.want || ok != (tc.want != 0) || replaced != tc.replaces {
			t.Errorf("%s: NextOffer = %d (ok %v), replacing %d; want %d, replacing %d", tc.name, app, ok, replaced, tc.want, tc.replaces)
		}
	}
}
