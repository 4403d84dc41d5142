package database

import (
	"database/sql"
	"fmt"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

const roundColumns = `id, programme, name, applications_open, shortlisting_open, interviews_open, preferences_open, offers_open, start_date,
	tie_break_seed, score_margin, shortlist_weight, interview_weight, offer_working_days, shortlist_criteria, shortlist_pass_mark, employer_ranking,
	test_rule, test_threshold, test_top, test_tie_break, test_published_at, interviews_per_place, reserves_per_place, shortlist_published_at,
	matched_at, created_at`

func scanRound(scan func(...any) error) (recruit.Round, error) {
	var r recruit.Round
	var matched, testPublished, shortlistPublished sql.NullTime
	var employerRanking, tieBreak int
	err := scan(&r.ID, &r.Programme, &r.Name, &r.ApplicationsOpen, &r.ShortlistingOpen, &r.InterviewsOpen, &r.PreferencesOpen, &r.OffersOpen, &r.StartDate,
		&r.TieBreakSeed, &r.ScoreMargin, &r.ShortlistWeight, &r.InterviewWeight, &r.OfferWorkingDays, &r.ShortlistCriteria, &r.ShortlistPassMark, &employerRanking,
		&r.Test.Rule, &r.Test.Threshold, &r.Test.Top, &tieBreak, &testPublished, &r.InterviewsPerPlace, &r.ReservesPerPlace, &shortlistPublished,
		&matched, &r.CreatedAt)
	r.Test.TieBreak = tieBreak == 1
	if matched.Valid {
		r.MatchedAt = &matched.Time
	}
	if testPublished.Valid {
		r.TestPublishedAt = &testPublished.Time
	}
	if shortlistPublished.Valid {
		r.ShortlistPublishedAt = &shortlistPublished.Time
	}
	r.EmployerRanking = employerRanking == 1
	return r, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (t *recruitTx) InsertRound(r *recruit.Round) error {
	id, err := t.tx.Insert(t.ctx, `INSERT INTO rounds (programme, name, applications_open, shortlisting_open, interviews_open, preferences_open, offers_open,
		start_date, tie_break_seed, score_margin, shortlist_weight, interview_weight, offer_working_days, shortlist_criteria, shortlist_pass_mark,
		employer_ranking, test_rule, test_threshold, test_top, test_tie_break, interviews_per_place, reserves_per_place, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
		r.Programme, r.Name, r.ApplicationsOpen.UTC(), r.ShortlistingOpen.UTC(), r.InterviewsOpen.UTC(), r.PreferencesOpen.UTC(), r.OffersOpen.UTC(),
		r.StartDate.UTC(), r.TieBreakSeed, r.ScoreMargin, r.ShortlistWeight, r.InterviewWeight, r.OfferWorkingDays, r.ShortlistCriteria, r.ShortlistPassMark,
		boolInt(r.EmployerRanking), r.Test.Rule, int(r.Test.Threshold), r.Test.Top, boolInt(r.Test.TieBreak), r.InterviewsPerPlace, r.ReservesPerPlace, t.tx.Now)
	if apperr.Code(err) == apperr.Conflict {
		return &apperr.Error{Code: apperr.Conflict, Field: "name", Message: fmt.Sprintf("A round called %q already exists", r.Name), Err: err}
	}
	if err != nil {
		return err
	}
	r.ID, r.CreatedAt = id, t.tx.Now
	return nil
}

func (t *recruitTx) round(id int64, lock string) (*recruit.Round, error) {
	r, err := scanRound(t.tx.QueryRow(t.ctx, "SELECT "+roundColumns+" FROM rounds WHERE id = $1"+lock, id).Scan)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no round %d", id)
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (t *recruitTx) Round(id int64) (*recruit.Round, error)     { return t.round(id, "") }
func (t *recruitTx) LockRound(id int64) (*recruit.Round, error) { return t.round(id, t.forUpdate()) }

func (t *recruitTx) Rounds() ([]recruit.Round, error) {
	return queryAll(t, scanRound, "SELECT "+roundColumns+" FROM rounds ORDER BY applications_open DESC, id")
}

func (t *recruitTx) UpdateTimetable(r *recruit.Round) error {
	_, err := t.tx.Exec(t.ctx, `UPDATE rounds SET applications_open = $1, shortlisting_open = $2, interviews_open = $3, preferences_open = $4,
		offers_open = $5, start_date = $6 WHERE id = $7`,
		r.ApplicationsOpen.UTC(), r.ShortlistingOpen.UTC(), r.InterviewsOpen.UTC(), r.PreferencesOpen.UTC(), r.OffersOpen.UTC(), r.StartDate.UTC(), r.ID)
	return err
}

// MarkMatched sets matched_at only where it is not set, so that of two
// transactions publishing one round, one alone succeeds.
func (t *recruitTx) MarkMatched(roundID int64) (bool, error) {
	res, err := t.tx.Exec(t.ctx, "UPDATE rounds SET matched_at = $1 WHERE id = $2 AND matched_at IS NULL", t.tx.Now, roundID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (t *recruitTx) SetTestRule(roundID int64, rule recruit.TestRule) error {
	_, err := t.tx.Exec(t.ctx, "UPDATE rounds SET test_rule = $1, test_threshold = $2, test_top = $3, test_tie_break = $4 WHERE id = $5",
		rule.Rule, int(rule.Threshold), rule.Top, boolInt(rule.TieBreak), roundID)
	return err
}

// MarkTestPublished sets test_published_at only where it is not set, so
// that of two transactions publishing the outcomes, one alone succeeds.
func (t *recruitTx) MarkTestPublished(roundID int64) (bool, error) {
	res, err := t.tx.Exec(t.ctx, "UPDATE rounds SET test_published_at = $1 WHERE id = $2 AND test_published_at IS NULL", t.tx.Now, roundID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (t *recruitTx) TestScores(roundID int64) ([]recruit.TestScore, error) {
	return queryAll(t, func(scan func(...any) error) (recruit.TestScore, error) {
		var s recruit.TestScore
		var taken string
		if err := scan(&s.ApplicationID, &s.Score, &taken, &s.ImportedAt); err != nil {
			return s, err
		}
		var err error
		s.TakenOn, err = time.Parse(time.DateOnly, taken)
		return s, err
	}, "SELECT application_id, score_hundredths, taken_on, imported_at FROM test_scores WHERE round_id = $1 ORDER BY application_id", roundID)
}

// SaveTestScore inserts a score, or replaces the application's score; the
// application must be in the round.
func (t *recruitTx) SaveTestScore(roundID int64, s recruit.TestScore) error {
	_, err := t.tx.Exec(t.ctx, `INSERT INTO test_scores (application_id, round_id, score_hundredths, taken_on, imported_at)
		SELECT id, round_id, $3, $4, $5 FROM applications WHERE id = $1 AND round_id = $2
		ON CONFLICT (application_id) DO UPDATE SET score_hundredths = excluded.score_hundredths, taken_on = excluded.taken_on, imported_at = excluded.imported_at`,
		s.ApplicationID, roundID, int(s.Score), s.TakenOn.Format(time.DateOnly), t.tx.Now)
	return err
}

// SaveTestOutcomes records a round's published test outcomes; an
// application has one, so a second publication fails with a conflict.
func (t *recruitTx) SaveTestOutcomes(roundID int64, outcomes []recruit.TestOutcome) error {
	for _, o := range outcomes {
		var score, cut any
		if o.Score != nil {
			score = int(*o.Score)
		}
		if o.Cut != nil {
			cut = int(*o.Cut)
		}
		if err := t.tx.ExecLater(t.ctx, `INSERT INTO test_outcomes (application_id, round_id, score_hundredths, cut_hundredths, goes_on, reason, published_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, o.ApplicationID, roundID, score, cut, boolInt(o.GoesOn), o.Reason, t.tx.Now); err != nil {
			return err
		}
	}
	return nil
}

func (t *recruitTx) TestOutcomes(roundID int64) ([]recruit.TestOutcome, error) {
	return queryAll(t, func(scan func(...any) error) (recruit.TestOutcome, error) {
		var o recruit.TestOutcome
		var score, cut sql.NullInt64
		var goesOn int
		if err := scan(&o.ApplicationID, &score, &cut, &goesOn, &o.Reason); err != nil {
			return o, err
		}
		if score.Valid {
			m := recruit.TestMark(score.Int64)
			o.Score = &m
		}
		if cut.Valid {
			m := recruit.TestMark(cut.Int64)
			o.Cut = &m
		}
		o.GoesOn = goesOn == 1
		return o, nil
	}, "SELECT application_id, score_hundredths, cut_hundredths, goes_on, reason FROM test_outcomes WHERE round_id = $1 ORDER BY application_id", roundID)
}

func (t *recruitTx) Stations(roundID int64) ([]recruit.Station, error) {
	return queryAll(t, func(scan func(...any) error) (recruit.Station, error) {
		var s recruit.Station
		return s, scan(&s.ID, &s.RoundID, &s.Name, &s.Weight)
	}, "SELECT id, round_id, name, weight FROM round_stations WHERE round_id = $1 ORDER BY id", roundID)
}

// ReplaceStations keeps stations whose names stay (and the scores given
// at them), updates their weights, and adds and removes the rest.
func (t *recruitTx) ReplaceStations(roundID int64, stations []recruit.Station) error {
	have, err := t.Stations(roundID)
	if err != nil {
		return err
	}
	for _, old := range have {
		keep := false
		for _, s := range stations {
			keep = keep || s.Name == old.Name
		}
		if !keep {
			if _, err := t.tx.Exec(t.ctx, "DELETE FROM round_stations WHERE id = $1", old.ID); err != nil {
				return err
			}
		}
	}
	for i := range stations {
		s := &stations[i]
		s.RoundID = roundID
		res, err := t.tx.Exec(t.ctx, "UPDATE round_stations SET weight = $1 WHERE round_id = $2 AND name = $3", s.Weight, roundID, s.Name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			continue
		}
		if s.ID, err = t.tx.Insert(t.ctx, "INSERT INTO round_stations (round_id, name, weight) VALUES ($1, $2, $3)", roundID, s.Name, s.Weight); err != nil {
			return err
		}
	}
	return nil
}
