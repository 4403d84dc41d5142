package recruit_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// makeInService makes a staged round's post in-service and nominates the
// given applicants through it, in the rows, as if done before
// applications closed.
func makeInService(t *testing.T, sr *testkit.StagedRound, post recruit.Post, applicants ...int) {
	t.Helper()
	if err := sr.DB.Write(ctx, func(tx *database.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE posts SET in_service = 1 WHERE id = $1", post.ID); err != nil {
			return err
		}
		for _, i := range applicants {
			if _, err := tx.Exec(ctx, "INSERT INTO nominations (round_id, post_id, organisation_id, user_id, created_at) VALUES ($1, $2, $3, $4, $5)",
				sr.Round.ID, post.ID, sr.Trust.ID, sr.Applicants[i].ID, tx.Now); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestServiceInServiceCascade: on both databases, with one direct-entry
// post and one in-service post, a nominee is ranked among nominees, a
// direct-entry applicant may not rank the in-service post, the match
// gives each route its own post, and the cascade keeps them apart: a
// freed direct-entry place goes down the direct-entry ranking, and a freed
// in-service place to no direct-entry applicant, even one whose stored
// preferences name it.
func TestServiceInServiceCascade(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 4, Places: []int{1, 1}, Reviewers: 2, Until: testkit.UntilInterviewed})
		svc := sr.Service
		direct, inService := sr.Posts[0], sr.Posts[1]
		// Post 2 is in-service, and applicant 3 is its trust's nominee (set
		// here in the rows, as if made before applications closed).
		makeInService(t, sr, inService, 3)
		ranked, err := svc.RankRound(ctx, as(sr.School), sr.Round.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ranked {
			if nominee := r.ApplicationID == sr.Apps[3].ID; r.InService != nominee || nominee && r.Rank != 1 {
				t.Errorf("ranked %+v: the nominee alone is ranked among nominees", r)
			}
		}
		// The school's ranking lists direct entry first, then the nominee,
		// marked: both are ranked 1.
		ranking, err := svc.Ranking(ctx, sr.Round.ID)
		if err != nil || len(ranking) != 4 {
			t.Fatalf("ranking %+v, %v", ranking, err)
		}
		for i, a := range ranking {
			if nominee := a.ID == sr.Apps[3].ID; a.InService != nominee || nominee != (i == 3) {
				t.Errorf("ranking row %d: %d in service %v; want the nominee alone, marked and last", i, a.ID, a.InService)
			}
		}
		if st, err := svc.Status(ctx, sr.Apps[3].ID); err != nil || !strings.Contains(st.Standing.Message, "ranked 1 among the in-service nominees") {
			t.Errorf("the nominee's standing: %+v, %v", st.Standing, err)
		}
		_, err = svc.SetPreferences(ctx, as(sr.Applicants[0]), sr.Apps[0].ID, []int64{inService.ID, direct.ID})
		wantCode(t, "a direct-entry applicant ranking the in-service post", err, apperr.Invalid, "in-service post")
		_, err = svc.SetPreferences(ctx, as(sr.Applicants[3]), sr.Apps[3].ID, []int64{direct.ID})
		wantCode(t, "a nominee ranking a direct-entry post", err, apperr.Invalid, "for direct entry")
		for i, prefs := range [][]int64{{direct.ID}, {direct.ID}, {direct.ID}, {inService.ID}} {
			if _, err := svc.SetPreferences(ctx, as(sr.Applicants[i]), sr.Apps[i].ID, prefs); err != nil {
				t.Fatal(err)
			}
		}
		// Applicant 2's stored preferences name the in-service post too.
		if err := db.Write(ctx, func(tx *database.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO preferences (application_id, post_id, rank) VALUES ($1, $2, 2)", sr.Apps[2].ID, inService.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		sr.Clock.Set(testkit.Day(41))
		out, err := svc.PublishMatch(ctx, as(sr.School), sr.Round.ID)
		if err != nil {
			t.Fatal(err)
		}
		if out.Assignments[sr.Apps[0].ID] != direct.ID || out.Assignments[sr.Apps[3].ID] != inService.ID || out.Assignments[sr.Apps[2].ID] != 0 {
			t.Fatalf("the match: %v", out.Assignments)
		}
		// Applicant 0 declines: the direct-entry place goes to applicant 1.
		if _, err := svc.AnswerOffer(ctx, as(sr.Applicants[0]), liveOffer(t, sr, 0).ID, recruit.AnswerDecline, false); err != nil {
			t.Fatal(err)
		}
		if o := liveOffer(t, sr, 1); o == nil || o.PostID != direct.ID {
			t.Errorf("the freed direct-entry place went to %+v, want applicant 1", o)
		}
		// The nominee declines: nobody else may hold the in-service post.
		if _, err := svc.AnswerOffer(ctx, as(sr.Applicants[3]), liveOffer(t, sr, 3).ID, recruit.AnswerDecline, false); err != nil {
			t.Fatal(err)
		}
		if o := liveOffer(t, sr, 2); o != nil {
			t.Errorf("the freed in-service place went to a direct-entry applicant: %+v", o)
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM offers WHERE post_id = $1 AND status IN ('offered', 'held', 'accepted', 'unconditional')", inService.ID); n != 0 {
			t.Errorf("%d live offers of the in-service post, want none", n)
		}
	})
}

// TestServiceNominate: only an employee whose profile names the trust is
// nominated, once, whatever the case of the address typed; the nominee is
// told; a direct-entry applicant cannot apply to a specialism whose only
// posts are in-service.
func TestServiceNominate(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Places: []int{1}, Until: testkit.UntilOpen})
		svc := sr.Service
		post := &recruit.Post{RoundID: sr.Round.ID, OrganisationID: sr.Trust.ID, Specialism: "clinical-biochemistry", Site: "Lab", Places: 1, Contact: "c", InService: true}
		if err := svc.PublishPost(ctx, as(sr.Employer), post); err != nil {
			t.Fatal(err)
		}
		employee, stranger := applicant(t, db, "Emma"), applicant(t, db, "Stan")
		for _, p := range []struct {
			u   int64
			org int64
		}{{employee.ID, sr.Trust.ID}, {stranger.ID, 0}} {
			if err := svc.SaveProfile(ctx, auth.Actor{UserID: p.u}, &recruit.Profile{UserID: p.u, RightToWork: true, EmployerID: p.org,
				Qualifications: []recruit.Qualification{{Credential: "degree-21"}}}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := svc.Nominate(ctx, as(sr.Employer), post.ID, stranger.Email)
		wantCode(t, "nominating someone whose profile names another employer", err, apperr.Invalid, "does not name")
		_, err = svc.Nominate(ctx, as(sr.Employer), sr.Posts[0].ID, employee.Email)
		wantCode(t, "nominating through a direct-entry post", err, apperr.Conflict, "only an in-service post")
		n, err := svc.Nominate(ctx, as(sr.Employer), post.ID, "  "+strings.ToUpper(employee.Email))
		if err != nil || n.UserID != employee.ID || n.Organisation != sr.Trust.Name {
			t.Fatalf("nominating an employee: %+v, %v", n, err)
		}
		_, err = svc.Nominate(ctx, as(sr.Employer), post.ID, employee.Email)
		wantCode(t, "nominating twice", err, apperr.Conflict, "already nominated")
		// The stranger cannot apply to a specialism with in-service posts
		// alone; the nominee can.
		err = svc.Apply(ctx, auth.Actor{UserID: stranger.ID}, &recruit.Application{RoundID: sr.Round.ID, UserID: stranger.ID, Specialism: "clinical-biochemistry", Statement: "x"})
		wantCode(t, "a direct-entry application to in-service posts alone", err, apperr.Invalid, "that you can apply for")
		err = svc.Apply(ctx, auth.Actor{UserID: employee.ID}, &recruit.Application{RoundID: sr.Round.ID, UserID: employee.ID, Specialism: "audiology", Statement: "x"})
		wantCode(t, "a nominee applying in another specialism", err, apperr.Invalid, "apply in that specialism")
		a := &recruit.Application{RoundID: sr.Round.ID, UserID: employee.ID, Specialism: "clinical-biochemistry", Statement: "x"}
		if err := svc.Apply(ctx, auth.Actor{UserID: employee.ID}, a); err != nil {
			t.Fatal(err)
		}
		st, err := svc.Status(ctx, a.ID)
		if err != nil || st.Nomination == nil || st.Nomination.PostID != post.ID {
			t.Errorf("the nominee's status: %+v, %v", st, err)
		}
		if n := testkit.AuditCount(t, db, "post.nominate"); n != 1 {
			t.Errorf("%d nominations audited, want 1", n)
		}
	})
}

