package recruit_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

func scored(id int64, specialism string, reviewScores []int, mod *int, interviews ...int) recruit.Scored {
	s := recruit.Scored{Application: recruit.Application{ID: id, Specialism: specialism}, Reviews: reviews(reviewScores...)}
	if mod != nil {
		s.Moderation = &recruit.Moderation{Score: *mod}
	}
	for i, sc := range interviews {
		s.Interviews = append(s.Interviews, recruit.InterviewScore{StationID: int64(i + 1), Score: sc})
	}
	return s
}

// TestRankRound: shortlisting and interview scores combine by the round's
// weights, per specialism; below the pass mark takes no part; anything
// missing stops the rank and is named.
func TestRankRound(t *testing.T) {
	r := testRound() // weights 1 and 2, margin 15
	r.ShortlistPassMark = 50
	stations := []recruit.Station{{ID: 1, Weight: 1}, {ID: 2, Weight: 1}}
	sixty := 60
	ranked, missing := recruit.RankRound(r, stations, []recruit.Scored{
		scored(1, "audiology", []int{70, 80}, nil, 60, 70),   // 75 + 2×65 = 205
		scored(2, "audiology", []int{90, 90}, nil, 50, 50),   // 90 + 100 = 190
		scored(3, "audiology", []int{40, 45}, nil),           // 43: not shortlisted
		scored(4, "genomics", []int{50, 90}, &sixty, 80, 80), // moderated 60 + 160 = 220
		scored(5, "audiology", []int{50, 50}, nil, 70, 70),   // exactly the pass mark: 50 + 140 = 190, ties 2 on weighted
		scored(6, "audiology", []int{49, 50}, nil, 100, 100), // 50 (rounds half up): passes
		scored(7, "audiology", []int{48, 50}, nil, 100, 100), // 49: does not
	})
	if len(missing) != 0 {
		t.Fatalf("missing: %v", missing)
	}
	got := map[string]string{}
	for sp, rs := range ranked {
		var ids []string
		for _, rk := range rs {
			ids = append(ids, fmt.Sprintf("%d:%d:%d", rk.ApplicationID, rk.Rank, rk.Weighted))
		}
		got[sp] = strings.Join(ids, " ")
	}
	// 6 (50 + 200 = 250) first; 1 (205); 2 and 5 tie at 190: interview
	// 50 against 70, so 5 first.
	if got["audiology"] != "6:1:250 1:2:205 5:3:190 2:4:190" || got["genomics"] != "4:1:220" {
		t.Errorf("ranks %v", got)
	}
	_, missing = recruit.RankRound(r, stations, []recruit.Scored{
		scored(1, "audiology", []int{70}, nil), // each application's first lack is named, alone
		scored(2, "audiology", []int{20, 90}, nil),
		scored(3, "audiology", []int{70, 80}, nil, 60),
		scored(4, "audiology", []int{30, 30}, nil), // not shortlisted: needs no interview
		scored(5, "audiology", []int{70, 80}, nil),
	})
	if fmt.Sprint(missing) != "[APP-000001 has 1 of 2 reviews APP-000002 needs moderation APP-000003 has 1 of 2 interview stations scored APP-000005 has 0 of 2 interview stations scored]" {
		t.Errorf("missing: %q", missing)
	}
	ranked, missing = recruit.RankRound(r, stations, nil)
	if len(ranked) != 0 || len(missing) != 0 {
		t.Errorf("an empty round: %v %v", ranked, missing)
	}

	// With an interview allocation, only those invited to interview are
	// ranked: reserves never invited and the unsuccessful need no
	// interview scores, whatever their shortlisting score.
	r.InterviewsPerPlace = 2
	outcome := func(s recruit.Scored, o string) recruit.Scored { s.Outcome = o; return s }
	ranked, missing = recruit.RankRound(r, stations, []recruit.Scored{
		outcome(scored(1, "audiology", []int{90, 90}, nil), recruit.ShortlistReserve),
		outcome(scored(2, "audiology", []int{10, 10}, nil), recruit.ShortlistUnsuccessful),
		outcome(scored(3, "audiology", []int{40, 40}, nil, 60, 60), recruit.ShortlistInterview), // the outcome decides, not the benchmark
	})
	if len(missing) != 0 || len(ranked["audiology"]) != 1 || ranked["audiology"][0].ApplicationID != 3 {
		t.Errorf("an allocated round: %+v, missing %v", ranked, missing)
	}
}

