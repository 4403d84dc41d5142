package database_test

import (
	"context"
	"testing"

	"hcs/internal/database"
	"hcs/internal/testkit"
)

// TestOfferChecksMigrationKeepsOffers: widening the offer statuses (a
// table rebuild on SQLite) keeps every offer, with its seat, and the
// training records that refer to them; the live-seat rule still holds and
// counts unconditional offers.
func TestOfferChecksMigrationKeepsOffers(t *testing.T) {
	testkit.EachEmptyDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		if _, err := db.MigrateTo(ctx, 19); err != nil {
			t.Fatal(err)
		}
		var offer, trainee int64
		err := db.Write(ctx, func(tx *database.Tx) error {
			var err error
			insert := func(q string, args ...any) int64 {
				if err != nil {
					return 0
				}
				var id int64
				id, err = tx.Insert(ctx, q, args...)
				return id
			}
			now := tx.Now
			org := insert("INSERT INTO organisations (kind, name, region, created_at) VALUES ('trust', 'T', 'London', $1)", now)
			dept := insert("INSERT INTO departments (organisation_id, name, created_at) VALUES ($1, 'D', $2)", org, now)
			user := insert("INSERT INTO users (email, name, created_at) VALUES ('a@example.org', 'A', $1)", now)
			round := insert(`INSERT INTO rounds (programme, name, applications_open, shortlisting_open, interviews_open, preferences_open, offers_open,
				start_date, tie_break_seed, score_margin, shortlist_weight, interview_weight, offer_working_days, created_at)
				VALUES ('stp', 'R', $1, $1, $1, $1, $1, $1, 's', 10, 1, 1, 5, $1)`, now)
			post := insert(`INSERT INTO posts (round_id, organisation_id, specialism, site, region, places, contact, created_at)
				VALUES ($1, $2, 'audiology', 'S', 'London', 2, 'c', $3)`, round, org, now)
			app := insert("INSERT INTO applications (round_id, user_id, specialism, statement, created_at) VALUES ($1, $2, 'audiology', 'x', $3)", round, user, now)
			insert(`INSERT INTO offers (round_id, application_id, post_id, seat, status, deadline, upgrades, created_at) VALUES ($1, $2, $3, 2, 'declined', $4, 0, $4)`,
				round, app, post, now)
			offer = insert(`INSERT INTO offers (round_id, application_id, post_id, seat, status, deadline, upgrades, created_at, answered_at)
				VALUES ($1, $2, $3, 2, 'accepted', $4, 1, $4, $4)`, round, app, post, now)
			trainee = insert(`INSERT INTO trainees (user_id, offer_id, programme, specialism, curriculum, organisation_id, department_id, training_officer_id,
				start_date, expected_end, status, created_at) VALUES ($1, $2, 'stp', 'audiology', 'stp-2023', $3, $4, $1, '2027-09-01', '2030-08-31', 'active', $5)`,
				user, offer, org, dept, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM offers"); n != 2 {
			t.Errorf("%d offers after migrating, want 2", n)
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM offers WHERE id = $1 AND status = 'accepted' AND seat = 2 AND upgrades = 1 AND reason = ''", offer); n != 1 {
			t.Errorf("the accepted offer did not keep its columns")
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM trainees t JOIN offers o ON o.id = t.offer_id WHERE t.id = $1", trainee); n != 1 {
			t.Errorf("the training record lost its offer")
		}
		if err := db.CheckIntegrity(ctx); err != nil {
			t.Errorf("integrity after migrating: %v", err)
		}
		// The live-seat rule counts the new status.
		err = db.Write(ctx, func(tx *database.Tx) error {
			if _, err := tx.Exec(ctx, "UPDATE offers SET status = 'unconditional' WHERE id = $1", offer); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO offers (round_id, application_id, post_id, seat, status, deadline, upgrades, created_at)
				SELECT round_id, application_id, post_id, seat, 'offered', deadline, 0, created_at FROM offers WHERE id = $1`, offer)
			return err
		})
		if err == nil {
			t.Errorf("a second live offer on an unconditional offer's seat was stored")
		}
		// Only a withdrawn offer carries a reason.
		err = db.Write(ctx, func(tx *database.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE offers SET reason = 'x' WHERE id = $1", offer)
			return err
		})
		if err == nil {
			t.Errorf("an unconditional offer was given a withdrawal reason")
		}
	})
}
