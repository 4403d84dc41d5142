package recruit_test

import (
	"context"
	"strings"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// The service's tests run on both databases through recruit.Tx, with the
// round staged by testkit.StageRound: day 1 applications, 10
// shortlisting, 20 interviews, 30 preferences, 40 offers.

var ctx = context.Background()

func as(u *auth.User) auth.Actor { return auth.Actor{UserID: u.ID, Address: "test"} }

// applicant makes an account that may apply, named name.
func applicant(t *testing.T, db *database.DB, name string) *auth.User {
	t.Helper()
	u := &auth.User{Name: name, Email: strings.ToLower(name) + "@example.org"}
	if err := db.CreateUser(ctx, auth.System("test"), u, "", []auth.Grant{{Role: auth.RoleApplicant}}); err != nil {
		t.Fatal(err)
	}
	return u
}

// schoolOrganisation makes an organisation that is not an employer.
func schoolOrganisation(t *testing.T, db *database.DB) *auth.Organisation {
	t.Helper()
	o := &auth.Organisation{Kind: auth.OrgNationalSchool, Name: "School", Region: "London"}
	if err := db.CreateOrganisation(ctx, auth.System("test"), o); err != nil {
		t.Fatal(err)
	}
	return o
}

func wantCode(t *testing.T, what string, err error, code, says string) {
	t.Helper()
	if apperr.Code(err) != code || !strings.Contains(err.Error(), says) {
		t.Errorf("%s: %v; want %s saying %q", what, err, code, says)
	}
}

// TestServiceWindows: each action is refused outside its stage, saying
// when the window opens or closed.
func TestServiceWindows(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 2, Places: []int{1}, Reviewers: 2, Until: testkit.UntilApplied})
		svc, rid := sr.Service, sr.Round.ID
		late := &auth.User{Name: "Late", Email: "late@example.org"}
		if err := db.CreateUser(ctx, auth.System("test"), late, "", []auth.Grant{{Role: auth.RoleApplicant}}); err != nil {
			t.Fatal(err)
		}
		if err := svc.SaveProfile(ctx, as(late), &recruit.Profile{UserID: late.ID, RightToWork: true, Qualifications: []recruit.Qualification{{Credential: "degree-21"}}}); err != nil {
			t.Fatal(err)
		}
		// Day 11: shortlisting.
		err := svc.Apply(ctx, as(late), &recruit.Application{RoundID: rid, UserID: late.ID, Specialism: "audiology", Statement: "s"})
		wantCode(t, "applying after applications close", err, apperr.Conflict, "Applying closed on 14 January 2027")
		err = svc.PublishPost(ctx, as(sr.Employer), &recruit.Post{RoundID: rid, OrganisationID: sr.Trust.ID, Specialism: "audiology", Site: "Late", Places: 1, Contact: "c"})
		wantCode(t, "a post once applications have closed", err, apperr.Conflict, "until applications closed")
		_, err = svc.ScoreInterview(ctx, as(sr.Employer), sr.Apps[0].ID, sr.Stations[0].ID, 50)
		wantCode(t, "interviewing while shortlisting", err, apperr.Conflict, "Interview scoring opens on 24 January 2027")
		_, err = svc.RankRound(ctx, as(sr.School), rid)
		wantCode(t, "ranking while shortlisting", err, apperr.Conflict, "Ranking opens on 3 February 2027")
		_, err = svc.PublishMatch(ctx, as(sr.School), rid)
		wantCode(t, "publishing while shortlisting", err, apperr.Conflict, "Publishing the match opens on 13 February 2027")
		_, err = svc.SetPreferences(ctx, as(sr.Applicants[0]), sr.Apps[0].ID, []int64{sr.Posts[0].ID})
		wantCode(t, "ranking posts while shortlisting", err, apperr.Conflict, "Ranking posts opens on 3 February 2027")
		sr.Clock.Set(testkit.Day(21))
		_, err = svc.Review(ctx, as(sr.Reviewers[0]), sr.Apps[0].ID, 50)
		wantCode(t, "reviewing during interviews", err, apperr.Conflict, "Shortlisting closed on 24 January 2027")
		_, err = svc.AppointReviewer(ctx, as(sr.School), rid, late.Email, 0)
		wantCode(t, "appointing a reviewer during interviews", err, apperr.Conflict, "until shortlisting closed")
		err = svc.SetStations(ctx, as(sr.School), rid, []recruit.Station{{Name: "New", Weight: 1}})
		wantCode(t, "changing stations during interviews", err, apperr.Conflict, "until interviews began")
		_, err = svc.AssignReviewers(ctx, as(sr.School), rid)
		wantCode(t, "assigning during interviews", err, apperr.Conflict, "Assigning reviewers closed")
	})
}