func TestApplicationStanding(t *testing.T) {
	r := testRound()
	r.ShortlistPassMark = 50
	rank := 3
	ranked := &recruit.Application{NationalRank: &rank}
	unranked := &recruit.Application{}
	matched := *r
	at := r.OffersOpen.Add(time.Hour)
	matched.MatchedAt = &at
	offer := func(status string) []recruit.Offer { return []recruit.Offer{{Status: status}} }
	for _, tc := range []struct {
		name      string
		round     *recruit.Round
		app       *recruit.Application
		shortlist int
		done      bool
		offers    []recruit.Offer
		when      time.Time
		step      string
		says      string
	}{
		{"applied", r, unranked, 0, false, nil, r.ApplicationsOpen, recruit.StepSubmitted, "Applications close on 1 February 2027"},
		{"shortlisting", r, unranked, 0, false, nil, r.ShortlistingOpen, recruit.StepShortlisting, "published criteria"},
		{"not shortlisted", r, unranked, 49, true, nil, r.InterviewsOpen, recruit.StepNotShortlisted, "not shortlisted"},
		{"shortlisting unfinished", r, unranked, 0, false, nil, r.InterviewsOpen, recruit.StepNotShortlisted, "not shortlisted"},
		{"shortlisted", r, unranked, 50, true, nil, r.InterviewsOpen, recruit.StepInterview, "shortlisted for interview"},
		{"waiting for the rank", r, unranked, 80, true, nil, r.PreferencesOpen, recruit.StepInterview, "national rank is being drawn up"},
		{"ranked", r, ranked, 80, true, nil, r.PreferencesOpen, recruit.StepRanked, "ranked 3 nationally"},
		{"not ranked after the match", &matched, unranked, 80, true, nil, at, recruit.StepNotRanked, "not ranked"},
		{"offered", &matched, ranked, 80, true, offer(recruit.OfferOffered), at, recruit.StepOffered, "answer it"},
		{"holding", &matched, ranked, 80, true, offer(recruit.OfferHeld), at, recruit.StepOffered, "answer it"},
		{"placed", &matched, ranked, 80, true, offer(recruit.OfferAccepted), at, recruit.StepPlaced, "starts on 1 September 2027"},
		{"declined", &matched, ranked, 80, true, offer(recruit.OfferDeclined), at, recruit.StepUnplaced, "You declined your offer"},
		{"expired", &matched, ranked, 80, true, offer(recruit.OfferExpired), at, recruit.StepUnplaced, "not answered by its deadline"},
		{"superseded last", &matched, ranked, 80, true, offer(recruit.OfferSuperseded), at, recruit.StepUnplaced, "offers have ended"},
		{"unmatched", &matched, ranked, 80, true, nil, at, recruit.StepUnplaced, "did not give you a post"},
	} {
		st := recruit.ApplicationStanding(tc.round, tc.app, nil, tc.shortlist, tc.done, false, nil, tc.offers, tc.when)
		if st.Step != tc.step || !strings.Contains(st.Message, tc.says) {
			t.Errorf("%s: %+v; want %s saying %q", tc.name, st, tc.step, tc.says)
		}
	}
}

