package recruit_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

func reviews(scores ...int) []recruit.Review {
	var out []recruit.Review
	for i, s := range scores {
		out = append(out, recruit.Review{ReviewerID: int64(100 + i), Slot: i + 1, Score: s})
	}
	return out
}

func TestModeration(t *testing.T) {
	mod := &recruit.Moderation{Score: 77}
	for _, tc := range []struct {
		name      string
		margin    int
		reviews   []recruit.Review
		mod       *recruit.Moderation
		needs     bool
		score     int
		done      bool
		refusal   string
		moderator int64
	}{
		{"one review", 10, reviews(50), nil, false, 0, false, "does not need moderation", 1},
		{"within the margin", 10, reviews(50, 60), nil, false, 55, true, "does not need moderation", 1},
		{"rounds half up", 10, reviews(50, 51), nil, false, 51, true, "", 0},
		{"just past the margin", 10, reviews(50, 61), nil, true, 0, false, "", 1},
		{"past it the other way", 10, reviews(71, 60), nil, true, 0, false, "", 1},
		{"moderated", 10, reviews(50, 90), mod, false, 77, true, "does not need moderation", 1},
		{"margin zero", 0, reviews(50, 51), nil, true, 0, false, "", 1},
		{"a reviewer may not moderate", 10, reviews(50, 90), nil, true, 0, false, "you reviewed", 100},
		{"the applicant may not moderate", 10, reviews(50, 90), nil, true, 0, false, "your own application", 9},
	} {
		if got := recruit.NeedsModeration(tc.margin, tc.reviews, tc.mod); got != tc.needs {
			t.Errorf("%s: NeedsModeration = %v", tc.name, got)
		}
		score, done := recruit.ShortlistScore(tc.margin, tc.reviews, tc.mod)
		if score != tc.score || done != tc.done {
			t.Errorf("%s: ShortlistScore = %d, %v; want %d, %v", tc.name, score, done, tc.score, tc.done)
		}
		if tc.moderator == 0 {
			continue
		}
		err := recruit.CheckModeration(&recruit.Application{ID: 1, UserID: 9}, tc.moderator, tc.margin, tc.reviews, tc.mod)
		switch {
		case tc.refusal == "" && err != nil:
			t.Errorf("%s: CheckModeration refused: %v", tc.name, err)
		case tc.refusal != "" && (err == nil || !strings.Contains(strings.ToLower(err.Error()), tc.refusal)):
			t.Errorf("%s: CheckModeration = %v, want it to say %q", tc.name, err, tc.refusal)
		}
	}
}

func TestCheckReview(t *testing.T) {
	app := &recruit.Application{ID: 5, UserID: 9}
	assigned := []recruit.Assignment{{ApplicationID: 5, ReviewerID: 1, Slot: 1}, {ApplicationID: 5, ReviewerID: 2, Slot: 2}, {ApplicationID: 6, ReviewerID: 3, Slot: 1}}
	for _, tc := range []struct {
		name    string
		by      int64
		reviews []recruit.Review
		slot    int
		code    string
	}{
		{"first reviewer", 1, nil, 1, ""},
		{"second reviewer, second slot", 2, []recruit.Review{{ReviewerID: 1, Slot: 1}}, 2, ""},
		{"their own application", 9, nil, 0, apperr.Forbidden},
		{"not assigned (assigned elsewhere)", 3, nil, 0, apperr.Forbidden},
		{"not assigned at all", 4, nil, 0, apperr.Forbidden},
		{"again", 1, []recruit.Review{{ReviewerID: 1, Slot: 1}}, 0, apperr.Conflict},
		{"already two", 2, []recruit.Review{{ReviewerID: 1, Slot: 1}, {ReviewerID: 7, Slot: 2}}, 0, apperr.Conflict},
	} {
		slot, err := recruit.CheckReview(app, tc.by, assigned, tc.reviews)
		if slot != tc.slot || apperr.Code(err) != tc.code && !(tc.code == "" && err == nil) {
			t.Errorf("%s: slot %d, %v; want slot %d, code %q", tc.name, slot, err, tc.slot, tc.code)
		}
	}
}

