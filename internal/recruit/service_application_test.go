package recruit_test

import (
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// TestServiceProfilesAndApplying: a profile names a trust as the current
// employer or none; eligibility reads the profile; applying needs an open
// post in the specialism and happens once per round; each application's
// standing is listed for its applicant.
func TestServiceProfilesAndApplying(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 1, Places: []int{1, 1}, Reviewers: 2, Until: testkit.UntilApplied})
		svc, rid := sr.Service, sr.Round.ID
		sr.Clock.Set(testkit.Day(2)) // back in the applications window
		school := schoolOrganisation(t, db)
		newcomer := applicant(t, db, "Newcomer")

		// No profile yet: not eligible, and no error.
		if _, e, err := svc.Eligibility(ctx, newcomer.ID, rid); err != nil || e.Eligible || e.Reason == "" {
			t.Errorf("eligibility without a profile: %+v, %v", e, err)
		}
		profile := func(employer int64) *recruit.Profile {
			return &recruit.Profile{UserID: newcomer.ID, RightToWork: true, EmployerID: employer,
				Qualifications: []recruit.Qualification{{Credential: "degree-21"}}}
		}
		for _, employer := range []int64{school.ID, 987654} {
			err := svc.SaveProfile(ctx, as(newcomer), profile(employer))
			if apperr.Code(err) != apperr.Invalid || apperr.Field(err) != "employer_id" {
				t.Errorf("employer %d: %v, want invalid employer_id", employer, err)
			}
		}
		if _, e, _ := svc.Eligibility(ctx, newcomer.ID, rid); e.Eligible {
			t.Error("a refused profile was saved")
		}
		if err := svc.SaveProfile(ctx, as(newcomer), profile(sr.Trust.ID)); err != nil {
			t.Fatal(err)
		}
		if _, e, err := svc.Eligibility(ctx, newcomer.ID, rid); err != nil || !e.Eligible {
			t.Errorf("eligibility with a profile: %+v, %v", e, err)
		}
		if _, _, err := svc.Eligibility(ctx, newcomer.ID, 987654); apperr.Code(err) != apperr.NotFound {
			t.Errorf("eligibility for a round that does not exist: %v", err)
		}

		apply := func(specialism string) error {
			return svc.Apply(ctx, as(newcomer), &recruit.Application{RoundID: rid, UserID: newcomer.ID, Specialism: specialism, Statement: "why"})
		}
		err := apply("genomics")
		wantCode(t, "applying where the round has no post", err, apperr.Invalid, "no posts in")
		if err := apply("audiology"); err != nil {
			t.Fatal(err)
		}
		err = apply("audiology")
		wantCode(t, "applying twice", err, apperr.Conflict, "already applied in this round")

		statuses, err := svc.StatusesOf(ctx, newcomer.ID)
		if err != nil || len(statuses) != 1 || statuses[0].Application.Specialism != "audiology" || statuses[0].Round.ID != rid {
			t.Fatalf("StatusesOf = %+v, %v", statuses, err)
		}
		if none, err := svc.StatusesOf(ctx, sr.School.ID); err != nil || len(none) != 0 {
			t.Errorf("someone who never applied: %+v, %v", none, err)
		}

		// With every audiology post withdrawn, nobody else can apply to it.
		for _, p := range sr.Posts {
			if _, err := svc.WithdrawPost(ctx, as(sr.Employer), p.ID); err != nil {
				t.Fatal(err)
			}
		}
		late := applicant(t, db, "Late")
		if err := svc.SaveProfile(ctx, as(late), &recruit.Profile{UserID: late.ID, RightToWork: true, Qualifications: []recruit.Qualification{{Credential: "degree-21"}}}); err != nil {
			t.Fatal(err)
		}
		err = svc.Apply(ctx, as(late), &recruit.Application{RoundID: rid, UserID: late.ID, Specialism: "audiology", Statement: "why"})
		wantCode(t, "applying where every post was withdrawn", err, apperr.Invalid, "no posts in")
	})
}
