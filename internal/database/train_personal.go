package database

import "hcs/internal/privacy"

// theirTraining selects a person's training records, for the tables that
// hang off them.
const theirTraining = "trainee_id IN (SELECT id FROM trainees WHERE user_id = $1)"

// traineeColumnsAs classifies the trainees table, with the column that
// names the person themselves kept and the other person's marked.
func traineeColumnsAs(self string) []privacy.Column {
	cols := []privacy.Column{{Name: "id"}, {Name: "user_id"}, {Name: "offer_id"}, {Name: "programme"}, {Name: "specialism"}, {Name: "curriculum"},
		{Name: "organisation_id"}, {Name: "department_id"}, {Name: "training_officer_id"}, {Name: "start_date"}, {Name: "expected_end"},
		{Name: "status"}, {Name: "confirmed_at"}, {Name: "completed_at"}, {Name: "created_at"}, {Name: "imported_from"}}
	for i := range cols {
		if (cols[i].Name == "user_id" || cols[i].Name == "training_officer_id") && cols[i].Name != self {
			cols[i].Treat = privacy.Other
		}
	}
	return cols
}

// trainingPersonal registers the personal data training holds. Erasure
// keeps the shape of a training record (programme, dates, sign-offs,
// review outcomes) against the pseudonymous account, for the workforce's
// pipeline figures, and removes what the trainee wrote, what others wrote
// about them and the links sent to their assessors.
var trainingPersonal = privacy.Register{
	Personal: []privacy.Table{
		{Name: "trainees", As: "trainee", About: "user_id = $1", Describe: "Your training records: programme, employer, department, dates and status",
			AuditType: "trainee", Erase: privacy.Keep, Columns: traineeColumnsAs("user_id")},
		{Name: "trainees", As: "training officer", About: "training_officer_id = $1", Describe: "Trainees you are training officer of",
			Erase: privacy.Keep, Columns: traineeColumnsAs("training_officer_id")},
		{Name: "trainee_supervisors", As: "trainee", About: theirTraining, Describe: "Who supervises your training", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "trainee_id"}, {Name: "user_id", Treat: privacy.Other}}},
		{Name: "trainee_supervisors", As: "supervisor", About: "user_id = $1", Describe: "Trainees you supervise", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "trainee_id"}, {Name: "user_id"}}},
		{Name: "training_changes", As: "trainee", About: theirTraining, Describe: "Time out of training, part-time working and transfers",
			Erase: privacy.Scrub, Columns: []privacy.Column{{Name: "id"}, {Name: "trainee_id"}, {Name: "kind"}, {Name: "from_date"}, {Name: "to_date"},
				{Name: "percent"}, {Name: "to_department_id"}, {Name: "reason", Treat: privacy.Content}, {Name: "recorded_by", Treat: privacy.Other},
				{Name: "created_at"}}},
		{Name: "evidence", As: "trainee", About: theirTraining, Describe: "Your e-portfolio: assessments, reflections, rotations and feedback",
			Erase: privacy.Scrub, Columns: []privacy.Column{{Name: "id"}, {Name: "trainee_id"}, {Name: "kind"}, {Name: "module"}, {Name: "competencies"},
				{Name: "title", Treat: privacy.Content}, {Name: "occurred_on"}, {Name: "body", Treat: privacy.Content}, {Name: "status"}, {Name: "shared"},
				{Name: "assessor_name", Treat: privacy.Other}, {Name: "assessor_email", Treat: privacy.Other}, {Name: "judgement"},
				{Name: "feedback", Treat: privacy.Content}, {Name: "assessed_at"}, {Name: "submitted_at"}, {Name: "created_at"}, {Name: "updated_at"}}},
		{Name: "evidence_files", As: "trainee", About: theirTraining, Describe: "Files attached to your e-portfolio's entries",
			Erase: privacy.Delete, Columns: []privacy.Column{{Name: "id"}, {Name: "evidence_id"}, {Name: "trainee_id"},
				{Name: "name", Treat: privacy.Content}, {Name: "media_type"}, {Name: "size"}, {Name: "sha256"},
				{Name: "content", Treat: privacy.Content}, {Name: "created_at"}}},
		{Name: "evidence_tallies", As: "trainee", About: theirTraining, Describe: "Your e-portfolio's entries counted by module",
			Erase: privacy.Keep, Columns: []privacy.Column{{Name: "trainee_id"}, {Name: "module"}, {Name: "visible"}, {Name: "counting"},
				{Name: "cbd"}, {Name: "dops"}, {Name: "oce"}}},
		{Name: "assessor_invitations", As: "trainee", About: theirTraining, Describe: "Links sent to your assessors", Erase: privacy.Delete,
			Columns: []privacy.Column{{Name: "id"}, {Name: "evidence_id"}, {Name: "trainee_id"}, {Name: "email", Treat: privacy.Other},
				{Name: "name", Treat: privacy.Other}, {Name: "token_hash", Treat: privacy.Secret}, {Name: "status"}, {Name: "expires_at"},
				{Name: "approved_by", Treat: privacy.Other}, {Name: "used_at"}, {Name: "created_at"}}},
		{Name: "sign_offs", As: "trainee", About: theirTraining, Describe: "Your competencies and modules signed off, and reopened with the reason",
			Erase: privacy.Scrub, Columns: []privacy.Column{{Name: "id"}, {Name: "trainee_id"}, {Name: "module"}, {Name: "competency"}, {Name: "status"},
				{Name: "signed_by", Treat: privacy.Other}, {Name: "signed_at"}, {Name: "reopened_by", Treat: privacy.Other}, {Name: "reopened_at"},
				{Name: "reopen_reason", Treat: privacy.Content}, {Name: "imported_from", Treat: privacy.Other}}},
		{Name: "sign_offs", As: "supervisor", About: "signed_by = $1 OR reopened_by = $1", Describe: "Sign-offs you made or reopened", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "id"}, {Name: "trainee_id"}, {Name: "module"}, {Name: "competency"}, {Name: "status"},
				{Name: "signed_by"}, {Name: "signed_at"}, {Name: "reopened_by"}, {Name: "reopened_at"}, {Name: "reopen_reason", Treat: privacy.Other},
				{Name: "imported_from", Treat: privacy.Other}}},
		{Name: "training_reviews", As: "trainee", About: theirTraining, Describe: "Your progress reviews: when, the panel, what it found",
			Erase: privacy.Scrub, Columns: []privacy.Column{{Name: "id"}, {Name: "trainee_id"}, {Name: "review"}, {Name: "month"}, {Name: "held_on"},
				{Name: "met"}, {Name: "missing"}, {Name: "outcome"}, {Name: "panel", Treat: privacy.Other}, {Name: "notes", Treat: privacy.Content},
				{Name: "recorded_by", Treat: privacy.Other}, {Name: "created_at"}}},
		{Name: "training_records", As: "trainee", About: theirTraining, Describe: "Assessments passed and degrees awarded, as the national school recorded them",
			Erase: privacy.Keep, Columns: []privacy.Column{{Name: "trainee_id"}, {Name: "name"}, {Name: "recorded_on"},
				{Name: "recorded_by", Treat: privacy.Other}, {Name: "created_at"}}},
		{Name: "certificates", As: "trainee", About: theirTraining, Describe: "Your completion certificates, as issued, and any revoked with the reason",
			Erase: privacy.Scrub, Columns: []privacy.Column{{Name: "id"}, {Name: "trainee_id"}, {Name: "award"}, {Name: "status_list"}, {Name: "status_index"},
				{Name: "credential", Treat: privacy.Content}, {Name: "issued_at"}, {Name: "issued_by", Treat: privacy.Other}, {Name: "revoked_at"},
				{Name: "revoked_by", Treat: privacy.Other}, {Name: "revoked_reason", Treat: privacy.Content}}},
		{Name: "certificates", As: "national school", About: "issued_by = $1 OR revoked_by = $1", Describe: "Certificates you issued or revoked",
			Erase: privacy.Keep, Columns: []privacy.Column{{Name: "id"}, {Name: "trainee_id"}, {Name: "award"}, {Name: "status_list"}, {Name: "status_index"},
				{Name: "credential", Treat: privacy.Other}, {Name: "issued_at"}, {Name: "issued_by"}, {Name: "revoked_at"},
				{Name: "revoked_by"}, {Name: "revoked_reason", Treat: privacy.Other}}},
		// Messages to others about the trainee (their training officer,
		// their assessors) name them: erasure removes them.
		{Name: "outbox", As: "trainee", About: "about_user_id = $1 AND (user_id IS NULL OR user_id <> $1)",
			Describe: "Messages hcs sent others about your training: to your training officer and your assessors", Erase: privacy.Delete,
			Columns: []privacy.Column{{Name: "id"}, {Name: "user_id", Treat: privacy.Other}, {Name: "recipient", Treat: privacy.Other},
				{Name: "subject"}, {Name: "body", Treat: privacy.Other}, {Name: "created_at"}, {Name: "sent_at"},
				{Name: "attempts"}, {Name: "next_attempt_at"}, {Name: "claimed_until"}, {Name: "last_error", Treat: privacy.Other},
				{Name: "about_user_id"}}},
		// A record's history is the audit log's: erasure keeps each
		// entry's action and time and blanks what it said (evidence
		// titles, reasons), which was about the trainee.
		{Name: "audit_log", As: "trainee", Log: true, Describe: "What was done to your training records",
			About: "record_type = 'trainee' AND record_id IN (SELECT CAST(id AS TEXT) FROM trainees WHERE user_id = $1)",
			Erase: privacy.Scrub, Columns: []privacy.Column{{Name: "id"}, {Name: "at"}, {Name: "actor_id", Treat: privacy.Other}, {Name: "process"},
				{Name: "action"}, {Name: "record_type"}, {Name: "record_id"}, {Name: "address", Treat: privacy.Other}, {Name: "detail", Treat: privacy.Content}}},
		{Name: "approved_assessors", As: "training officer", About: "approved_by = $1", Describe: "Assessors you approved for your department",
			Erase: privacy.Keep, Columns: []privacy.Column{{Name: "department_id"}, {Name: "email", Treat: privacy.Other}, {Name: "approved_by"},
				{Name: "approved_at"}}},
	},
	Free: []privacy.Free{
		{Table: "issuer_keys", Reason: "the public keys certificates are signed with"},
	},
}