// TestServiceConflictsOfInterest: nobody scores, moderates or ranks their
// own application, or moderates one they reviewed.
func TestServiceConflictsOfInterest(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 2, Places: []int{1}, Reviewers: 2, Until: testkit.UntilApplied})
		svc, rid := sr.Service, sr.Round.ID
		// The employer applies as well (they hold both roles).
		if err := db.AddGrant(ctx, auth.System("test"), &auth.Grant{UserID: sr.Employer.ID, Role: auth.RoleApplicant}); err != nil {
			t.Fatal(err)
		}
		sr.Clock.Set(testkit.Day(11))
		queue, err := svc.ReviewQueue(ctx, rid, sr.Reviewers[0].ID)
		if err != nil || len(queue) != 2 {
			t.Fatalf("queue: %v, %v", queue, err)
		}
		for i, rv := range sr.Reviewers {
			for _, a := range sr.Apps {
				if _, err := svc.Review(ctx, as(rv), a.ID, 40+50*i); err != nil {
					t.Fatal(err)
				}
			}
		}
		_, err = svc.Review(ctx, as(sr.Reviewers[0]), sr.Apps[0].ID, 50)
		wantCode(t, "a second review by one reviewer", err, apperr.Conflict, "already reviewed")
		_, err = svc.Review(ctx, as(sr.School), sr.Apps[0].ID, 50)
		wantCode(t, "a review by someone not assigned", err, apperr.Forbidden, "not assigned to you")
		// The staged round's margin is 100: nothing needs moderation.
		_, err = svc.Moderate(ctx, as(sr.School), sr.Apps[0].ID, 60)
		wantCode(t, "moderating what does not need it", err, apperr.Conflict, "does not need moderation")
		_, err = svc.Moderate(ctx, as(sr.Applicants[0]), sr.Apps[0].ID, 60)
		wantCode(t, "moderating one's own application", err, apperr.Forbidden, "own application")
		_, err = svc.Moderate(ctx, as(sr.Reviewers[1]), sr.Apps[0].ID, 60)
		wantCode(t, "moderating one's own review", err, apperr.Forbidden, "You reviewed")

		// Interviews: the employer scores applicant 1, and may not score
		// an application of their own.
		sr.Clock.Set(testkit.Day(21))
		if _, err := svc.ScoreInterview(ctx, as(sr.Employer), sr.Apps[1].ID, sr.Stations[0].ID, 60); err != nil {
			t.Fatal(err)
		}
		_, err = svc.ScoreInterview(ctx, as(sr.Employer), sr.Apps[1].ID, sr.Stations[1].ID, 60)
		wantCode(t, "a second station by one assessor", err, apperr.Conflict, "another station")
		_, err = svc.ScoreInterview(ctx, as(sr.Applicants[1]), sr.Apps[1].ID, sr.Stations[1].ID, 60)
		wantCode(t, "scoring one's own interview", err, apperr.Forbidden, "own interview")
		_, err = svc.ScoreInterview(ctx, as(sr.School), sr.Apps[1].ID, 999999, 60)
		wantCode(t, "a station not in the round", err, apperr.Invalid, "not one of this round's")
		_, err = svc.ScoreInterview(ctx, as(sr.School), sr.Apps[1].ID, sr.Stations[0].ID, 60)
		wantCode(t, "a station already scored", err, apperr.Conflict, "already scored")
	})
}