// TestServiceConcurrentNominateAndApply: an employee applying in one
// specialism while their employer nominates them through an in-service
// post in another, at the same moment, ends with one of the two refused,
// never with a nominee whose application is in the wrong specialism. On
// both databases, many times over.
func TestServiceConcurrentNominateAndApply(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Places: []int{1}, Until: testkit.UntilOpen})
		svc := sr.Service
		post := &recruit.Post{RoundID: sr.Round.ID, OrganisationID: sr.Trust.ID, Specialism: "clinical-biochemistry", Site: "Lab", Places: 1, Contact: "c", InService: true}
		if err := svc.PublishPost(ctx, as(sr.Employer), post); err != nil {
			t.Fatal(err)
		}
		for i := range 12 {
			u := applicant(t, db, fmt.Sprintf("Employee%d", i))
			if err := svc.SaveProfile(ctx, auth.Actor{UserID: u.ID}, &recruit.Profile{UserID: u.ID, RightToWork: true, EmployerID: sr.Trust.ID,
				Qualifications: []recruit.Qualification{{Credential: "degree-21"}}}); err != nil {
				t.Fatal(err)
			}
			var applyErr, nominateErr error
			var wg sync.WaitGroup
			wg.Go(func() {
				applyErr = svc.Apply(ctx, auth.Actor{UserID: u.ID}, &recruit.Application{RoundID: sr.Round.ID, UserID: u.ID, Specialism: "audiology", Statement: "x"})
			})
			wg.Go(func() { _, nominateErr = svc.Nominate(ctx, as(sr.Employer), post.ID, u.Email) })
			wg.Wait()
			if (applyErr == nil) == (nominateErr == nil) {
				t.Fatalf("employee %d: applying in audiology: %v; nominated in clinical biochemistry: %v; want exactly one refused", i, applyErr, nominateErr)
			}
			if applyErr != nil && apperr.Code(applyErr) != apperr.Invalid || nominateErr != nil && apperr.Code(nominateErr) != apperr.Conflict {
				t.Fatalf("employee %d: %v; %v", i, applyErr, nominateErr)
			}
		}
	})
}

