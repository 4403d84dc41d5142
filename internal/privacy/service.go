package privacy

import (
	"context"
	"slices"
	"strconv"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// Subject identifies the person an export or erasure is about, as the
// register's conditions take it.
type Subject struct {
	UserID int64
	Email  string
	// AttemptKey is their sign-in counter's key (auth.AccountKey).
	AttemptKey string
}

// Args are the subject as the register's conditions take them: $1 the
// user id, $2 the email address, $3 the sign-in counter's key and $4 the
// user id as text (as the audit log records ids).
func (s Subject) Args() []any {
	return []any{s.UserID, s.Email, s.AttemptKey, strconv.FormatInt(s.UserID, 10)}
}

// Collected is what the store loads for an export, in one snapshot.
type Collected struct {
	// Rows holds, for each registration in the register's order, the rows
	// about the person: every column, by name.
	Rows [][]map[string]any
	// Audit is every entry the person made or that is about one of their
	// records (Theirs).
	Audit []auth.AuditEntry
	// Theirs lists, by audit record type, the ids of the person's records.
	Theirs map[string][]string
}

// Store loads and erases the registered personal data.
type Store interface {
	// Register is every capability's registration.
	Register() Register
	// Collect loads what the register says is about the subject.
	Collect(ctx context.Context, s Subject) (*Collected, error)
	// Erase applies every registration's erasure to the rows about the
	// subject, in one transaction, and marks the account erased.
	Erase(ctx context.Context, by auth.Actor, s Subject) error
}

// Leaver is a capability with something to end before a person's data
// goes: recruitment withdraws their applications and declines their
// offers, so that their places go to others.
type Leaver interface {
	Leave(ctx context.Context, by auth.Actor, userID int64) error
}

// Accounts finds a person's account.
type Accounts interface {
	User(ctx context.Context, id int64) (*auth.User, error)
}

// Service is the data-protection room: subject access exports and
// erasure, over every capability's registered data.
type Service struct {
	store    Store
	accounts Accounts
	leavers  []Leaver
	now      func() time.Time
}

// NewService returns the service. Leavers run, in order, before erasure.
func NewService(store Store, accounts Accounts, leavers ...Leaver) *Service {
	return &Service{store: store, accounts: accounts, leavers: leavers, now: time.Now}
}

// Export is everything hcs holds about a person, for them to download.
type Export struct {
	Subject     int64     `json:"subject"`
	GeneratedAt time.Time `json:"generated_at"`
	// Records are the person's rows, table by table.
	Records []Records `json:"records"`
	// Audit is the log of what they did and of what was done to their
	// records, without who else acted or from where.
	Audit []AuditLine `json:"audit"`
}

// Records are the rows of one table about the person.
type Records struct {
	Table string           `json:"table"`
	As    string           `json:"as"`
	About string           `json:"about"`
	Rows  []map[string]any `json:"rows"`
}

// AuditLine is an audit entry as the person's export shows it.
type AuditLine struct {
	At         time.Time `json:"at"`
	By         string    `json:"by"` // "you", "someone else", or hcs's own process
	Action     string    `json:"action"`
	RecordType string    `json:"record_type"`
	RecordID   string    `json:"record_id,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	Address    string    `json:"address,omitempty"` // only where they acted from
}

func (s *Service) subject(ctx context.Context, userID int64) (*auth.User, Subject, error) {
	u, err := s.accounts.User(ctx, userID)
	if err != nil {
		return nil, Subject{}, err
	}
	return u, Subject{UserID: u.ID, Email: u.Email, AttemptKey: auth.AccountKey(u.Email)}, nil
}

// Export gathers everything hcs holds about a person: each registered
// table's rows about them, with the columns that are theirs to see, and
// the audit entries of what they did and of what was done to their
// records.
func (s *Service) Export(ctx context.Context, userID int64) (*Export, error) {
	_, subj, err := s.subject(ctx, userID)
	if err != nil {
		return nil, err
	}
	c, err := s.store.Collect(ctx, subj)
	if err != nil {
		return nil, err
	}
	reg := s.store.Register()
	out := &Export{Subject: userID, GeneratedAt: s.now().UTC(), Records: []Records{}, Audit: []AuditLine{}}
	for i, t := range reg.Personal {
		if t.Log {
			continue // shown through AuditView below
		}
		recs := Records{Table: t.Name, As: t.As, About: t.Describe, Rows: []map[string]any{}}
		for _, row := range c.Rows[i] {
			shown := map[string]any{}
			for _, col := range t.Columns {
				if col.Treat.Exported() {
					shown[col.Name] = row[col.Name]
				}
			}
			recs.Rows = append(recs.Rows, shown)
		}
		out.Records = append(out.Records, recs)
	}
	personal := map[string]bool{}
	for _, t := range reg.Personal {
		if t.AuditType != "" {
			personal[t.AuditType] = true
		}
	}
	theirs := func(recordType, id string) bool { return slices.Contains(c.Theirs[recordType], id) }
	for _, e := range c.Audit {
		if line, ok := AuditView(e, userID, theirs, func(t string) bool { return personal[t] }); ok {
			out.Audit = append(out.Audit, line)
		}
	}
	return out, nil
}

// AuditView is what a person's export shows of an audit entry: an entry
// they made shows where they acted from; an entry someone else made about
// their records shows what was done but not who did it or from where; an
// entry they made about another person's record shows what they did but
// not whose record it was. Other entries are not theirs to see.
func AuditView(e auth.AuditEntry, subject int64, theirs func(recordType, id string) bool, personal func(recordType string) bool) (AuditLine, bool) {
	about, acted := theirs(e.RecordType, e.RecordID), e.ActorID == subject
	if !about && !acted {
		return AuditLine{}, false
	}
	line := AuditLine{At: e.At, Action: e.Action, RecordType: e.RecordType, By: "someone else"}
	switch {
	case acted:
		line.By, line.Address = "you", e.Address
	case e.Process != "":
		line.By = "hcs (" + e.Process + ")"
	}
	if about || !personal(e.RecordType) {
		line.RecordID, line.Detail = e.RecordID, e.Detail
	}
	return line, true
}

// Erase removes a person's personal data from every registered table.
// Only an applicant's data is erased here: staff accounts carry records
// their organisations must keep. Each capability first ends what it must
// (recruitment withdraws the person's applications), then one transaction
// erases every registered table.
func (s *Service) Erase(ctx context.Context, by auth.Actor, userID int64) error {
	u, subj, err := s.subject(ctx, userID)
	if err != nil {
		return err
	}
	if u.ErasedAt != nil {
		return apperr.Errorf(apperr.Conflict, "user %d was already erased", userID)
	}
	if err := CanErase(u); err != nil {
		return err
	}
	for _, l := range s.leavers {
		if err := l.Leave(ctx, by, userID); err != nil {
			return err
		}
	}
	return s.store.Erase(ctx, by, subj)
}

// CanErase says whether a person's data may be erased here: an
// applicant's or a trainee's (whose training it ends first), and nobody
// who holds a role in which their records are also other people's.
func CanErase(u *auth.User) error {
	own := false
	for _, g := range u.Grants {
		if g.Role != auth.RoleApplicant && g.Role != auth.RoleTrainee {
			return apperr.Invalidf("user", "user %d holds the %s role; only applicants' and trainees' data can be erased here", u.ID, g.Role)
		}
		own = true
	}
	if !own {
		return apperr.Invalidf("user", "user %d is neither an applicant nor a trainee", u.ID)
	}
	return nil
}