// TestServiceShortlistPassMark: applications below the pass mark are not
// interviewed, not ranked and take no part in matching.
func TestServiceShortlistPassMark(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 2, Places: []int{1}, Reviewers: 2, Until: testkit.UntilApplied})
		svc, rid := sr.Service, sr.Round.ID
		// Pass mark 60: applicant 0 scores 80, applicant 1 scores 40.
		if err := db.Write(ctx, func(tx *database.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE rounds SET shortlist_pass_mark = 60 WHERE id = $1", rid)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for _, rv := range sr.Reviewers {
			for i, a := range sr.Apps {
				if _, err := svc.Review(ctx, as(rv), a.ID, 80-40*i); err != nil {
					t.Fatal(err)
				}
			}
		}
		sr.Clock.Set(testkit.Day(21))
		queue, err := svc.InterviewQueue(ctx, rid, []int64{sr.Trust.ID})
		if err != nil || len(queue) != 1 || queue[0].ApplicationID != sr.Apps[0].ID {
			t.Fatalf("the interview queue is %+v (%v); want applicant 0 alone", queue, err)
		}
		_, err = svc.ScoreInterview(ctx, as(sr.Employer), sr.Apps[1].ID, sr.Stations[0].ID, 60)
		wantCode(t, "interviewing below the pass mark", err, apperr.Conflict, "not shortlisted")
		st, err := svc.Status(ctx, sr.Apps[1].ID)
		if err != nil || st.Standing.Step != recruit.StepNotShortlisted {
			t.Errorf("applicant 1's standing: %+v, %v", st, err)
		}
		for j, st := range sr.Stations {
			assessor := sr.Employer
			if j == 1 {
				assessor = sr.School
			}
			if _, err := svc.ScoreInterview(ctx, as(assessor), sr.Apps[0].ID, st.ID, 70); err != nil {
				t.Fatal(err)
			}
		}
		sr.Clock.Set(testkit.Day(31))
		ranked, err := svc.RankRound(ctx, as(sr.School), rid)
		if err != nil || len(ranked) != 1 || ranked[0].ApplicationID != sr.Apps[0].ID || ranked[0].Weighted != 80+70 {
			t.Fatalf("ranked %+v, %v; want applicant 0 alone with 150", ranked, err)
		}
		_, err = svc.SetPreferences(ctx, as(sr.Applicants[1]), sr.Apps[1].ID, []int64{sr.Posts[0].ID})
		wantCode(t, "preferences below the pass mark", err, apperr.Conflict, "not shortlisted")
	})
}