// TestServiceInServiceOwnRanking: where employers rank their posts with
// their own lists, an in-service post's list holds only its employer's
// nominees and a direct-entry post's none, so no list can shut a nominee
// out of their post; each post's page of applicants lists only those who
// may hold it. On both databases.
func TestServiceInServiceOwnRanking(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 3, Places: []int{1, 1}, Reviewers: 2, Until: testkit.UntilInterviewed, EmployerRanking: true})
		svc := sr.Service
		direct, inService := sr.Posts[0], sr.Posts[1]
		makeInService(t, sr, inService, 2)
		if _, err := svc.RankRound(ctx, as(sr.School), sr.Round.ID); err != nil {
			t.Fatal(err)
		}
		by := as(sr.Employer)
		err := svc.SetPostRanking(ctx, by, inService.ID, []int64{sr.Apps[0].ID, sr.Apps[2].ID})
		wantCode(t, "a direct entrant on an in-service post's list", err, apperr.Invalid, "not a nominee of this in-service post's employer")
		err = svc.SetPostRanking(ctx, by, direct.ID, []int64{sr.Apps[2].ID, sr.Apps[0].ID})
		wantCode(t, "a nominee on a direct-entry post's list", err, apperr.Invalid, "is an in-service nominee")
		if err := svc.SetPostRanking(ctx, by, inService.ID, []int64{sr.Apps[2].ID}); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetPostRanking(ctx, by, direct.ID, []int64{sr.Apps[1].ID, sr.Apps[0].ID}); err != nil {
			t.Fatal(err)
		}
		for post, want := range map[int64][]int64{inService.ID: {sr.Apps[2].ID}, direct.ID: {sr.Apps[0].ID, sr.Apps[1].ID}} {
			listed, err := svc.PostApplicants(ctx, post)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, a := range listed {
				got = append(got, a.ApplicationID)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("post %d lists %v, want %v", post, got, want)
			}
		}
	})
}

