package recruit_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// told counts, by recipient, the messages in the outbox with subject.
func told(t *testing.T, db *database.DB, subject string) map[string][]auth.Message {
	t.Helper()
	msgs, err := db.Outbox(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]auth.Message{}
	for _, m := range msgs {
		if strings.HasPrefix(m.Subject, subject) {
			out[m.Recipient] = append(out[m.Recipient], m)
		}
	}
	return out
}

// outcomes maps each application to its published shortlisting outcome.
func outcomes(t *testing.T, svc *recruit.Service, roundID int64) map[int64]recruit.ShortlistStageOutcome {
	t.Helper()
	st, err := svc.Shortlisting(ctx, roundID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]recruit.ShortlistStageOutcome{}
	for _, o := range st.Outcomes {
		out[o.ApplicationID] = o
	}
	return out
}

// TestServiceShortlistOutcomes takes a round with an interview allocation
// (one post of one place: two interviews and three reserve places) from
// shortlisting to ranking: nobody is interviewed before the outcomes are
// published; they are published once, to everyone; a reserve leaving
// frees nothing; an invitee leaving before interviews close promotes the
// first reserve still in the round, who is told; one leaving after they
// close promotes nobody; and the round ranks with a reserve never
// interviewed.
func TestServiceShortlistOutcomes(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 7, Places: []int{1}, Reviewers: 2, Until: testkit.UntilShortlisted,
			InterviewsPerPlace: 2, ReservesPerPlace: 3})
		svc, rid, school := sr.Service, sr.Round.ID, as(sr.School)
		app := func(i int) int64 { return sr.Apps[i].ID }
		step := func(i int) recruit.Standing {
			t.Helper()
			st, err := svc.Status(ctx, app(i))
			if err != nil {
				t.Fatal(err)
			}
			return st.Standing
		}

		if st := step(0); st.Step != recruit.StepShortlisting || !strings.Contains(st.Message, "when the national school publishes them") {
			t.Errorf("before publication: %+v", st)
		}
		_, err := svc.ScoreInterview(ctx, as(sr.Employer), app(0), sr.Stations[0].ID, 50)
		wantCode(t, "an interview before publication", err, apperr.Conflict, "not shortlisted for interview")
		preview, err := svc.Shortlisting(ctx, rid)
		if err != nil || preview.Published || len(preview.Outcomes) != 7 || len(preview.Missing) != 0 {
			t.Fatalf("the preview: %+v, %v", preview, err)
		}

		// Two publishers at once: one publishes; each applicant is told once.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Go(func() { _, errs[i] = svc.PublishShortlist(ctx, school, rid) })
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("two publishers: %v, %v; want one to succeed", errs[0], errs[1])
		}
		mail := told(t, db, "Your shortlisting outcome")
		for i, u := range sr.Applicants {
			if len(mail[u.Email]) != 1 {
				t.Errorf("applicant %d was told %d times", i, len(mail[u.Email]))
			}
		}
		if m := mail[sr.Applicants[3].Email]; len(m) == 1 && !strings.Contains(m[0].Body, "reserve list, at place 2") {
			t.Errorf("the second reserve's message: %q", m[0].Body)
		}
		want := []string{recruit.ShortlistInterview, recruit.ShortlistInterview, recruit.ShortlistReserve, recruit.ShortlistReserve, recruit.ShortlistReserve,
			recruit.ShortlistUnsuccessful, recruit.ShortlistUnsuccessful}
		got := outcomes(t, svc, rid)
		for i, w := range want {
			if got[app(i)].Outcome != w {
				t.Errorf("applicant %d (score %d): %s, want %s", i, 90-i, got[app(i)].Outcome, w)
			}
		}
		if st := step(5); st.Step != recruit.StepNotShortlisted || !strings.Contains(st.Message, "after its 2 interview place(s) and 3 reserve place(s)") {
			t.Errorf("an unsuccessful applicant's standing: %+v", st)
		}
		if st := step(2); st.Step != recruit.StepReserve {
			t.Errorf("the first reserve's standing: %+v", st)
		}
		_, err = svc.ScoreInterview(ctx, as(sr.Employer), app(2), sr.Stations[0].ID, 50)
		wantCode(t, "interviewing a reserve", err, apperr.Conflict, "not shortlisted for interview")

		// The second reserve leaves: nothing frees.
		if _, err := svc.WithdrawApplication(ctx, as(sr.Applicants[3]), app(3)); err != nil {
			t.Fatal(err)
		}
		if n := len(told(t, db, "You are invited to interview")); n != 0 {
			t.Errorf("a reserve leaving invited %d", n)
		}
		// An invitee leaves: the first reserve is invited and told.
		if _, err := svc.WithdrawApplication(ctx, as(sr.Applicants[0]), app(0)); err != nil {
			t.Fatal(err)
		}
		_, err = svc.WithdrawApplication(ctx, as(sr.Applicants[0]), app(0))
		wantCode(t, "withdrawing twice", err, apperr.Conflict, "has been withdrawn")
		if st := step(0); st.Step != recruit.StepWithdrawn {
			t.Errorf("the withdrawn invitee's standing: %+v", st)
		}
		got = outcomes(t, svc, rid)
		if o := got[app(2)]; o.Outcome != recruit.ShortlistInterview || o.PromotedAt == nil || o.ReservePlace != 1 {
			t.Errorf("the first reserve after an invitee left: %+v", o)
		}
		if o := got[app(4)]; o.Outcome != recruit.ShortlistReserve {
			t.Errorf("the third reserve: %+v", o)
		}
		invited := told(t, db, "You are invited to interview")
		if len(invited) != 1 || len(invited[sr.Applicants[2].Email]) != 1 {
			t.Errorf("invitations: %v; want the first reserve alone, once", invited)
		}
		if st := step(2); st.Step != recruit.StepInterview || !strings.Contains(st.Message, "from the reserve list") {
			t.Errorf("the promoted reserve's standing: %+v", st)
		}
		audit, err := db.Audit(ctx, auth.AuditFilter{RecordType: "application", RecordID: strconv.FormatInt(app(2), 10)})
		if err != nil || len(audit) == 0 || audit[0].Action != "shortlist.promote" || !strings.Contains(audit[0].Detail, recruit.Reference(app(0))+" left") {
			t.Errorf("the promotion's audit: %+v, %v", audit, err)
		}

		// The promoted reserve and the other invitee are interviewed.
		second := &auth.User{Name: "Second assessor", Email: "assessor2@example.org"}
		if err := db.CreateUser(ctx, auth.System("test"), second, "", []auth.Grant{{Role: auth.RoleEmployer, OrganisationID: sr.Trust.ID}}); err != nil {
			t.Fatal(err)
		}
		for _, i := range []int{1, 2} {
			for s, by := range []*auth.User{sr.Employer, second} {
				if _, err := svc.ScoreInterview(ctx, as(by), app(i), sr.Stations[s].ID, 40+10*i); err != nil {
					t.Fatalf("interviewing applicant %d: %v", i, err)
				}
			}
		}

		// Interviews close; the other invitee leaves: nobody is promoted.
		sr.Clock.Set(testkit.Day(31))
		if _, err := svc.WithdrawApplication(ctx, as(sr.Applicants[1]), app(1)); err != nil {
			t.Fatal(err)
		}
		if o := outcomes(t, svc, rid)[app(4)]; o.Outcome != recruit.ShortlistReserve || o.PromotedAt != nil {
			t.Errorf("a reserve promoted after interviews closed: %+v", o)
		}
		if st := step(4); st.Step != recruit.StepNotShortlisted || !strings.Contains(st.Message, "no interview place came free") {
			t.Errorf("a reserve never invited, after interviews: %+v", st)
		}

		// The rank takes the promoted reserve alone: the reserve never
		// interviewed and the unsuccessful are no part of it.
		ranked, err := svc.RankRound(ctx, school, rid)
		if err != nil || len(ranked) != 1 || ranked[0].ApplicationID != app(2) {
			t.Fatalf("the rank: %+v, %v", ranked, err)
		}
		fb, err := svc.Feedback(ctx, app(4))
		if err != nil || fb.Shortlisting == nil || fb.Shortlisting.Outcome == nil || fb.Shortlisting.Outcome.ReservePlace != 3 ||
			fb.Shortlisting.Outcome.Position != 5 || fb.Shortlisting.Score == nil || *fb.Shortlisting.Score != 86 {
			t.Errorf("a reserve's feedback: %+v, %v", fb.Shortlisting, err)
		}
		sum, err := svc.Summary(ctx, rid)
		// The summary counts withdrawn applications where they stood.
		if err != nil || sum.Shortlisted != 3 || sum.Reserves != 2 || sum.NotShortlisted != 2 {
			t.Errorf("the summary: shortlisted %d, reserves %d, not shortlisted %d (%v); want 3, 2, 2", sum.Shortlisted, sum.Reserves, sum.NotShortlisted, err)
		}
	})
}

