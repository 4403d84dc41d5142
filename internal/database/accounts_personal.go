package database

import "hcs/internal/privacy"

// accountsPersonal registers the personal data accounts hold.
var accountsPersonal = privacy.Register{
	Personal: []privacy.Table{
		{Name: "users", As: "account", About: "id = $1", Describe: "Your account", AuditType: "user", Erase: privacy.Scrub,
			Columns: []privacy.Column{{Name: "id"}, {Name: "email", Treat: privacy.Identity, Erased: "erased-{id}"},
				{Name: "name", Treat: privacy.Identity, Erased: "Erased applicant"}, {Name: "password_hash", Treat: privacy.Secret},
				{Name: "created_at"}, {Name: "erased_at", Erased: "{now}"}}},
		{Name: "grants", As: "account", About: "user_id = $1", Describe: "Your roles in hcs", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "id"}, {Name: "user_id"}, {Name: "role"}, {Name: "organisation_id"}, {Name: "department_id"},
				{Name: "round_id"}, {Name: "created_at"}}},
		{Name: "sessions", As: "account", About: "user_id = $1", Describe: "Where you are signed in", Erase: privacy.Delete,
			Columns: []privacy.Column{{Name: "token_hash", Treat: privacy.Secret}, {Name: "user_id"}, {Name: "created_at"},
				{Name: "expires_at"}, {Name: "last_seen_at"}}},
		{Name: "password_resets", As: "account", About: "user_id = $1", Describe: "Links sent to you to choose a password", Erase: privacy.Delete,
			Columns: []privacy.Column{{Name: "token_hash", Treat: privacy.Secret}, {Name: "user_id"}, {Name: "created_at"},
				{Name: "expires_at"}, {Name: "used_at"}}},
		{Name: "sign_in_limits", As: "account", About: "key = $3", Describe: "The count of recent attempts to sign in to your account",
			Erase: privacy.Delete, Columns: []privacy.Column{{Name: "key", Treat: privacy.Secret}, {Name: "window_start"}, {Name: "attempts"}}},
		{Name: "sign_up_requests", As: "account", About: "email = $2", Describe: "Your requests to create an account", Erase: privacy.Delete,
			Columns: []privacy.Column{{Name: "id"}, {Name: "token_hash", Treat: privacy.Secret}, {Name: "email", Treat: privacy.Identity},
				{Name: "name", Treat: privacy.Identity}, {Name: "password_hash", Treat: privacy.Secret}, {Name: "created_at"},
				{Name: "expires_at"}, {Name: "used_at"}}},
		{Name: "outbox", As: "recipient", About: "user_id = $1 OR recipient = $2", Describe: "Messages hcs sent you", Erase: privacy.Scrub,
			Columns: []privacy.Column{{Name: "id"}, {Name: "user_id"}, {Name: "recipient", Treat: privacy.Identity, Erased: "erased-{id}"},
				{Name: "subject"}, {Name: "body", Treat: privacy.Content}, {Name: "created_at"}, {Name: "sent_at"},
				{Name: "attempts"}, {Name: "next_attempt_at"}, {Name: "claimed_until"}, {Name: "last_error", Treat: privacy.Content},
				{Name: "about_user_id"}}},
		// An answer another account was given can be about this person
		// (an administrator creating their account): it is theirs too,
		// found by their email address in it.
		{Name: "idempotency_keys", As: "account", About: "user_id = $1 OR body LIKE '%' || $2 || '%'",
			Describe: "Answers to requests by you or about you, kept for a day so that a retried request is not carried out twice",
			Erase:    privacy.Delete, Columns: []privacy.Column{{Name: "user_id"}, {Name: "key"}, {Name: "fingerprint"}, {Name: "created_at"},
				{Name: "committed_at"}, {Name: "status"}, {Name: "content_type"}, {Name: "body", Treat: privacy.Content}}},
		// The audit log keeps its shape: erasure blanks the network
		// addresses the person acted from, including requests made before
		// they signed in about their account or their address.
		{Name: "audit_log", As: "actor", Log: true, Describe: "What you did in hcs, and what was done to your records",
			About: "actor_id = $1 OR (actor_id IS NULL AND process = '' AND ((record_type = 'user' AND record_id = $4) OR (record_type = 'email' AND record_id = $3)))",
			Erase: privacy.Scrub, Columns: []privacy.Column{{Name: "id"}, {Name: "at"}, {Name: "actor_id"}, {Name: "process"}, {Name: "action"},
				{Name: "record_type"}, {Name: "record_id"}, {Name: "address", Treat: privacy.Content}, {Name: "detail"}}},
	},
	Free: []privacy.Free{
		{Table: "organisations", Reason: "NHS employers and the national school: names of organisations"},
		{Table: "departments", Reason: "training departments of organisations: names of departments"},
	},
}