// TestAssignReviewers: each application gets two different reviewers,
// never its applicant nor someone from the applicant's employer; loads
// stay within one of each other; running again adds only what is missing.
func TestAssignReviewers(t *testing.T) {
	var reviewers []recruit.Appointment
	for i := range 5 {
		reviewers = append(reviewers, recruit.Appointment{UserID: int64(10 + i), OrganisationID: int64(i % 2)}) // 10, 12, 14 none; 11, 13 from trust 1
	}
	var apps []recruit.ToAssign
	for i := range 12 {
		a := recruit.ToAssign{ApplicationID: int64(100 + i), ApplicantID: int64(500 + i)}
		if i%3 == 0 {
			a.EmployerID = 1 // from trust 1: only reviewers 10, 12, 14
		}
		apps = append(apps, a)
	}
	apps = append(apps, recruit.ToAssign{ApplicationID: 200, ApplicantID: 12}) // a reviewer who applied
	added, short := recruit.AssignReviewers(apps, reviewers, nil)
	if len(short) != 0 || len(added) != 2*len(apps) {
		t.Fatalf("%d assignments, short %v; want %d and none", len(added), short, 2*len(apps))
	}
	load := map[int64]int{}
	byApp := map[int64][]recruit.Assignment{}
	for _, as := range added {
		load[as.ReviewerID]++
		byApp[as.ApplicationID] = append(byApp[as.ApplicationID], as)
	}
	for _, a := range apps {
		got := byApp[a.ApplicationID]
		if len(got) != 2 || got[0].ReviewerID == got[1].ReviewerID || got[0].Slot == got[1].Slot {
			t.Errorf("application %d: %+v", a.ApplicationID, got)
		}
		for _, as := range got {
			r := reviewers[as.ReviewerID-10]
			if as.ReviewerID == a.ApplicantID || a.EmployerID != 0 && r.OrganisationID == a.EmployerID {
				t.Errorf("application %d (employer %d) went to reviewer %d (employer %d)", a.ApplicationID, a.EmployerID, as.ReviewerID, r.OrganisationID)
			}
		}
	}
	var loads []int
	for _, n := range load {
		loads = append(loads, n)
	}
	if slices.Max(loads)-slices.Min(loads) > 2 {
		t.Errorf("loads %v are not balanced", load)
	}

	// Again, with one more application: only it is assigned.
	more := append(slices.Clone(apps), recruit.ToAssign{ApplicationID: 300, ApplicantID: 900})
	again, short := recruit.AssignReviewers(more, reviewers, added)
	if len(again) != 2 || again[0].ApplicationID != 300 || len(short) != 0 {
		t.Errorf("assigning again: %+v, short %v", again, short)
	}
	// The least loaded take it.
	for _, as := range again {
		if load[as.ReviewerID] > slices.Min(loads)+1 {
			t.Errorf("the new application went to reviewer %d with load %d", as.ReviewerID, load[as.ReviewerID])
		}
	}
	// An application with one reviewer already gets the second slot.
	half := []recruit.Assignment{{ApplicationID: 400, ReviewerID: 10, Slot: 2}}
	got, _ := recruit.AssignReviewers([]recruit.ToAssign{{ApplicationID: 400, ApplicantID: 1}}, reviewers, half)
	if len(got) != 1 || got[0].Slot != 1 || got[0].ReviewerID == 10 {
		t.Errorf("completing a half-assigned application: %+v", got)
	}
	// Too few reviewers who may take it.
	few := []recruit.Appointment{{UserID: 11, OrganisationID: 1}, {UserID: 12}}
	_, short = recruit.AssignReviewers([]recruit.ToAssign{{ApplicationID: 1, ApplicantID: 2, EmployerID: 1}}, few, nil)
	if fmt.Sprint(short) != "[1]" {
		t.Errorf("one eligible reviewer for an application: short %v", short)
	}
}

func TestBalancedFromScratch(t *testing.T) {
	reviewers := []recruit.Appointment{{UserID: 1}, {UserID: 2}, {UserID: 3}}
	var apps []recruit.ToAssign
	for i := range 9 {
		apps = append(apps, recruit.ToAssign{ApplicationID: int64(i + 1), ApplicantID: int64(100 + i)})
	}
	added, _ := recruit.AssignReviewers(apps, reviewers, nil)
	load := map[int64]int{}
	for _, as := range added {
		load[as.ReviewerID]++
	}
	if load[1] != 6 || load[2] != 6 || load[3] != 6 {
		t.Errorf("18 assignments over 3 reviewers: %v, want 6 each", load)
	}
}