// TestServiceTestTopCountsNomineesApart: a best-scores rule of the online
// test picks the best of the direct entrants and, apart, the best of the
// nominees, so a nominee competes for the in-service post's interview
// with nominees alone. On both databases.
func TestServiceTestTopCountsNomineesApart(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 4, Places: []int{1, 1}, Until: testkit.UntilApplied,
			Test: recruit.TestRule{Rule: recruit.TestRuleTop, Top: 1}})
		svc, rid := sr.Service, sr.Round.ID
		inService := sr.Posts[1]
		makeInService(t, sr, inService, 2, 3)
		ref := func(i int) string { return recruit.Reference(sr.Apps[i].ID) }
		// Direct entrants 0 (90) and 1 (80); nominees 2 (50) and 3 (40):
		// every nominee scores below every direct entrant.
		if _, err := svc.ImportTestScores(ctx, as(sr.School), rid, scoresFile(ref(0)+",90", ref(1)+",80", ref(2)+",50", ref(3)+",40"), false); err != nil {
			t.Fatal(err)
		}
		st, err := svc.PublishTestOutcomes(ctx, as(sr.School), rid)
		if err != nil {
			t.Fatal(err)
		}
		goesOn := map[int64]bool{}
		for _, o := range st.Outcomes {
			goesOn[o.ApplicationID] = o.GoesOn
		}
		for i, want := range []bool{true, false, true, false} {
			if goesOn[sr.Apps[i].ID] != want {
				t.Errorf("applicant %d goes on: %v, want %v (the best direct entrant and the best nominee)", i, goesOn[sr.Apps[i].ID], want)
			}
		}
	})
}

// TestServiceWithdrawnInServicePostTellsNominees: withdrawing an
// in-service post tells each employee nominated through it that, with no
// other in-service post of their employer in the specialism, their
// application can hold no post. On both databases.
func TestServiceWithdrawnInServicePostTellsNominees(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 2, Places: []int{1, 1}, Reviewers: 2, Until: testkit.UntilInterviewed})
		inService := sr.Posts[1]
		makeInService(t, sr, inService, 1)
		if _, err := sr.Service.WithdrawPost(ctx, as(sr.Employer), inService.ID); err != nil {
			t.Fatal(err)
		}
		mail := told(t, db, "The in-service post you were nominated for has been withdrawn")
		if m := mail[sr.Applicants[1].Email]; len(m) != 1 || !strings.Contains(m[0].Body, "cannot be matched to any post in this round") {
			t.Errorf("the nominee's messages: %+v", m)
		}
		if len(mail) != 1 {
			t.Errorf("told %d people, want the nominee alone", len(mail))
		}
	})
}