func TestPostRules(t *testing.T) {
	for _, tc := range []struct {
		p     recruit.Post
		field string
	}{
		{recruit.Post{Site: " Royal ", Places: 1, Contact: " c "}, ""},
		{recruit.Post{Site: "", Places: 1, Contact: "c"}, "site"},
		{recruit.Post{Site: strings.Repeat("s", 201), Places: 1, Contact: "c"}, "site"},
		{recruit.Post{Site: strings.Repeat("s", 200), Places: 1, Contact: "c"}, ""},
		{recruit.Post{Site: "s", Places: 0, Contact: "c"}, "places"},
		{recruit.Post{Site: "s", Places: recruit.MaxPlaces, Contact: "c"}, ""},
		{recruit.Post{Site: "s", Places: recruit.MaxPlaces + 1, Contact: "c"}, "places"},
		{recruit.Post{Site: "s", Places: 1, Contact: " "}, "contact"},
		{recruit.Post{Site: "s", Places: 1, Contact: strings.Repeat("c", 201)}, "contact"},
		{recruit.Post{Site: "s", Places: 1, Contact: strings.Repeat("c", 200)}, ""},
	} {
		err := tc.p.Validate()
		if tc.field == "" && err != nil || tc.field != "" && apperr.Field(err) != tc.field {
			t.Errorf("%+v: %v, want field %q", tc.p, err, tc.field)
		}
	}
	p := recruit.Post{Site: " Royal ", Places: 1, Contact: " c "}
	if p.Validate() != nil || p.Site != "Royal" || p.Contact != "c" {
		t.Errorf("not trimmed: %+v", p)
	}
	r := testRound()
	if recruit.CanPublishPost(r, r.ShortlistingOpen.Add(-time.Second)) != nil || recruit.CanPublishPost(r, r.ShortlistingOpen) == nil {
		t.Error("posts are not closed exactly when applications close")
	}
	open := &recruit.Post{Status: recruit.PostOpen}
	if recruit.CanChangePost(r, open, r.OffersOpen.Add(-time.Second)) != nil || recruit.CanChangePost(r, open, r.OffersOpen) == nil {
		t.Error("posts are not fixed exactly when matching begins")
	}
	if err := recruit.CanChangePost(r, &recruit.Post{Status: recruit.PostWithdrawn}, r.ApplicationsOpen); err == nil || !strings.Contains(err.Error(), "withdrawn") {
		t.Errorf("changing a withdrawn post: %v", err)
	}
	matched := *r
	matched.MatchedAt = &r.ApplicationsOpen
	if recruit.CanChangePost(&matched, open, r.ApplicationsOpen) == nil {
		t.Error("a post of a matched round can change")
	}
	posts := []recruit.Post{
		{RoundID: 1, OrganisationID: 10, Specialism: "audiology", Status: recruit.PostOpen},
		{RoundID: 1, OrganisationID: 10, Specialism: "audiology", Status: recruit.PostOpen},
		{RoundID: 1, OrganisationID: 11, Specialism: "audiology", Status: recruit.PostWithdrawn},
		{RoundID: 1, OrganisationID: 12, Specialism: "genomics", Status: recruit.PostOpen},
		{RoundID: 2, OrganisationID: 13, Specialism: "audiology", Status: recruit.PostOpen},
		{RoundID: 1, OrganisationID: 14, Specialism: "audiology", Status: recruit.PostOpen},
	}
	if got := recruit.InterviewPanels(posts, &recruit.Application{RoundID: 1, Specialism: "audiology"}); fmt.Sprint(got) != "[10 14]" {
		t.Errorf("interview panels %v, want [10 14]", got)
	}
}

