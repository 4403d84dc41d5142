package database

import (
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/train"
)

const evidenceColumns = `id, trainee_id, kind, module, competencies, title, occurred_on, body, status, shared, assessor_name, assessor_email,
	judgement, feedback, assessed_at, submitted_at, created_at, updated_at FROM evidence`

func scanEvidence(scan func(...any) error) (train.Evidence, error) {
	var e train.Evidence
	var comps string
	var shared int
	var assessed, submitted sql.NullTime
	err := scan(&e.ID, &e.TraineeID, &e.Kind, &e.Module, &comps, &e.Title, &e.OccurredOn, &e.Body, &e.Status, &shared, &e.AssessorName,
		&e.AssessorEmail, &e.Judgement, &e.Feedback, &assessed, &submitted, &e.CreatedAt, &e.UpdatedAt)
	if err != nil {
		return e, err
	}
	e.Shared = shared == 1
	if assessed.Valid {
		e.AssessedAt = &assessed.Time
	}
	if submitted.Valid {
		e.SubmittedAt = &submitted.Time
	}
	if err := json.Unmarshal([]byte(comps), &e.Competencies); err != nil {
		return e, fmt.Errorf("evidence %d: competencies: %w", e.ID, err)
	}
	return e, nil
}

func competenciesJSON(codes []string) string {
	if codes == nil {
		codes = []string{}
	}
	b, _ := json.Marshal(codes)
	return string(b)
}

func (t *trainTx) InsertEvidence(e *train.Evidence) error {
	id, err := t.tx.Insert(t.ctx, `INSERT INTO evidence (trainee_id, kind, module, competencies, title, occurred_on, body, status, shared,
		assessor_name, assessor_email, judgement, feedback, assessed_at, submitted_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)`,
		e.TraineeID, e.Kind, e.Module, competenciesJSON(e.Competencies), e.Title, e.OccurredOn, e.Body, e.Status, boolInt(e.Shared),
		e.AssessorName, e.AssessorEmail, e.Judgement, e.Feedback, nullable(e.AssessedAt), nullable(e.SubmittedAt), t.tx.Now)
	if err != nil {
		return err
	}
	e.ID, e.CreatedAt, e.UpdatedAt = id, t.tx.Now, t.tx.Now
	return nil
}

// AddToTally adds the counts to a trainee's module's tally; the schema
// refuses a count below zero. (An upsert would not do: the row it would
// insert, with a negative count, fails the check before the conflict is
// found.) Callers hold the trainee's row, so no other transaction makes
// the first row of a module at the same time.
func (t *trainTx) AddToTally(traineeID int64, module string, d train.ModuleTally) error {
	res, err := t.tx.Exec(t.ctx, `UPDATE evidence_tallies SET visible = visible + $3, counting = counting + $4, cbd = cbd + $5, dops = dops + $6, oce = oce + $7
		WHERE trainee_id = $1 AND module = $2`, traineeID, module, d.Visible, d.Counting, d.Have.CBD, d.Have.DOPS, d.Have.OCE)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	_, err = t.tx.Exec(t.ctx, "INSERT INTO evidence_tallies (trainee_id, module, visible, counting, cbd, dops, oce) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		traineeID, module, d.Visible, d.Counting, d.Have.CBD, d.Have.DOPS, d.Have.OCE)
	return err
}

func (t *trainTx) UpdateEvidence(e *train.Evidence) error {
	_, err := t.tx.Exec(t.ctx, `UPDATE evidence SET kind = $1, module = $2, competencies = $3, title = $4, occurred_on = $5, body = $6, status = $7,
		shared = $8, assessor_name = $9, assessor_email = $10, judgement = $11, feedback = $12, assessed_at = $13, submitted_at = $14, updated_at = $15
		WHERE id = $16`, e.Kind, e.Module, competenciesJSON(e.Competencies), e.Title, e.OccurredOn, e.Body, e.Status, boolInt(e.Shared),
		e.AssessorName, e.AssessorEmail, e.Judgement, e.Feedback, nullable(e.AssessedAt), nullable(e.SubmittedAt), t.tx.Now, e.ID)
	e.UpdatedAt = t.tx.Now
	return err
}

func (t *trainTx) Evidence(id int64) (*train.Evidence, error) {
	e, err := scanEvidence(t.tx.QueryRow(t.ctx, "SELECT "+evidenceColumns+" WHERE id = $1", id).Scan)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no evidence %d", id)
	}
	if err != nil {
		return nil, err
	}
	return &e, nil
}