// TestServiceMatchAndOffers: the published match's offers, the offer
// state machine through the service, expiry by the system and the cascade
// as an upgrade, each audited by whoever acted.
func TestServiceMatchAndOffers(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 4, Places: []int{1, 1}, Reviewers: 2, Until: testkit.UntilRanked})
		svc, rid := sr.Service, sr.Round.ID
		what, err := svc.RunWhatIf(ctx, rid, map[int64]int{sr.Posts[0].ID: 2})
		// Applicant 1 would move to post 1, and applicant 2 take post 2.
		if err != nil || what.WhatIf.Matched != 3 || what.Current.Matched != 2 || len(what.Changes) != 2 {
			t.Fatalf("what-if with two places at post 1: %+v, %v", what, err)
		}
		if _, err := svc.RunWhatIf(ctx, rid, map[int64]int{999999: 1}); apperr.Field(err) != "capacities" {
			t.Errorf("a what-if of a post not in the round: %v", err)
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM offers"); n != 0 {
			t.Fatalf("a what-if made %d offers", n)
		}
		out, err := svc.PublishMatch(ctx, as(sr.School), rid)
		if err != nil || out.Matched != 2 || out.Unmatched != 2 || out.Unfilled != 0 || !out.Verification.OK() {
			t.Fatalf("match: %+v, %v", out, err)
		}
		_, err = svc.PublishMatch(ctx, as(sr.School), rid)
		wantCode(t, "publishing twice", err, apperr.Conflict, "was published")
		_, err = svc.ChangeTimetable(ctx, as(sr.School), rid, recruit.Timetable{ApplicationsOpen: testkit.Day(2), ShortlistingOpen: testkit.Day(10),
			InterviewsOpen: testkit.Day(20), PreferencesOpen: testkit.Day(30), OffersOpen: testkit.Day(40), StartDate: testkit.Day(200)})
		wantCode(t, "moving the round's dates after the match", err, apperr.Conflict, "only the start date")
		if _, err := svc.ChangeTimetable(ctx, as(sr.School), rid, recruit.Timetable{ApplicationsOpen: testkit.Day(1), ShortlistingOpen: testkit.Day(10),
			InterviewsOpen: testkit.Day(20), PreferencesOpen: testkit.Day(30), OffersOpen: testkit.Day(40), StartDate: testkit.Day(220)}); err != nil {
			t.Errorf("moving the start date after the match: %v", err)
		}
		_, err = svc.UpdatePost(ctx, as(sr.Employer), sr.Posts[0].ID, recruit.PostChange{Site: "X", Places: 3, Contact: "c"})
		wantCode(t, "changing a post after the match", err, apperr.Conflict, "until matching began")

		offerOf := func(app int) *recruit.Offer {
			offers, err := svc.Offers(ctx, recruit.OfferFilter{ApplicationID: sr.Apps[app].ID, Live: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(offers) == 0 {
				return nil
			}
			return &offers[0]
		}
		// Applicant 0 (first) has post 1; applicant 1 post 2. Applicant 1
		// accepts with upgrades; applicant 0 declines: post 1 goes to
		// applicant 1 (an upgrade), and post 2 to applicant 2.
		o1 := offerOf(1)
		if _, err := svc.AnswerOffer(ctx, as(sr.Applicants[1]), o1.ID, recruit.AnswerAccept, true); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AnswerOffer(ctx, as(sr.Applicants[0]), offerOf(0).ID, recruit.AnswerDecline, false); err != nil {
			t.Fatal(err)
		}
		// The upgrade keeps applicant 1's acceptance.
		if o := offerOf(1); o == nil || o.PostID != sr.Posts[0].ID || o.Status != recruit.OfferAccepted || !o.Upgrades || o.AnsweredAt == nil {
			t.Errorf("applicant 1 after the upgrade: %+v", o)
		}
		if o := offerOf(2); o == nil || o.PostID != sr.Posts[1].ID {
			t.Errorf("applicant 2 after the cascade: %+v", o)
		}
		// Past the deadline, applicant 2's unanswered offer expires: the
		// answer is refused and the place goes to applicant 3.
		sr.Clock.Set(testkit.Day(50))
		o2 := offerOf(2)
		_, err = svc.AnswerOffer(ctx, as(sr.Applicants[2]), o2.ID, recruit.AnswerAccept, false)
		wantCode(t, "answering after the deadline", err, apperr.Conflict, "expired")
		if o := offerOf(3); o == nil || o.PostID != sr.Posts[1].ID || o.Status != recruit.OfferOffered {
			t.Errorf("after applicant 2's deadline, applicant 3 holds %+v", o)
		}
		if n, err := svc.ExpireOffers(ctx, rid); err != nil || n != 0 {
			t.Errorf("expiring again: %d, %v; want nothing more due", n, err)
		}
		if o := offerOf(1); o == nil || o.Status != recruit.OfferAccepted {
			t.Errorf("an accepted offer expired: %+v", o)
		}
		entries, err := db.Audit(ctx, auth.AuditFilter{RecordType: "offer", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			switch e.Action {
			case "offer.expire":
				if e.ActorID != 0 || e.Process != "offer expiry" {
					t.Errorf("an expiry audited as %d/%q", e.ActorID, e.Process)
				}
			case "offer.supersede":
				if e.ActorID != 0 || e.Process != "cascade" {
					t.Errorf("a supersession audited as %d/%q", e.ActorID, e.Process)
				}
			case "offer.decline", "offer.accept":
				if e.ActorID == 0 {
					t.Errorf("an answer audited without its person: %+v", e)
				}
			}
		}
		res, err := svc.Result(ctx, sr.Apps[3].ID)
		if err != nil || res.NationalRank != 4 || res.PostID != 0 || len(res.Reasons) != 2 {
			t.Errorf("applicant 3's result: %+v, %v", res, err)
		}
	})
}

// TestServiceConcurrentReviews sends twenty reviews of one application
// through the service at once, with a connection pool as large as their
// number: two are stored, and audited.
func TestServiceConcurrentReviews(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		t.Run("20 reviewers", func(t *testing.T) {
			sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 1, Places: []int{1}, Reviewers: 20, Until: testkit.UntilApplied})
			testkit.PoolSize(t, db, 24)
			testkit.WarmPool(t, db, 20)
			errs := make([]error, 20)
			testkit.Together(20, func(i int) { _, errs[i] = sr.Service.Review(ctx, as(sr.Reviewers[i]), sr.Apps[0].ID, 50+i) })
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else if c := apperr.Code(err); c != apperr.Forbidden && c != apperr.Conflict {
					t.Errorf("a review failed: %v", err)
				}
			}
			stored := testkit.Count(t, db, "SELECT COUNT(*) FROM reviews WHERE application_id = $1", sr.Apps[0].ID)
			if ok != 2 || stored != 2 || testkit.AuditCount(t, db, "application.review") != 2 {
				t.Errorf("%d succeeded, %d stored, %d audited; want 2", ok, stored, testkit.AuditCount(t, db, "application.review"))
			}
		})
	})
}