func TestProfileRules(t *testing.T) {
	f := loadFramework(t)
	q := func(c string) recruit.Qualification { return recruit.Qualification{Credential: c} }
	many := func(n int) []recruit.Qualification {
		out := make([]recruit.Qualification, n)
		for i := range out {
			out[i] = q("gcse")
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		p     recruit.Profile
		field string
	}{
		{"good", recruit.Profile{Qualifications: []recruit.Qualification{{Credential: "degree-21", Subject: " Physics ", Grade: "2:1", Year: 2025}},
			Registrations: []recruit.Registration{{Body: "HCPC", Number: "CS1"}}}, ""},
		{"unknown credential", recruit.Profile{Qualifications: []recruit.Qualification{q("gcse"), q("wizardry")}}, "qualifications[1].credential"},
		{"long subject", recruit.Profile{Qualifications: []recruit.Qualification{{Credential: "gcse", Subject: strings.Repeat("s", 201)}}}, "qualifications[0].subject"},
		{"long grade", recruit.Profile{Qualifications: []recruit.Qualification{{Credential: "gcse", Grade: strings.Repeat("g", 51)}}}, "qualifications[0].grade"},
		{"grade of 50", recruit.Profile{Qualifications: []recruit.Qualification{{Credential: "gcse", Grade: strings.Repeat("g", 50), Subject: strings.Repeat("s", 200)}}}, ""},
		{"year too early", recruit.Profile{Qualifications: []recruit.Qualification{{Credential: "gcse", Year: 1949}}}, "qualifications[0].year"},
		{"year too late", recruit.Profile{Qualifications: []recruit.Qualification{{Credential: "gcse", Year: 2101}}}, "qualifications[0].year"},
		{"years at the edges", recruit.Profile{Qualifications: []recruit.Qualification{{Credential: "gcse", Year: 1950}, {Credential: "masters", Year: time.Now().Year() + 1}}}, ""},
		{"year to come", recruit.Profile{Qualifications: []recruit.Qualification{{Credential: "masters", Year: time.Now().Year() + 2}}}, "qualifications[0].year"},
		{"a NUL in a subject", recruit.Profile{Qualifications: []recruit.Qualification{{Credential: "masters", Subject: "Bio\x00logy"}}}, "qualifications[0].subject"},
		{"a line break in a grade", recruit.Profile{Qualifications: []recruit.Qualification{{Credential: "masters", Grade: "Merit\r\nDistinction"}}}, "qualifications[0].grade"},
		{"an invisible number", recruit.Profile{Registrations: []recruit.Registration{{Body: "GDC", Number: "\u200b\u2060"}}}, "registrations[0].number"},
		{"notes over several lines", recruit.Profile{Notes: "one\ntwo\r\nthree"}, ""},
		{"too many", recruit.Profile{Qualifications: many(recruit.MaxQualifications + 1)}, "qualifications"},
		{"the most", recruit.Profile{Qualifications: many(recruit.MaxQualifications)}, ""},
		{"unknown register", recruit.Profile{Registrations: []recruit.Registration{{Body: "BBC", Number: "1"}}}, "registrations[0].body"},
		{"no number", recruit.Profile{Registrations: []recruit.Registration{{Body: "GDC", Number: " "}}}, "registrations[0].number"},
		{"long number", recruit.Profile{Registrations: []recruit.Registration{{Body: "GDC", Number: strings.Repeat("1", 51)}}}, "registrations[0].number"},
		{"too many registrations", recruit.Profile{Registrations: make([]recruit.Registration, recruit.MaxRegistrations+1)}, "registrations"},
		{"long notes", recruit.Profile{Notes: strings.Repeat("n", 2001)}, "notes"},
		{"negative employer", recruit.Profile{EmployerID: -1}, "employer_id"},
	} {
		err := tc.p.Validate(f)
		if tc.field == "" && err != nil || tc.field != "" && apperr.Field(err) != tc.field {
			t.Errorf("%s: %v, want field %q", tc.name, err, tc.field)
		}
	}
	// Messages count rows from 1, as people do, and name the years allowed.
	next := time.Now().Year() + 1
	for _, tc := range []struct {
		p    recruit.Profile
		says string
	}{
		{recruit.Profile{Qualifications: []recruit.Qualification{q("gcse"), {Credential: "gcse", Subject: strings.Repeat("s", 201)}}}, "Qualification 2's subject"},
		{recruit.Profile{Qualifications: []recruit.Qualification{q("gcse"), q("gcse"), {Credential: "gcse", Grade: strings.Repeat("g", 51)}}}, "Qualification 3's grade"},
		{recruit.Profile{Qualifications: []recruit.Qualification{q("gcse"), q("wizardry")}}, `qualification 2: "wizardry" is not a qualification we know`},
		{recruit.Profile{Qualifications: []recruit.Qualification{{Credential: "gcse", Year: 1900}}}, fmt.Sprintf("qualification 1: the year must be a year from 1950 to %d", next)},
		{recruit.Profile{Registrations: []recruit.Registration{{Body: "HCPC", Number: "1"}, {Body: "HCPC", Number: strings.Repeat("1", 51)}}}, "Registration 2's number"},
		{recruit.Profile{Registrations: []recruit.Registration{{Body: "HCPC", Number: "1"}, {Body: "BBC", Number: "1"}}}, `registration 2: "BBC" is not a register`},
		{recruit.Profile{Registrations: []recruit.Registration{{Body: "GDC", Number: " "}}}, "registration 1: enter the registration number"},
	} {
		if err := tc.p.Validate(f); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%+v: %v; want it to say %q", tc.p, err, tc.says)
		}
	}
	most := make([]recruit.Registration, recruit.MaxRegistrations)
	for i := range most {
		most[i] = recruit.Registration{Body: "HCPC", Number: fmt.Sprint(i + 1)}
	}
	if err := (&recruit.Profile{Registrations: most}).Validate(f); err != nil {
		t.Errorf("the most registrations: %v", err)
	}
	p := recruit.Profile{Qualifications: []recruit.Qualification{q("gcse"), q("degree-21"), q("gcse")}, Notes: "  n  "}
	if p.Validate(f) != nil || fmt.Sprint(p.Credentials()) != "[gcse degree-21]" || p.Notes != "n" {
		t.Errorf("credentials %v, notes %q", p.Credentials(), p.Notes)
	}
	for _, tc := range []struct {
		p        *recruit.Profile
		eligible bool
		says     string
	}{
		{nil, false, "profile first"},
		{&recruit.Profile{Qualifications: []recruit.Qualification{q("degree-21")}}, false, "right to work"},
		{&recruit.Profile{RightToWork: true, Qualifications: []recruit.Qualification{q("degree-22")}}, false, "master's"},
		{&recruit.Profile{RightToWork: true, Qualifications: []recruit.Qualification{q("degree-22"), q("masters")}}, true, "You meet"},
	} {
		e := recruit.CheckApplicant(f, "stp", tc.p)
		if e.Eligible != tc.eligible || !strings.Contains(e.Reason, tc.says) {
			t.Errorf("%+v: %+v", tc.p, e)
		}
	}
	for s, ok := range map[string]bool{"": false, "   ": false, "x": true, strings.Repeat("é", recruit.MaxStatement): true, strings.Repeat("x", recruit.MaxStatement+1): false,
		"\u200b\u200b": false, "line one\nline two": true, "a\x00b": false, "a\x1bb": false, "\u202etxt.exe": false} {
		if got, err := recruit.CheckStatement(s); (err == nil) != ok || (ok && got != strings.TrimSpace(s)) {
			t.Errorf("statement of %d characters: %q, %v", len(s), got, err)
		}
	}
	if recruit.Reference(42) != "APP-000042" {
		t.Error(recruit.Reference(42))
	}
}

