package testkit

import (
	"context"
	"testing"
	"time"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/idempotency"
	"hcs/internal/recruit"
)

// PopulateEveryTable fills a database with at least one row in every
// table hcs has today: a round taken to offers through the service, with
// an accepted place, and the accounts' records (a department, a session,
// a reset link, a sign-up waiting for its link, a sign-in counter). The
// two records the staged round does not make (a moderated score, an
// employer's own list) are written directly. A test that needs every
// table filled checks the catalogue after calling this, so a new table
// must be added here.
func PopulateEveryTable(tb testing.TB, db *database.DB) *StagedRound {
	tb.Helper()
	ctx := context.Background()
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	sr := StageRound(tb, db, StageOptions{Applicants: 3, Places: []int{1, 1}, Reviewers: 2, Until: UntilRanked,
		Names: []string{"Ada Byron", "Ben Okri", "Cat Stevens"}})
	_, err := sr.Service.PublishMatch(ctx, auth.Actor{UserID: sr.School.ID}, sr.Round.ID)
	must(err)
	live, err := sr.Service.Offers(ctx, recruit.OfferFilter{ApplicationID: sr.Apps[0].ID, Live: true})
	must(err)
	if len(live) > 0 {
		_, err = sr.Service.AnswerOffer(ctx, auth.Actor{UserID: sr.Applicants[0].ID}, live[0].ID, recruit.AnswerAccept, false)
		must(err)
	}
	system := auth.System("test set-up")
	must(db.CreateDepartment(ctx, system, &auth.Department{OrganisationID: sr.Trust.ID, Name: "Audiology", Specialism: "audiology"}))
	token, hash, err := auth.NewToken()
	must(err)
	_ = token
	must(db.CreateSession(ctx, system, sr.Applicants[1].ID, hash, time.Hour))
	_, hash, _ = auth.NewToken()
	must(db.CreatePasswordReset(ctx, system, sr.Applicants[1].ID, hash, time.Hour,
		auth.Message{Recipient: sr.Applicants[1].Email, Subject: "Reset your hcs password", Body: "a link"}))
	_, hash, _ = auth.NewToken()
	must(db.RequestSignUp(ctx, system, auth.SignUpRequest{Name: "Dee Waiting", Email: "dee.waiting@example.org", PasswordHash: "x",
		TokenHash: hash, Lifetime: time.Hour, MaxPerHour: 5, Confirm: auth.Message{Subject: "Finish creating your hcs account", Body: "a link"}}))
	must(db.ClaimAttempts(ctx, []auth.AttemptLimit{{Key: auth.AccountKey(sr.Applicants[2].Email), Max: 5}}, time.Minute))
	// An answer kept for a retried request.
	claim := idempotency.Claim{UserID: sr.Applicants[1].ID, Key: "populate-1"}
	_, _, err = db.ClaimKey(ctx, claim, "POST /api/v1/profile", time.Minute)
	must(err)
	must(db.SaveAnswer(ctx, claim, 200, "application/json", `{"ok":true}`))
	must(db.Write(ctx, func(tx *database.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO moderations (application_id, moderator_id, score, created_at) VALUES ($1, $2, $3, $4)",
			sr.Apps[2].ID, sr.School.ID, 60, tx.Now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO post_rankings (post_id, application_id, rank) VALUES ($1, $2, 1)", sr.Posts[0].ID, sr.Apps[1].ID)
		return err
	}))
	return sr
}