func (t *trainTx) EvidenceOf(traineeID int64) ([]train.Evidence, error) {
	return queryAll(t, scanEvidence, "SELECT "+evidenceColumns+" WHERE trainee_id = $1 ORDER BY occurred_on DESC, id DESC", traineeID)
}

// Tallies reads trainees' tallies by module and the oldest assessment
// waiting for its assessor.
func (t *trainTx) Tallies(traineeIDs []int64) (map[int64]*train.Tally, error) {
	out := map[int64]*train.Tally{}
	if len(traineeIDs) == 0 {
		return out, nil
	}
	tally := func(id int64) *train.Tally {
		tl := out[id]
		if tl == nil {
			tl = &train.Tally{Modules: map[string]*train.ModuleTally{}}
			out[id] = tl
		}
		return tl
	}
	marks, args := t.idSet(traineeIDs)
	rows, err := t.tx.Query(t.ctx, `SELECT trainee_id, module, visible, counting, cbd, dops, oce FROM evidence_tallies WHERE trainee_id IN (`+marks+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var module string
		var mt train.ModuleTally
		if err := rows.Scan(&id, &module, &mt.Visible, &mt.Counting, &mt.Have.CBD, &mt.Have.DOPS, &mt.Have.OCE); err != nil {
			return nil, mapError(err)
		}
		tally(id).Modules[module] = &mt
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	waiting, err := t.tx.Query(t.ctx, `SELECT trainee_id, MIN(submitted_at) FROM evidence
		WHERE status = 'awaiting-assessor' AND trainee_id IN (`+marks+`) GROUP BY trainee_id`, args...)
	if err != nil {
		return nil, err
	}
	defer waiting.Close()
	for waiting.Next() {
		var e train.Evidence
		var first any
		if err := waiting.Scan(&e.TraineeID, &first); err != nil {
			return nil, mapError(err)
		}
		at, err := aggregateTime(first)
		if err != nil {
			return nil, err
		}
		if !at.IsZero() {
			tally(e.TraineeID).OldestAwaiting = &at
		}
	}
	return out, mapError(waiting.Err())
}

// aggregateTime reads a MIN or MAX of a timestamp column: PostgreSQL
// gives a time; SQLite, whose aggregates lose the column's type, gives
// the text the driver stored. NULL is the zero time.
func aggregateTime(v any) (time.Time, error) {
	switch v := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return v, nil
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("a time the database gave cannot be read: %q", v)
	}
	return time.Time{}, fmt.Errorf("a time the database gave is a %T", v)
}

const signOffColumns = "id, trainee_id, module, competency, status, signed_by, signed_at, reopened_by, reopened_at, reopen_reason, imported_from FROM sign_offs"

func scanSignOff(scan func(...any) error) (train.SignOff, error) {
	var s train.SignOff
	var by sql.NullInt64
	var at sql.NullTime
	err := scan(&s.ID, &s.TraineeID, &s.Module, &s.Competency, &s.Status, &s.SignedBy, &s.SignedAt, &by, &at, &s.ReopenReason, &s.ImportedFrom)
	s.ReopenedBy = by.Int64
	if at.Valid {
		s.ReopenedAt = &at.Time
	}
	return s, err
}