// TestServiceShortlistRefusals and TestServiceShortlistWindow: outcomes
// are published only in a round with an allocation, in the interview
// window, with every application scored; and a round with an allocation
// cannot be ranked without them.
func TestServiceShortlistRefusals(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		plain := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 2, Places: []int{1}, Reviewers: 2, Until: testkit.UntilShortlisted})
		_, err := plain.Service.PublishShortlist(ctx, as(plain.School), plain.Round.ID)
		wantCode(t, "a round without an allocation", err, apperr.Conflict, "no interview allocation")
	})
}

func TestServiceShortlistWindow(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 2, Places: []int{1}, Reviewers: 2, Until: testkit.UntilApplied, InterviewsPerPlace: 1})
		_, err := sr.Service.PublishShortlist(ctx, as(sr.School), sr.Round.ID)
		wantCode(t, "during shortlisting", err, apperr.Conflict, "opens on")
		sr.Clock.Set(testkit.Day(21)) // nobody reviewed
		_, err = sr.Service.PublishShortlist(ctx, as(sr.School), sr.Round.ID)
		wantCode(t, "unreviewed applications", err, apperr.Conflict, recruit.Reference(sr.Apps[0].ID)+" has 0 of 2 reviews")
		sr.Clock.Set(testkit.Day(31))
		_, err = sr.Service.RankRound(ctx, as(sr.School), sr.Round.ID)
		wantCode(t, "ranking unpublished", err, apperr.Conflict, "never published")
	})
}