// TestServiceConcurrentMatchAndOffers: ten publishes at once give one
// match; fifty answers and expiries at once keep every post within its
// places, and the audit log agrees.
func TestServiceConcurrentMatchAndOffers(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 16, Places: []int{2, 2}, Reviewers: 2, Until: testkit.UntilRanked})
		testkit.PoolSize(t, db, 60)
		testkit.WarmPool(t, db, 10)
		errs := make([]error, 10)
		testkit.Together(10, func(i int) { _, errs[i] = sr.Service.PublishMatch(ctx, as(sr.School), sr.Round.ID) })
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if apperr.Code(err) != apperr.Conflict {
				t.Errorf("a publish failed: %v", err)
			}
		}
		if ok != 1 || testkit.AuditCount(t, db, "round.match") != 1 || testkit.Count(t, db, "SELECT COUNT(*) FROM offers") != 4 {
			t.Errorf("10 publishes: %d succeeded, %d audited, %d offers; want 1, 1, 4", ok, testkit.AuditCount(t, db, "round.match"),
				testkit.Count(t, db, "SELECT COUNT(*) FROM offers"))
		}
		// Fifty answers and expiries at once, past the first deadline.
		sr.Clock.Set(testkit.Day(47))
		offers, err := sr.Service.Offers(ctx, recruit.OfferFilter{RoundID: sr.Round.ID, Live: true})
		if err != nil {
			t.Fatal(err)
		}
		owner := map[int64]*auth.User{}
		for i, a := range sr.Apps {
			owner[a.ID] = sr.Applicants[i]
		}
		testkit.WarmPool(t, db, 50)
		answers := []recruit.Answer{recruit.AnswerDecline, recruit.AnswerAccept, recruit.AnswerDecline, recruit.AnswerHold}
		testkit.Together(50, func(i int) {
			if i%2 == 1 {
				_, err := sr.Service.ExpireOffers(ctx, sr.Round.ID)
				if err != nil {
					t.Errorf("expiry: %v", err)
				}
				return
			}
			o := offers[i/2%len(offers)]
			_, err := sr.Service.AnswerOffer(ctx, as(owner[o.ApplicationID]), o.ID, answers[i/2%len(answers)], true)
			if err != nil && apperr.Code(err) != apperr.Conflict {
				t.Errorf("an answer failed: %v", err)
			}
		})
		all, err := sr.Service.Offers(ctx, recruit.OfferFilter{RoundID: sr.Round.ID})
		if err != nil {
			t.Fatal(err)
		}
		live := map[int64]int{}
		status := map[string]int{}
		for _, o := range all {
			status[o.Status]++
			if o.Live() {
				live[o.PostID]++
			}
		}
		for _, p := range sr.Posts {
			if live[p.ID] > p.Places {
				t.Errorf("post %d holds %d live offers for %d places", p.ID, live[p.ID], p.Places)
			}
		}
		if status[recruit.OfferExpired] == 0 || testkit.AuditCount(t, db, "offer.expire") != status[recruit.OfferExpired] ||
			testkit.AuditCount(t, db, "offer.create") != len(all) || testkit.AuditCount(t, db, "offer.decline") != status[recruit.OfferDeclined] {
			t.Errorf("offers %v of %d; audited %d expiries, %d creations, %d declines", status, len(all), testkit.AuditCount(t, db, "offer.expire"),
				testkit.AuditCount(t, db, "offer.create"), testkit.AuditCount(t, db, "offer.decline"))
		}
	})
}