// InsertSignOff records an item's first sign-off. The schema refuses a
// second row for one item: signing again after a reopening updates it.
func (t *trainTx) InsertSignOff(s *train.SignOff) error {
	id, err := t.tx.Insert(t.ctx, `INSERT INTO sign_offs (trainee_id, module, competency, status, signed_by, signed_at, reopened_by, reopened_at, reopen_reason,
		imported_from) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, s.TraineeID, s.Module, s.Competency, s.Status, s.SignedBy, s.SignedAt.UTC(),
		zeroNull(s.ReopenedBy), nullable(s.ReopenedAt), s.ReopenReason, s.ImportedFrom)
	if apperr.Code(err) == apperr.Conflict {
		return &apperr.Error{Code: apperr.Conflict, Message: fmt.Sprintf("%s is already signed off", s.Item()), Err: err}
	}
	s.ID = id
	return err
}

func (t *trainTx) UpdateSignOff(s *train.SignOff) error {
	_, err := t.tx.Exec(t.ctx, `UPDATE sign_offs SET status = $1, signed_by = $2, signed_at = $3, reopened_by = $4, reopened_at = $5, reopen_reason = $6,
		imported_from = $7 WHERE id = $8`, s.Status, s.SignedBy, s.SignedAt.UTC(), zeroNull(s.ReopenedBy), nullable(s.ReopenedAt), s.ReopenReason, s.ImportedFrom, s.ID)
	return err
}

func (t *trainTx) SignOffs(traineeIDs []int64) ([]train.SignOff, error) {
	if len(traineeIDs) == 0 {
		return []train.SignOff{}, nil
	}
	marks, args := t.idSet(traineeIDs)
	return queryAll(t, scanSignOff, "SELECT "+signOffColumns+" WHERE trainee_id IN ("+marks+") ORDER BY trainee_id, module, competency", args...)
}

func (t *trainTx) InsertReview(r *train.ReviewRecord) error {
	id, err := t.tx.Insert(t.ctx, `INSERT INTO training_reviews (trainee_id, review, month, held_on, met, missing, outcome, panel, notes, recorded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, r.TraineeID, r.Review, r.Month, r.HeldOn, boolInt(r.Met),
		strings.Join(r.Missing, "\n"), r.Outcome, r.Panel, r.Notes, zeroNull(r.RecordedBy), t.tx.Now)
	if apperr.Code(err) == apperr.Conflict {
		return &apperr.Error{Code: apperr.Conflict, Message: fmt.Sprintf("review %s of month %d is already recorded", r.Review, r.Month), Err: err}
	}
	r.ID, r.CreatedAt = id, t.tx.Now
	return err
}

func (t *trainTx) Reviews(traineeIDs []int64) ([]train.ReviewRecord, error) {
	if len(traineeIDs) == 0 {
		return []train.ReviewRecord{}, nil
	}
	marks, args := t.idSet(traineeIDs)
	return queryAll(t, func(scan func(...any) error) (train.ReviewRecord, error) {
		var r train.ReviewRecord
		var met int
		var missing string
		var by sql.NullInt64
		err := scan(&r.ID, &r.TraineeID, &r.Review, &r.Month, &r.HeldOn, &met, &missing, &r.Outcome, &r.Panel, &r.Notes, &by, &r.CreatedAt)
		r.Met, r.RecordedBy = met == 1, by.Int64
		if missing != "" {
			r.Missing = strings.Split(missing, "\n")
		}
		return r, err
	}, `SELECT id, trainee_id, review, month, held_on, met, missing, outcome, panel, notes, recorded_by, created_at
		FROM training_reviews WHERE trainee_id IN (`+marks+`) ORDER BY trainee_id, month, id`, args...)
}

func (t *trainTx) InsertRecord(r *train.Record) error {
	_, err := t.tx.Exec(t.ctx, "INSERT INTO training_records (trainee_id, name, recorded_on, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5)",
		r.TraineeID, r.Name, r.RecordedOn, zeroNull(r.RecordedBy), t.tx.Now)
	if apperr.Code(err) == apperr.Conflict {
		return &apperr.Error{Code: apperr.Conflict, Message: fmt.Sprintf("%q is already on the record", r.Name), Err: err}
	}
	r.CreatedAt = t.tx.Now
	return err
}

func (t *trainTx) Records(traineeIDs []int64) ([]train.Record, error) {
	if len(traineeIDs) == 0 {
		return []train.Record{}, nil
	}
	marks, args := t.idSet(traineeIDs)
	return queryAll(t, func(scan func(...any) error) (train.Record, error) {
		var r train.Record
		var by sql.NullInt64
		err := scan(&r.TraineeID, &r.Name, &r.RecordedOn, &by, &r.CreatedAt)
		r.RecordedBy = by.Int64
		return r, err
	}, "SELECT trainee_id, name, recorded_on, recorded_by, created_at FROM training_records WHERE trainee_id IN ("+marks+") ORDER BY trainee_id, recorded_on, name", args...)
}

const invitationColumns = "id, evidence_id, trainee_id, email, name, token_hash, status, expires_at, approved_by, used_at, created_at FROM assessor_invitations"

func scanInvitation(scan func(...any) error) (train.Invitation, error) {
	var i train.Invitation
	var by sql.NullInt64
	var used sql.NullTime
	var hash sql.NullString
	err := scan(&i.ID, &i.EvidenceID, &i.TraineeID, &i.Email, &i.Name, &hash, &i.Status, &i.ExpiresAt, &by, &used, &i.CreatedAt)
	i.ApprovedBy = by.Int64
	if hash.Valid {
		i.TokenHash, _ = hex.DecodeString(hash.String)
	}
	if used.Valid {
		i.UsedAt = &used.Time
	}
	return i, err
}

// tokenHash is a token's hash as the schema keeps it: hex, like the
// other token hashes.
func tokenHash(h []byte) any {
	if len(h) == 0 {
		return nil
	}
	return hex.EncodeToString(h)
}

// InsertInvitation saves an invitation. The schema refuses a second live
// invitation for one assessment, and a token hash used before.
func (t *trainTx) InsertInvitation(i *train.Invitation) error {
	id, err := t.tx.Insert(t.ctx, `INSERT INTO assessor_invitations (evidence_id, trainee_id, email, name, token_hash, status, expires_at, approved_by, used_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, i.EvidenceID, i.TraineeID, i.Email, i.Name, tokenHash(i.TokenHash), i.Status,
		i.ExpiresAt.UTC(), zeroNull(i.ApprovedBy), nullable(i.UsedAt), t.tx.Now)
	if apperr.Code(err) == apperr.Conflict {
		return &apperr.Error{Code: apperr.Conflict, Message: "this assessment already has an invitation waiting", Err: err}
	}
	i.ID, i.CreatedAt = id, t.tx.Now
	return err
}

func (t *trainTx) UpdateInvitation(i *train.Invitation) error {
	_, err := t.tx.Exec(t.ctx, `UPDATE assessor_invitations SET token_hash = $1, status = $2, expires_at = $3, approved_by = $4, used_at = $5 WHERE id = $6`,
		tokenHash(i.TokenHash), i.Status, i.ExpiresAt.UTC(), zeroNull(i.ApprovedBy), nullable(i.UsedAt), i.ID)
	return err
}

func (t *trainTx) Invitation(id int64) (*train.Invitation, error) {
	i, err := scanInvitation(t.tx.QueryRow(t.ctx, "SELECT "+invitationColumns+" WHERE id = $1"+t.forUpdate(), id).Scan)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no invitation %d", id)
	}
	if err != nil {
		return nil, err
	}
	return &i, nil
}

func (t *trainTx) InvitationByToken(hash []byte) (*train.Invitation, error) {
	i, err := scanInvitation(t.tx.QueryRow(t.ctx, "SELECT "+invitationColumns+" WHERE token_hash = $1"+t.forUpdate(), tokenHash(hash)).Scan)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "This link is not one hcs sent, or it was replaced by a newer one.")
	}
	if err != nil {
		return nil, err
	}
	return &i, nil
}

func (t *trainTx) Invitations(traineeIDs []int64) ([]train.Invitation, error) {
	if len(traineeIDs) == 0 {
		return []train.Invitation{}, nil
	}
	marks, args := t.idSet(traineeIDs)
	return queryAll(t, scanInvitation, "SELECT "+invitationColumns+" WHERE trainee_id IN ("+marks+") ORDER BY created_at, id", args...)
}

func (t *trainTx) ApprovedAssessor(departmentID int64, email string) (bool, error) {
	var n int
	err := t.tx.QueryRow(t.ctx, "SELECT COUNT(*) FROM approved_assessors WHERE department_id = $1 AND email = $2", departmentID, email).Scan(&n)
	return n > 0, err
}

func (t *trainTx) ApproveAssessor(departmentID int64, email string, by int64) error {
	ok, err := t.ApprovedAssessor(departmentID, email)
	if err != nil || ok {
		return err
	}
	_, err = t.tx.Exec(t.ctx, "INSERT INTO approved_assessors (department_id, email, approved_by, approved_at) VALUES ($1, $2, $3, $4)",
		departmentID, email, zeroNull(by), t.tx.Now)
	return err
}