func TestValidScore(t *testing.T) {
	for score, ok := range map[int]bool{-1: false, 0: true, 100: true, 101: false} {
		if err := recruit.ValidScore(score); (err == nil) != ok || err != nil && apperr.Field(err) != "score" {
			t.Errorf("ValidScore(%d) = %v", score, err)
		}
	}
}

func TestBlindShowsNothingPersonal(t *testing.T) {
	p := &recruit.Profile{UserID: 7, EmployerID: 3, Notes: "First aid", Qualifications: []recruit.Qualification{{Credential: "degree-21", Subject: "Physics", Grade: "2:1", Year: 2024}},
		Registrations: []recruit.Registration{{Body: "HCPC", Number: "CS123456"}}}
	a := &recruit.Application{ID: 42, UserID: 7, Specialism: "audiology", Statement: "Hearing matters.", Submitted: p.Submission()}
	// Later changes to the profile do not reach the application.
	p.Qualifications[0].Grade, p.Notes = "First", "changed"
	b := recruit.Blind(a)
	blob := fmt.Sprintf("%+v", b)
	if b.Reference != "APP-000042" || b.Statement != a.Statement || len(b.Qualifications) != 1 || b.Qualifications[0].Grade != "2:1" ||
		b.Notes != "First aid" || fmt.Sprint(b.Registers) != "[HCPC]" {
		t.Errorf("blind view: %s", blob)
	}
	for _, secret := range []string{"CS123456", "2024"} {
		if strings.Contains(blob, secret) {
			t.Errorf("the blind view shows %s: %s", secret, blob)
		}
	}
	if a.Submitted.EmployerID != 3 {
		t.Error("the submission lost the employer")
	}
	if empty := recruit.Blind(&recruit.Application{ID: 1}); empty.Qualifications == nil || empty.Registers == nil {
		t.Errorf("without a submission: %+v", empty)
	}
	if err := recruit.CheckReviewerEmployer([]int64{3, 4}, 4); err != nil {
		t.Error(err)
	}
	if err := recruit.CheckReviewerEmployer(nil, 0); err != nil {
		t.Error(err)
	}
	if err := recruit.CheckReviewerEmployer([]int64{3}, 0); apperr.Field(err) != "organisation_id" {
		t.Errorf("a recruiter named with no employer: %v", err)
	}
	if err := recruit.CheckReviewerEmployer([]int64{3}, 5); apperr.Field(err) != "organisation_id" {
		t.Errorf("a recruiter named with another employer: %v", err)
	}
}