func TestRoundRules(t *testing.T) {
	f := loadFramework(t)
	for _, tc := range []struct {
		change func(r *recruit.Round)
		field  string
	}{
		{func(r *recruit.Round) {}, ""},
		{func(r *recruit.Round) { r.Programme = "stp-equivalence" }, "programme"},
		{func(r *recruit.Round) { r.Programme = "gcses" }, "programme"},
		{func(r *recruit.Round) { r.Name = " " }, "name"},
		{func(r *recruit.Round) { r.StartDate = time.Time{} }, "timetable"},
		{func(r *recruit.Round) { r.ApplicationsOpen = time.Time{} }, "timetable"},
		{func(r *recruit.Round) { r.ShortlistingOpen = time.Time{} }, "timetable"},
		{func(r *recruit.Round) { r.InterviewsOpen = time.Time{} }, "timetable"},
		{func(r *recruit.Round) { r.PreferencesOpen = time.Time{} }, "timetable"},
		{func(r *recruit.Round) { r.OffersOpen = time.Time{} }, "timetable"},
		{func(r *recruit.Round) { r.StartDate = r.OffersOpen }, "start_date"},
		{func(r *recruit.Round) { r.ShortlistingOpen = r.ApplicationsOpen }, "shortlisting_open"},
		{func(r *recruit.Round) { r.PreferencesOpen = r.ApplicationsOpen }, "preferences_open"},
		{func(r *recruit.Round) { r.ScoreMargin = -1 }, "score_margin"},
		{func(r *recruit.Round) { r.ScoreMargin = 101 }, "score_margin"},
		{func(r *recruit.Round) { r.ScoreMargin = 100 }, ""},
		{func(r *recruit.Round) { r.ScoreMargin = 0 }, ""},
		{func(r *recruit.Round) { r.ShortlistWeight, r.InterviewWeight = 0, 0 }, "shortlist_weight"},
		{func(r *recruit.Round) { r.ShortlistWeight = -1 }, "shortlist_weight"},
		{func(r *recruit.Round) { r.ShortlistWeight = 0 }, ""},
		{func(r *recruit.Round) { r.ShortlistWeight = recruit.MaxWeight }, ""},
		{func(r *recruit.Round) { r.ShortlistWeight = recruit.MaxWeight + 1 }, "shortlist_weight"},
		{func(r *recruit.Round) { r.ShortlistWeight = math.MaxInt64 }, "shortlist_weight"},
		{func(r *recruit.Round) { r.InterviewWeight = math.MaxInt32 + 1 }, "interview_weight"},
		{func(r *recruit.Round) { r.InterviewWeight = -1 }, "interview_weight"},
		{func(r *recruit.Round) { r.InterviewWeight = 0 }, ""},
		{func(r *recruit.Round) { r.InterviewWeight = recruit.MaxWeight }, ""},
		{func(r *recruit.Round) { r.InterviewWeight = recruit.MaxWeight + 1 }, "interview_weight"},
		{func(r *recruit.Round) { r.Name = "STP\x002027" }, "name"},
		{func(r *recruit.Round) { r.Name = "\u200b" }, "name"},
		{func(r *recruit.Round) { r.Name = strings.Repeat("n", 201) }, "name"},
		{func(r *recruit.Round) { r.TieBreakSeed = "seed\nline" }, "tie_break_seed"},
		{func(r *recruit.Round) { r.ShortlistCriteria = "one;\ntwo;\nthree" }, ""},
		{func(r *recruit.Round) { r.OfferWorkingDays = 0 }, "offer_working_days"},
		{func(r *recruit.Round) { r.OfferWorkingDays = 21 }, "offer_working_days"},
		{func(r *recruit.Round) { r.OfferWorkingDays = 20 }, ""},
		{func(r *recruit.Round) { r.OfferWorkingDays = 1 }, ""},
		{func(r *recruit.Round) { r.TieBreakSeed = "  " }, "tie_break_seed"},
		{func(r *recruit.Round) { r.ShortlistPassMark = -1 }, "shortlist_pass_mark"},
		{func(r *recruit.Round) { r.ShortlistPassMark = 101 }, "shortlist_pass_mark"},
		{func(r *recruit.Round) { r.ShortlistPassMark = 100 }, ""},
		{func(r *recruit.Round) { r.ShortlistPassMark = 0 }, ""},
		{func(r *recruit.Round) { r.ShortlistCriteria = strings.Repeat("c", 5001) }, "shortlist_criteria"},
	} {
		r := testRound()
		tc.change(r)
		err := r.Validate(f)
		if tc.field == "" && err != nil || tc.field != "" && apperr.Field(err) != tc.field {
			t.Errorf("%+v: %v, want field %q", r, err, tc.field)
		}
	}
	// Timetable changes: never back into a stage left; after the match,
	// only the start date.
	old := testRound()
	moved := *old
	moved.ShortlistingOpen = old.ShortlistingOpen.AddDate(0, 0, 7)
	if err := recruit.CheckTimetableChange(old, &moved, old.ShortlistingOpen.Add(time.Hour)); err == nil || !strings.Contains(err.Error(), "back into applications") {
		t.Errorf("moving shortlisting back to applications: %v", err)
	}
	if err := recruit.CheckTimetableChange(old, &moved, old.ApplicationsOpen.Add(time.Hour)); err != nil {
		t.Errorf("giving applications another week, during applications: %v", err)
	}
	forward := *old
	forward.InterviewsOpen = old.ShortlistingOpen.Add(2 * time.Hour)
	if err := recruit.CheckTimetableChange(old, &forward, old.ShortlistingOpen.Add(3*time.Hour)); err != nil {
		t.Errorf("moving the round on: %v", err)
	}
	matchedOld := *old
	matchedOld.MatchedAt = &old.OffersOpen
	later := matchedOld
	later.StartDate = old.StartDate.AddDate(0, 1, 0)
	if err := recruit.CheckTimetableChange(&matchedOld, &later, old.OffersOpen.Add(time.Hour)); err != nil {
		t.Errorf("moving the start after the match: %v", err)
	}
	later.OffersOpen = old.OffersOpen.Add(-time.Hour)
	if err := recruit.CheckTimetableChange(&matchedOld, &later, old.OffersOpen.Add(time.Hour)); err == nil || !strings.Contains(err.Error(), "only the start date") {
		t.Errorf("moving matching after the match: %v", err)
	}

	r := testRound()
	tt := r.Timetable()
	if len(tt) != 5 || tt[0].Stage != recruit.StageApplications || !tt[0].Opens.Equal(r.ApplicationsOpen) || !tt[0].Closes.Equal(r.ShortlistingOpen) ||
		tt[4].Stage != recruit.StageOffers || !tt[4].Closes.IsZero() || !tt[2].Opens.Equal(r.InterviewsOpen) || !tt[3].Closes.Equal(r.OffersOpen) {
		t.Errorf("timetable %+v", tt)
	}
	for _, tc := range []struct {
		at    time.Time
		stage string
	}{
		{r.ApplicationsOpen.Add(-time.Nanosecond), ""}, {r.ApplicationsOpen, recruit.StageApplications}, {r.ShortlistingOpen, recruit.StageShortlisting},
		{r.InterviewsOpen, recruit.StageInterviews}, {r.PreferencesOpen, recruit.StagePreferences}, {r.OffersOpen, recruit.StageOffers},
		{r.StartDate.AddDate(1, 0, 0), recruit.StageOffers},
	} {
		if got := r.Stage(tc.at); got != tc.stage {
			t.Errorf("stage at %s: %q, want %q", tc.at, got, tc.stage)
		}
		if recruit.StageNames[tc.stage] == "" {
			t.Errorf("stage %q has no name", tc.stage)
		}
	}
	for stage, says := range map[string]string{
		recruit.StageShortlisting: "Reviewing opens on 1 February 2027", recruit.StageInterviews: "Reviewing opens on 1 March 2027",
		recruit.StagePreferences: "Reviewing opens on 1 April 2027", recruit.StageOffers: "Reviewing opens on 3 May 2027",
	} {
		if err := r.RequireStage(stage, "reviewing", r.ApplicationsOpen); err == nil || err.Error() != says+" at 00:00 UTC." {
			t.Errorf("RequireStage(%s) before: %v", stage, err)
		}
	}
	if err := r.RequireStage(recruit.StageInterviews, "interviewing", r.PreferencesOpen); err == nil || !strings.Contains(err.Error(), "Interviewing closed on 1 April 2027") {
		t.Errorf("after interviews: %v", err)
	}
}

