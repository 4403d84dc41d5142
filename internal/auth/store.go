package auth

import (
	"context"
	"time"

	"hcs/internal/apperr"
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
	// Attempts counts failed attempts to deliver it; the next is due at
	// NextAttemptAt, and LastError says why the last one failed.
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
}

// Session is a signed-in browser or API client. Only the token's hash is
// stored.
type Session struct {
	UserID     int64     `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
}

// NewAccountLinkLifetime is how long someone whose account an
// administrator made has to choose a password.
const NewAccountLinkLifetime = 72 * time.Hour

// NewAccountMessage is the message that sends someone whose account an
// administrator made the link to choose a password. Like every message
// hcs sends, it carries no text anyone typed: a name could otherwise be
// written to read as the service's own words.
func NewAccountMessage(publicURL, token string) Message {
	return Message{Subject: "Your hcs account",
		Body: "An hcs account has been made for this email address by an administrator.\n\n" +
			"To choose your password, open this link within 72 hours:\n\n" + publicURL + "/password-reset/" + token +
			"\n\nIf you did not expect this, ignore this message or tell your organisation's hcs administrator.\n"}
}

// AttemptLimit caps the attempts counted under one key, such as an
// account or an address, within a window.
type AttemptLimit struct {
	Key string
	Max int
}

// ErrTooManyAttempts is the answer once an attempt limit is reached.
var ErrTooManyAttempts = &apperr.Error{Code: apperr.TooManyRequests, Field: "email",
	Message: "Too many attempts to sign in. Wait 15 minutes and try again, or reset your password."}

// Unknown links: a link that was never issued.
var (
	ErrResetLinkUnknown  = apperr.Errorf(apperr.NotFound, "This password reset link is not valid. Check that you copied the whole link from the email, or ask for a new one.")
	ErrSignUpLinkUnknown = apperr.Errorf(apperr.NotFound, "This link is not valid. Check that you copied the whole link from the email, or create your account again.")
)

// SignUpRequest is someone asking for an applicant account. The account is
// made only when they follow the link sent to the address.
type SignUpRequest struct {
	Name, Email, PasswordHash string
	TokenHash                 string
	Lifetime                  time.Duration
	// Confirm carries the link, for an address without an account;
	// Existing tells an address that already has one.
	Confirm, Existing Message
	// MaxPerHour bounds the messages one address receives.
	MaxPerHour int
}

// ResetRequest is someone asking for a password reset link.
type ResetRequest struct {
	Email     string
	TokenHash string
	Lifetime  time.Duration
	// Link carries the link, for an address with an account; NoAccount
	// tells an address that no account uses it.
	Link, NoAccount Message
	// MaxPerHour bounds the messages one address receives.
	MaxPerHour int
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
	// SetPassword replaces a password, voids the account's reset links and
	// ends every session but keepSession (a token hash; "" ends them all).
	SetPassword(ctx context.Context, by Actor, userID int64, hash, keepSession string) error
	AddGrant(ctx context.Context, by Actor, g *Grant) error
	RevokeGrant(ctx context.Context, by Actor, userID, grantID int64) error

	CreateSession(ctx context.Context, by Actor, userID int64, tokenHash string, lifetime time.Duration) error
	SessionPrincipal(ctx context.Context, tokenHash string) (*Principal, error)
	DeleteSession(ctx context.Context, by Actor, tokenHash string) error
	DeleteUserSessions(ctx context.Context, by Actor, userID int64) error

	// ClaimAttempts counts an attempt under every key before it is
	// checked, atomically, and refuses with ErrTooManyAttempts, counting
	// nothing, when any key has reached its limit within the window.
	ClaimAttempts(ctx context.Context, limits []AttemptLimit, window time.Duration) error
	// ReleaseAttempts gives back one attempt under each key, for an
	// attempt that succeeded.
	ReleaseAttempts(ctx context.Context, keys []string) error

	// RequestSignUp does the same work whether or not the address has an
	// account: it sends Confirm (and keeps the request) or Existing.
	RequestSignUp(ctx context.Context, by Actor, r SignUpRequest) error
	// CheckSignUp reports whether a sign-up link can still be used.
	CheckSignUp(ctx context.Context, tokenHash string) error
	// CompleteSignUp uses a sign-up link once and creates the account.
	CompleteSignUp(ctx context.Context, by Actor, tokenHash string) (*User, error)

	// CreatePasswordReset makes a link for an account an administrator
	// has just created.
	CreatePasswordReset(ctx context.Context, by Actor, userID int64, tokenHash string, lifetime time.Duration, msg Message) error
	// RequestPasswordReset does the same work whether or not the address
	// has an account: it sends Link (and keeps the link) or NoAccount.
	RequestPasswordReset(ctx context.Context, by Actor, r ResetRequest) error
	// CheckPasswordReset reports whether a reset link can still be used.
	CheckPasswordReset(ctx context.Context, tokenHash string) error
	// ResetPassword uses a reset link once; every other link to the
	// account stops working and every session ends.
	ResetPassword(ctx context.Context, by Actor, tokenHash, newHash string) (userID int64, err error)

	Outbox(ctx context.Context, limit int) ([]Message, error)
	Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}
