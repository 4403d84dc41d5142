package database

import (
	"database/sql"
	"encoding/json"
	"fmt"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

func (t *recruitTx) Profile(userID int64) (*recruit.Profile, error) {
	p := &recruit.Profile{UserID: userID}
	var quals, regs string
	var right int
	var employer sql.NullInt64
	err := t.tx.QueryRow(t.ctx, "SELECT qualifications, registrations, notes, right_to_work, employer_id, updated_at FROM profiles WHERE user_id = $1", userID).
		Scan(&quals, &regs, &p.Notes, &right, &employer, &p.UpdatedAt)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no profile yet")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(quals), &p.Qualifications); err != nil {
		return nil, fmt.Errorf("profile %d qualifications: %w", userID, err)
	}
	if err := json.Unmarshal([]byte(regs), &p.Registrations); err != nil {
		return nil, fmt.Errorf("profile %d registrations: %w", userID, err)
	}
	if p.Qualifications == nil {
		p.Qualifications = []recruit.Qualification{}
	}
	if p.Registrations == nil {
		p.Registrations = []recruit.Registration{}
	}
	p.RightToWork, p.EmployerID = right == 1, employer.Int64
	return p, nil
}

func (t *recruitTx) SaveProfile(p *recruit.Profile) error {
	if p.Qualifications == nil {
		p.Qualifications = []recruit.Qualification{}
	}
	if p.Registrations == nil {
		p.Registrations = []recruit.Registration{}
	}
	quals, err := json.Marshal(p.Qualifications)
	if err != nil {
		return err
	}
	regs, err := json.Marshal(p.Registrations)
	if err != nil {
		return err
	}
	args := []any{string(quals), string(regs), p.Notes, boolInt(p.RightToWork), nullID(p.EmployerID), t.tx.Now, p.UserID}
	res, err := t.tx.Exec(t.ctx, `UPDATE profiles SET qualifications = $1, registrations = $2, notes = $3, right_to_work = $4, employer_id = $5, updated_at = $6
		WHERE user_id = $7`, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := t.tx.Exec(t.ctx, `INSERT INTO profiles (qualifications, registrations, notes, right_to_work, employer_id, updated_at, user_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, args...); err != nil {
			return err
		}
	}
	p.UpdatedAt = t.tx.Now
	return nil
}

const applicationColumns = "id, round_id, user_id, specialism, statement, created_at, shortlist_score, interview_score, national_rank, decided_by, submitted, withdrawn_at"

func scanApplication(scan func(...any) error) (recruit.Application, error) {
	var a recruit.Application
	var sl, iv, rank sql.NullInt64
	var submitted string
	var withdrawn sql.NullTime
	err := scan(&a.ID, &a.RoundID, &a.UserID, &a.Specialism, &a.Statement, &a.CreatedAt, &sl, &iv, &rank, &a.DecidedBy, &submitted, &withdrawn)
	if withdrawn.Valid {
		a.WithdrawnAt = &withdrawn.Time
	}
	if err == nil {
		if jerr := json.Unmarshal([]byte(submitted), &a.Submitted); jerr != nil {
			err = fmt.Errorf("application %d: submitted profile: %w", a.ID, jerr)
		}
	}
	if a.Submitted.Qualifications == nil {
		a.Submitted.Qualifications = []recruit.Qualification{}
	}
	if a.Submitted.Registrations == nil {
		a.Submitted.Registrations = []recruit.Registration{}
	}
	ptr := func(n sql.NullInt64) *int {
		if !n.Valid {
			return nil
		}
		v := int(n.Int64)
		return &v
	}
	a.ShortlistScore, a.InterviewScore, a.NationalRank = ptr(sl), ptr(iv), ptr(rank)
	a.Preferences = []int64{}
	return a, err
}

func (t *recruitTx) InsertApplication(a *recruit.Application) error {
	submitted, err := json.Marshal(a.Submitted)
	if err != nil {
		return err
	}
	id, err := t.tx.Insert(t.ctx, "INSERT INTO applications (round_id, user_id, specialism, statement, created_at, submitted) VALUES ($1, $2, $3, $4, $5, $6)",
		a.RoundID, a.UserID, a.Specialism, a.Statement, t.tx.Now, string(submitted))
	if err != nil {
		return err
	}
	a.ID, a.CreatedAt = id, t.tx.Now
	return nil
}

func (t *recruitTx) application(id int64, lock string) (*recruit.Application, error) {
	a, err := scanApplication(t.tx.QueryRow(t.ctx, "SELECT "+applicationColumns+" FROM applications WHERE id = $1"+lock, id).Scan)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no application %d", id)
	}
	if err != nil {
		return nil, err
	}
	apps := []recruit.Application{a}
	if err := t.withPreferences(apps, "application_id = $1", id); err != nil {
		return nil, err
	}
	return &apps[0], nil
}

func (t *recruitTx) Application(id int64) (*recruit.Application, error) { return t.application(id, "") }
func (t *recruitTx) LockApplication(id int64) (*recruit.Application, error) {
	return t.application(id, t.forUpdate())
}

func (t *recruitTx) Applications(roundID int64) ([]recruit.Application, error) {
	apps, err := queryAll(t, scanApplication, "SELECT "+applicationColumns+" FROM applications WHERE round_id = $1 ORDER BY id", roundID)
	if err != nil {
		return nil, err
	}
	return apps, t.withPreferences(apps, "application_id IN (SELECT id FROM applications WHERE round_id = $1)", roundID)
}

func (t *recruitTx) WithdrawApplication(id int64) error {
	_, err := t.tx.Exec(t.ctx, "UPDATE applications SET withdrawn_at = $2 WHERE id = $1 AND withdrawn_at IS NULL", id, t.tx.Now)
	return err
}

func (t *recruitTx) ApplicationsOf(userID int64) ([]recruit.Application, error) {
	apps, err := queryAll(t, scanApplication, "SELECT "+applicationColumns+" FROM applications WHERE user_id = $1 ORDER BY id", userID)
	if err != nil {
		return nil, err
	}
	return apps, t.withPreferences(apps, "application_id IN (SELECT id FROM applications WHERE user_id = $1)", userID)
}

// withPreferences fills in the applications' preferences, read with one
// query.
func (t *recruitTx) withPreferences(apps []recruit.Application, cond string, arg any) error {
	type pref struct{ app, post int64 }
	prefs, err := queryAll(t, func(scan func(...any) error) (pref, error) {
		var p pref
		return p, scan(&p.app, &p.post)
	}, "SELECT application_id, post_id FROM preferences WHERE "+cond+" ORDER BY application_id, rank", arg)
	if err != nil {
		return err
	}
	at := map[int64]int{}
	for i, a := range apps {
		at[a.ID] = i
	}
	for _, p := range prefs {
		if i, ok := at[p.app]; ok {
			apps[i].Preferences = append(apps[i].Preferences, p.post)
		}
	}
	return nil
}

func (t *recruitTx) SetRanks(roundID int64, ranks []recruit.Ranked) error {
	if _, err := t.tx.Exec(t.ctx, "UPDATE applications SET shortlist_score = NULL, interview_score = NULL, national_rank = NULL, decided_by = '' WHERE round_id = $1",
		roundID); err != nil {
		return err
	}
	for _, rk := range ranks {
		if _, err := t.tx.Exec(t.ctx, "UPDATE applications SET shortlist_score = $1, interview_score = $2, national_rank = $3, decided_by = $4 WHERE id = $5 AND round_id = $6",
			rk.ShortlistScore, rk.InterviewScore, rk.Rank, rk.DecidedBy, rk.ApplicationID, roundID); err != nil {
			return err
		}
	}
	return nil
}

func (t *recruitTx) ReplacePreferences(applicationID int64, posts []int64) error {
	if _, err := t.tx.Exec(t.ctx, "DELETE FROM preferences WHERE application_id = $1", applicationID); err != nil {
		return err
	}
	for i, id := range posts {
		if _, err := t.tx.Exec(t.ctx, "INSERT INTO preferences (application_id, post_id, rank) VALUES ($1, $2, $3)", applicationID, id, i+1); err != nil {
			return err
		}
	}
	return nil
}

func (t *recruitTx) ReplacePostRanking(postID int64, applications []int64) error {
	if _, err := t.tx.Exec(t.ctx, "DELETE FROM post_rankings WHERE post_id = $1", postID); err != nil {
		return err
	}
	for i, id := range applications {
		if _, err := t.tx.Exec(t.ctx, "INSERT INTO post_rankings (post_id, application_id, rank) VALUES ($1, $2, $3)", postID, id, i+1); err != nil {
			return err
		}
	}
	return nil
}

func (t *recruitTx) PostRankings(roundID int64) (map[int64][]int64, error) {
	type row struct{ post, app int64 }
	rows, err := queryAll(t, func(scan func(...any) error) (row, error) {
		var r row
		return r, scan(&r.post, &r.app)
	}, `SELECT pr.post_id, pr.application_id FROM post_rankings pr JOIN posts p ON p.id = pr.post_id WHERE p.round_id = $1 ORDER BY pr.post_id, pr.rank`, roundID)
	if err != nil {
		return nil, err
	}
	out := map[int64][]int64{}
	for _, r := range rows {
		out[r.post] = append(out[r.post], r.app)
	}
	return out, nil
}