// TestRoundMarket: the market takes ranked applications and open posts,
// ranks by national rank or a post's own list, and explains results.
func TestRoundMarket(t *testing.T) {
	rank := func(n int) *int { return &n }
	posts := []recruit.Post{
		{ID: 10, Specialism: "audiology", Places: 1, Status: recruit.PostOpen},
		{ID: 11, Specialism: "audiology", Places: 1, Status: recruit.PostOpen},
		{ID: 12, Specialism: "audiology", Places: 5, Status: recruit.PostWithdrawn},
		{ID: 13, Specialism: "genomics", Places: 1, Status: recruit.PostOpen},
	}
	apps := []recruit.Application{
		{ID: 1, Specialism: "audiology", NationalRank: rank(1), Preferences: []int64{10, 11}},
		{ID: 2, Specialism: "audiology", NationalRank: rank(2), Preferences: []int64{10, 12, 11}},
		{ID: 3, Specialism: "audiology", NationalRank: rank(3), Preferences: []int64{10, 11}},
		{ID: 4, Specialism: "audiology", Preferences: []int64{10}}, // not ranked
		{ID: 5, Specialism: "genomics", NationalRank: rank(1), Preferences: []int64{13, 10}},
	}
	rm, err := recruit.NewRoundMarket(posts, apps, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	assigned, out := rm.Run()
	if fmt.Sprint(out.Assignments) != "map[1:10 2:11 3:0 5:13]" || out.Matched != 3 || out.Unmatched != 1 || out.Places != 3 || out.Unfilled != 0 || !out.Verification.OK() {
		t.Errorf("national rank: %+v", out)
	}
	res := rm.Explain(assigned, 3, 3)
	if res.PostID != 0 || len(res.Reasons) != 2 || res.Reasons[0].PostID != 10 || res.Reasons[0].YourRank != 3 || res.Reasons[0].CutOffRank != 1 ||
		!strings.Contains(res.Reasons[1].Explanation, "you were ranked 3 and the last place went to the applicant ranked 2") {
		t.Errorf("application 3's explanation: %+v", res)
	}
	if res := rm.Explain(assigned, 1, 1); res.PostID != 10 || len(res.Reasons) != 0 {
		t.Errorf("the first choice needs no explanation: %+v", res)
	}
	if res := rm.Explain(assigned, 4, 0); res.PostID != 0 || len(res.Reasons) != 0 {
		t.Errorf("an unranked application: %+v", res)
	}
	// Post 10's own list takes application 3 alone; with no places at 11.
	rm, err = recruit.NewRoundMarket(posts, apps, map[int64][]int64{10: {3}, 11: {}}, nil, map[int64]int{11: 0})
	if err != nil {
		t.Fatal(err)
	}
	assigned, out = rm.Run()
	if fmt.Sprint(out.Assignments) != "map[1:0 2:0 3:10 5:13]" || out.Places != 2 {
		t.Errorf("own list and no places at post 11: %+v", out)
	}
	res = rm.Explain(assigned, 1, 1)
	if len(res.Reasons) != 1 || res.Reasons[0].PostID != 11 || res.Reasons[0].Explanation != "This post had no places." {
		t.Errorf("application 1 was not on post 10's list, and post 11 had none: %+v", res)
	}
	for _, caps := range []map[int64]int{{12: 1}, {99: 1}, {10: -1}, {10: recruit.MaxPlaces + 1}} {
		if _, err := recruit.NewRoundMarket(posts, apps, nil, nil, caps); apperr.Field(err) != "capacities" {
			t.Errorf("capacities %v: %v", caps, err)
		}
	}
	if _, err := recruit.NewRoundMarket(posts, apps, nil, nil, map[int64]int{10: recruit.MaxPlaces}); err != nil {
		t.Errorf("the most places: %v", err)
	}
}
