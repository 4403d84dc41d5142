package auth

import (
	"context"
	"time"
)

// Actor is who makes a change and from where, for the audit log: a person
// (UserID), or one of hcs's own processes (Process, with no UserID), such
// as the offer expiry, the cascade, the command line or demo set-up.
type Actor struct {
	UserID  int64
	Address string
	Process string
	// SigningUp marks a person creating their own account: the audit entry
	// names the new account as its own actor.
	SigningUp bool
}

// System is one of hcs's own processes acting, named for the audit log.
func System(process string) Actor { return Actor{Process: process, Address: "hcs"} }

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorID    int64     `json:"actor_id"`
	Process    string    `json:"process,omitempty"` // a system process that acted, when ActorID is 0
	Action     string    `json:"action"`
	RecordType string    `json:"record_type"`
	RecordID   string    `json:"record_id"`
	Address    string    `json:"address"`
	Detail     string    `json:"detail"`
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	RecordType string
	RecordID   string
	ActorID    int64
	Limit      int
}

// Message is an email waiting in, or sent from, the outbox.
type Message struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id,omitempty"`
	Recipient string     `json:"recipient"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

// Session is a signed-in browser or API client. Only the token's hash is
// stored.
type Session struct {
	UserID     int64     `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
}

// PersonalData is everything hcs holds about a person, for them to
// download.
type PersonalData struct {
	User          *User          `json:"user"`
	Organisations []Organisation `json:"organisations"`
	Sessions      []Session      `json:"sessions"`
	Messages      []Message      `json:"messages"`
	Audit         []AuditEntry   `json:"audit"`
}

// Store keeps accounts, roles, sessions, the outbox and the audit log.
// Every method that changes something writes its audit entry in the same
// transaction. Expiry times are counted from the store's own clock, so
// lifetimes are given as durations.
type Store interface {
	CreateOrganisation(ctx context.Context, by Actor, o *Organisation) error
	Organisations(ctx context.Context, ids []int64) ([]Organisation, error)
	Organisation(ctx context.Context, id int64) (*Organisation, []Department, error)
	CreateDepartment(ctx context.Context, by Actor, d *Department) error
	Department(ctx context.Context, id int64) (*Department, error)
	// Departments lists every department, by organisation and name.
	Departments(ctx context.Context) ([]Department, error)
	// DepartmentPeople lists the people who hold a role in a department.
	DepartmentPeople(ctx context.Context, departmentID int64) ([]User, error)

	CreateUser(ctx context.Context, by Actor, u *User, passwordHash string, grants []Grant) error
	User(ctx context.Context, id int64) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	Users(ctx context.Context) ([]User, error)
	SetPassword(ctx context.Context, by Actor, userID int64, hash string) error
	AddGrant(ctx context.Context, by Actor, g *Grant) error
	RevokeGrant(ctx context.Context, by Actor, userID, grantID int64) error
	EraseUser(ctx context.Context, by Actor, userID int64) error
	PersonalData(ctx context.Context, userID int64) (*PersonalData, error)

	CreateSession(ctx context.Context, by Actor, userID int64, tokenHash string, lifetime time.Duration) error
	SessionPrincipal(ctx context.Context, tokenHash string) (*Principal, error)
	DeleteSession(ctx context.Context, by Actor, tokenHash string) error
	DeleteUserSessions(ctx context.Context, by Actor, userID int64) error

	RecordSignIn(ctx context.Context, emailHash, address string, succeeded bool) error
	RecentFailures(ctx context.Context, emailHash, address string, window time.Duration) (byEmail, byAddress int, err error)

	CreatePasswordReset(ctx context.Context, by Actor, userID int64, tokenHash string, lifetime time.Duration, msg Message) error
	ResetPassword(ctx context.Context, by Actor, tokenHash, newHash string) (userID int64, err error)

	Outbox(ctx context.Context, limit int) ([]Message, error)
	Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}