func TestInterviews(t *testing.T) {
	stations := []recruit.Station{{ID: 1, RoundID: 9, Name: "Communication", Weight: 1}, {ID: 2, RoundID: 9, Name: "Science", Weight: 3}}
	score := func(st, by int64, s int) recruit.InterviewScore {
		return recruit.InterviewScore{StationID: st, AssessorID: by, Score: s}
	}
	if s, done := recruit.WeightedInterview(stations, []recruit.InterviewScore{score(1, 1, 40)}); done || s != 0 {
		t.Errorf("one of two stations: %d, %v", s, done)
	}
	if s, done := recruit.WeightedInterview(stations, []recruit.InterviewScore{score(2, 2, 60), score(1, 1, 41)}); !done || s != 55 {
		t.Errorf("weighted (41×1 + 60×3)/4 = 55.25: got %d, %v", s, done)
	}
	if s, done := recruit.WeightedInterview(stations, []recruit.InterviewScore{score(1, 1, 43), score(2, 2, 60)}); !done || s != 56 {
		t.Errorf("(43 + 180)/4 = 55.75 rounds to 56: got %d", s)
	}
	if s, done := recruit.WeightedInterview(stations[:1], []recruit.InterviewScore{score(1, 1, 50)}); !done || s != 50 {
		t.Errorf("one station, half marks: %d", s)
	}
	if _, done := recruit.WeightedInterview(nil, nil); done {
		t.Error("a round without stations has an interview score")
	}

	app := &recruit.Application{ID: 5, RoundID: 9, UserID: 7}
	for _, tc := range []struct {
		name        string
		by          int64
		shortlisted bool
		scores      []recruit.InterviewScore
		station     int64
		code        string
	}{
		{"first score", 1, true, nil, 1, ""},
		{"second station, other assessor", 2, true, []recruit.InterviewScore{score(1, 1, 50)}, 2, ""},
		{"their own interview", 7, true, nil, 1, apperr.Forbidden},
		{"a station of no round of theirs", 1, true, nil, 3, apperr.Invalid},
		{"not shortlisted", 1, false, nil, 1, apperr.Conflict},
		{"station already scored", 2, true, []recruit.InterviewScore{score(1, 1, 50)}, 1, apperr.Conflict},
		{"one station per assessor", 1, true, []recruit.InterviewScore{score(1, 1, 50)}, 2, apperr.Conflict},
	} {
		err := recruit.CheckInterviewScore(app, tc.by, tc.shortlisted, stations, tc.scores, tc.station)
		if apperr.Code(err) != tc.code && !(tc.code == "" && err == nil) {
			t.Errorf("%s: %v, want code %q", tc.name, err, tc.code)
		}
	}
	other := []recruit.Station{{ID: 1, RoundID: 8, Name: "Elsewhere", Weight: 1}}
	if err := recruit.CheckInterviewScore(app, 1, true, other, nil, 1); apperr.Field(err) != "station" {
		t.Errorf("another round's station: %v", err)
	}
}

func TestValidateStations(t *testing.T) {
	st := func(name string, w int) recruit.Station { return recruit.Station{Name: name, Weight: w} }
	many := make([]recruit.Station, recruit.MaxStations+1)
	for i := range many {
		many[i] = st(fmt.Sprint("S", i), 1)
	}
	for _, tc := range []struct {
		stations []recruit.Station
		field    string
	}{
		{[]recruit.Station{st("A", 1), st("B", 10)}, ""},
		{many[:recruit.MaxStations], ""},
		{nil, "stations"},
		{many, "stations"},
		{[]recruit.Station{st(" ", 1)}, "stations[0].name"},
		{[]recruit.Station{st(strings.Repeat("x", 101), 1)}, "stations[0].name"},
		{[]recruit.Station{st(strings.Repeat("x", 100), 1)}, ""},
		{[]recruit.Station{st("A", 1), st(" a ", 2)}, "stations[1].name"},
		{[]recruit.Station{st("A", 0)}, "stations[0].weight"},
		{[]recruit.Station{st("A", 11)}, "stations[0].weight"},
	} {
		err := recruit.ValidateStations(tc.stations)
		if tc.field == "" && err != nil || tc.field != "" && apperr.Field(err) != tc.field {
			t.Errorf("%d stations: %v, want field %q", len(tc.stations), err, tc.field)
		}
	}
	// Messages count stations from 1.
	for _, tc := range []struct {
		stations []recruit.Station
		says     string
	}{
		{[]recruit.Station{st("A", 1), st(strings.Repeat("x", 101), 1)}, "Station 2's name"},
		{[]recruit.Station{st("A", 1), st("B", 1), st("\u200b", 1)}, "station 3: give it a name"},
		{[]recruit.Station{st("A", 1), st("a", 1)}, `station 2: "a" is named twice`},
		{[]recruit.Station{st("A", 1), st("B", 1), st("C", 1), st("D", 0)}, fmt.Sprintf("station 4: the weight must be 1 to %d", recruit.MaxStationWeight)},
		{[]recruit.Station{st("A", 1), st("B", 1)}[:0], fmt.Sprintf("1 to %d interview stations", recruit.MaxStations)},
	} {
		if err := recruit.ValidateStations(tc.stations); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%+v: %v; want it to say %q", tc.stations, err, tc.says)
		}
	}
	r := testRound()
	if recruit.CanSetStations(r, r.InterviewsOpen.Add(-time.Second)) != nil || recruit.CanSetStations(r, r.InterviewsOpen) == nil {
		t.Error("stations are not fixed exactly when interviews begin")
	}
}