// TestServiceKeepsRolesApart: reviewers read what was submitted, not the
// profile as changed since; nobody reviews a round they applied in or
// applies in a round they review; a reviewer who recruits for a trust is
// named with it; and a round never moves back into a stage it has left.
func TestServiceKeepsRolesApart(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 1, Places: []int{1}, Reviewers: 2, Until: testkit.UntilApplied})
		svc, rid, app := sr.Service, sr.Round.ID, sr.Apps[0]
		p, err := svc.Profile(ctx, app.UserID)
		if err != nil {
			t.Fatal(err)
		}
		p.Qualifications = append(p.Qualifications, recruit.Qualification{Credential: "masters", Subject: "Added later"})
		p.Notes = "Alex, alex@example.com"
		if err := svc.SaveProfile(ctx, as(sr.Applicants[0]), p); err != nil {
			t.Fatal(err)
		}
		queue, err := svc.ReviewQueue(ctx, rid, sr.Reviewers[0].ID)
		if err != nil || len(queue) != 1 || len(queue[0].Qualifications) != 1 || queue[0].Notes != "" || queue[0].Qualifications[0].Year != 0 {
			t.Errorf("the reviewer sees %+v (%v); want the one qualification submitted, without its year", queue, err)
		}

		// The applicant cannot be appointed to review the round; a new
		// reviewer recruits for the staged trust and must be named with it.
		_, err = svc.AppointReviewer(ctx, as(sr.School), rid, sr.Applicants[0].Email, 0)
		wantCode(t, "appointing an applicant", err, apperr.Conflict, "has applied in this round")
		_, err = svc.AppointReviewer(ctx, as(sr.School), rid, sr.Employer.Email, 0)
		if apperr.Field(err) != "organisation_id" {
			t.Errorf("appointing a recruiter with no employer named: %v", err)
		}
		if _, err := svc.AppointReviewer(ctx, as(sr.School), rid, sr.Employer.Email, sr.Trust.ID); err != nil {
			t.Errorf("appointing a recruiter with their trust: %v", err)
		}

		// A reviewer may not apply in the round they review.
		if err := db.AddGrant(ctx, auth.System("test"), &auth.Grant{UserID: sr.Reviewers[0].ID, Role: auth.RoleApplicant}); err != nil {
			t.Fatal(err)
		}
		if err := svc.SaveProfile(ctx, as(sr.Reviewers[0]), &recruit.Profile{UserID: sr.Reviewers[0].ID, RightToWork: true,
			Qualifications: []recruit.Qualification{{Credential: "degree-21"}}}); err != nil {
			t.Fatal(err)
		}
		sr.Clock.Set(testkit.Day(5))
		err = svc.Apply(ctx, as(sr.Reviewers[0]), &recruit.Application{RoundID: rid, UserID: sr.Reviewers[0].ID, Specialism: "audiology", Statement: "s"})
		wantCode(t, "a reviewer applying", err, apperr.Forbidden, "You review applications in this round")
		err = svc.Apply(ctx, as(sr.Reviewers[0]), &recruit.Application{RoundID: rid, UserID: sr.Reviewers[0].ID, Specialism: "", Statement: "s"})
		if apperr.Field(err) != "specialism" || !strings.Contains(err.Error(), "Choose the specialism") {
			t.Errorf("applying with no specialism: %v", err)
		}

		// Shortlisting (day 11) cannot be put back into applications.
		sr.Clock.Set(testkit.Day(11))
		_, err = svc.ChangeTimetable(ctx, as(sr.School), rid, recruit.Timetable{ApplicationsOpen: testkit.Day(1), ShortlistingOpen: testkit.Day(15),
			InterviewsOpen: testkit.Day(20), PreferencesOpen: testkit.Day(30), OffersOpen: testkit.Day(40), StartDate: testkit.Day(200)})
		wantCode(t, "moving shortlisting back", err, apperr.Conflict, "back into applications")
		if _, err := svc.ChangeTimetable(ctx, as(sr.School), rid, recruit.Timetable{ApplicationsOpen: testkit.Day(1), ShortlistingOpen: testkit.Day(10),
			InterviewsOpen: testkit.Day(11), PreferencesOpen: testkit.Day(30), OffersOpen: testkit.Day(40), StartDate: testkit.Day(200)}); err != nil {
			t.Errorf("moving the round on to interviews: %v", err)
		}
		if n := testkit.AuditCount(t, db, "round.timetable"); n != 1 {
			t.Errorf("%d timetable changes audited, want 1", n)
		}
	})
}