// TestServiceConcurrentPromotions: every invitee of a specialism leaves at
// once. Each reserve is promoted at most once, in reserve order, as many
// as left, and each told once; the interviews in the round never exceed
// the allocation.
func TestServiceConcurrentPromotions(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 10, Places: []int{2}, Reviewers: 2, Until: testkit.UntilShortlisted,
			InterviewsPerPlace: 2, ReservesPerPlace: 2})
		svc, rid := sr.Service, sr.Round.ID
		if _, err := svc.PublishShortlist(ctx, as(sr.School), rid); err != nil {
			t.Fatal(err)
		}
		// Invitees 0–3, reserves 4–7 (places 1–4). Three invitees leave,
		// and the first reserve too, all at once.
		leaving := []int{0, 1, 2, 4}
		var wg sync.WaitGroup
		errs := make([]error, len(leaving))
		for j, i := range leaving {
			wg.Go(func() { _, errs[j] = svc.WithdrawApplication(ctx, as(sr.Applicants[i]), sr.Apps[i].ID) })
		}
		wg.Wait()
		for j, err := range errs {
			if err != nil {
				t.Fatalf("applicant %d leaving: %v", leaving[j], err)
			}
		}
		got := outcomes(t, svc, rid)
		interviews, promoted := 0, map[int]bool{}
		for _, a := range sr.Apps {
			o := got[a.ID]
			if o.Outcome == recruit.ShortlistInterview && !o.Withdrawn {
				interviews++
			}
			if o.PromotedAt != nil {
				promoted[o.ReservePlace] = true
			}
		}
		if interviews > 4 {
			t.Errorf("%d interviews for an allocation of 4", interviews)
		}
		// Three invitees left, and the first reserve in some order among
		// them: before its promotion (places 2–4 are promoted) or after it
		// (its leaving frees its place again, so places 1–4 are). Either
		// way the allocation is full again.
		if interviews != 4 {
			t.Errorf("%d interviews after three left with reserves to spare; want 4 (promoted places %v)", interviews, promoted)
		}
		invited := told(t, db, "You are invited to interview")
		for who, m := range invited {
			if len(m) != 1 {
				t.Errorf("%s invited %d times", who, len(m))
			}
		}
		if len(invited) != len(promoted) {
			t.Errorf("%d told, %d promoted", len(invited), len(promoted))
		}
		if !(promoted[2] && promoted[3] && promoted[4]) {
			t.Errorf("promoted reserve places %v; want 2, 3 and 4 (and 1 if it was promoted before it left)", promoted)
		}
	})
}
