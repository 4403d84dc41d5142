package database

import (
	"database/sql"
	"fmt"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

// InsertAppointment appoints a reviewer: a row in reviewers and the
// reviewer role scoped to the round, in one transaction.
func (t *recruitTx) InsertAppointment(a *recruit.Appointment) error {
	if _, err := t.tx.Exec(t.ctx, "INSERT INTO reviewers (round_id, user_id, organisation_id, created_at) VALUES ($1, $2, $3, $4)",
		a.RoundID, a.UserID, nullID(a.OrganisationID), t.tx.Now); err != nil {
		return err
	}
	_, err := t.tx.Exec(t.ctx, "INSERT INTO grants (user_id, role, round_id, created_at) VALUES ($1, 'reviewer', $2, $3)", a.UserID, a.RoundID, t.tx.Now)
	return err
}

func (t *recruitTx) Appointments(roundID int64) ([]recruit.Appointment, error) {
	return queryAll(t, func(scan func(...any) error) (recruit.Appointment, error) {
		var a recruit.Appointment
		var org sql.NullInt64
		var orgName sql.NullString
		err := scan(&a.RoundID, &a.UserID, &a.Name, &org, &orgName, &a.Assigned, &a.Reviewed)
		a.OrganisationID, a.Organisation = org.Int64, orgName.String
		return a, err
	}, `SELECT r.round_id, r.user_id, u.name, r.organisation_id, o.name,
			(SELECT COUNT(*) FROM review_assignments ra JOIN applications a ON a.id = ra.application_id WHERE a.round_id = r.round_id AND ra.reviewer_id = r.user_id),
			(SELECT COUNT(*) FROM reviews rv JOIN applications a ON a.id = rv.application_id WHERE a.round_id = r.round_id AND rv.reviewer_id = r.user_id)
		FROM reviewers r JOIN users u ON u.id = r.user_id LEFT JOIN organisations o ON o.id = r.organisation_id
		WHERE r.round_id = $1 ORDER BY u.name, r.user_id`, roundID)
}

// scope turns a Query into conditions on a table with application_id and
// a person column.
func scope(q recruit.Query, person string) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v int64) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if q.RoundID != 0 {
		add("application_id IN (SELECT id FROM applications WHERE round_id = $%d)", q.RoundID)
	}
	if q.ApplicationID != 0 {
		add("application_id = $%d", q.ApplicationID)
	}
	if q.UserID != 0 {
		add(person+" = $%d", q.UserID)
	}
	if len(conds) == 0 {
		conds = append(conds, "1 = 0") // a query must narrow
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func (t *recruitTx) InsertAssignment(as recruit.Assignment) error {
	_, err := t.tx.Exec(t.ctx, "INSERT INTO review_assignments (application_id, reviewer_id, slot, created_at) VALUES ($1, $2, $3, $4)",
		as.ApplicationID, as.ReviewerID, as.Slot, t.tx.Now)
	return err
}

func (t *recruitTx) Assignments(q recruit.Query) ([]recruit.Assignment, error) {
	cond, args := scope(q, "reviewer_id")
	return queryAll(t, func(scan func(...any) error) (recruit.Assignment, error) {
		var a recruit.Assignment
		return a, scan(&a.ApplicationID, &a.ReviewerID, &a.Slot)
	}, "SELECT application_id, reviewer_id, slot FROM review_assignments"+cond+" ORDER BY application_id, slot", args...)
}

// InsertReview fills an assignment's slot. The schema refuses a review
// without its assignment, a second review in a slot, and a second review
// by one reviewer.
func (t *recruitTx) InsertReview(r recruit.Review) error {
	_, err := t.tx.Insert(t.ctx, "INSERT INTO reviews (application_id, reviewer_id, slot, score, created_at) VALUES ($1, $2, $3, $4, $5)",
		r.ApplicationID, r.ReviewerID, r.Slot, r.Score, t.tx.Now)
	if apperr.Code(err) == apperr.Invalid {
		return apperr.Errorf(apperr.Conflict, "that review fills no assignment")
	}
	return err
}

func (t *recruitTx) Reviews(q recruit.Query) ([]recruit.Review, error) {
	cond, args := scope(q, "reviewer_id")
	return queryAll(t, func(scan func(...any) error) (recruit.Review, error) {
		var r recruit.Review
		return r, scan(&r.ApplicationID, &r.ReviewerID, &r.Slot, &r.Score, &r.CreatedAt)
	}, "SELECT application_id, reviewer_id, slot, score, created_at FROM reviews"+cond+" ORDER BY application_id, slot", args...)
}

func (t *recruitTx) InsertModeration(m recruit.Moderation) error {
	_, err := t.tx.Exec(t.ctx, "INSERT INTO moderations (application_id, moderator_id, score, created_at) VALUES ($1, $2, $3, $4)",
		m.ApplicationID, m.ModeratorID, m.Score, t.tx.Now)
	return err
}

func (t *recruitTx) Moderations(q recruit.Query) ([]recruit.Moderation, error) {
	cond, args := scope(q, "moderator_id")
	return queryAll(t, func(scan func(...any) error) (recruit.Moderation, error) {
		var m recruit.Moderation
		return m, scan(&m.ApplicationID, &m.ModeratorID, &m.Score, &m.CreatedAt)
	}, "SELECT application_id, moderator_id, score, created_at FROM moderations"+cond+" ORDER BY application_id", args...)
}

// InsertInterviewScore records a station's score. The schema refuses a
// second score for a station or from one assessor, and a station of
// another round cannot be named.
func (t *recruitTx) InsertInterviewScore(s recruit.InterviewScore) error {
	_, err := t.tx.Insert(t.ctx, "INSERT INTO interview_scores (application_id, station_id, score, assessor_id, created_at) VALUES ($1, $2, $3, $4, $5)",
		s.ApplicationID, s.StationID, s.Score, s.AssessorID, t.tx.Now)
	return err
}

func (t *recruitTx) InterviewScores(q recruit.Query) ([]recruit.InterviewScore, error) {
	cond, args := scope(q, "assessor_id")
	return queryAll(t, func(scan func(...any) error) (recruit.InterviewScore, error) {
		var s recruit.InterviewScore
		return s, scan(&s.ApplicationID, &s.StationID, &s.AssessorID, &s.Score, &s.CreatedAt)
	}, "SELECT application_id, station_id, assessor_id, score, created_at FROM interview_scores"+cond+" ORDER BY application_id, station_id", args...)
}
