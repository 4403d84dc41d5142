package train

import (
	"context"
	"time"

	"hcs/internal/auth"
)

// Store runs the training service's transactions. The service decides;
// the store loads and saves rows inside one transaction and holds, with
// constraints and row locks, what must stay true when many requests
// arrive at once.
type Store interface {
	// Write runs fn in one read-write transaction, committing when fn
	// returns nil and rolling back otherwise.
	Write(ctx context.Context, fn func(Tx) error) error
	// Read runs fn in one read-only transaction that sees one snapshot.
	Read(ctx context.Context, fn func(Tx) error) error
}

// Person is someone training deals with, as pages and messages name them.
type Person struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Placement is an unconditional offer of a training post: who, in which
// programme and specialism, at which employer, from when.
type Placement struct {
	OfferID        int64  `json:"offer_id"`
	OfferStatus    string `json:"offer_status"`
	UserID         int64  `json:"user_id"`
	Name           string `json:"name"`
	Programme      string `json:"programme"`
	Specialism     string `json:"specialism"`
	OrganisationID int64  `json:"organisation_id"`
	Organisation   string `json:"organisation"`
	Region         string `json:"region"`
	Site           string `json:"site"`
	StartDate      string `json:"start_date"`
	// Started marks an offer whose training record is made already.
	Started bool `json:"started"`
}

// Filter narrows trainee records. Zero fields do not narrow, except the
// visibility fields: a record is listed when All is set, or it belongs to
// one of UserIDs, sits in one of Departments, or TeamOf supervises it or
// is its training officer.
type Filter struct {
	All         bool
	UserIDs     []int64
	Departments []auth.DepartmentRef
	TeamOf      int64

	Programme  string
	Specialism string
	Region     string
	Status     string
}

// PlacementFilter narrows the unconditional offers that have no training
// record yet, by who may see them.
type PlacementFilter struct {
	All           bool
	Organisations []int64
}

// HistoryEntry is one change to a trainee's record, as its people see it.
type HistoryEntry struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Detail string    `json:"detail"`
}

// Invitation is a single-use link that lets an assessor without an
// account complete one work-based assessment. The store keeps only the
// hash of its token.
type Invitation struct {
	ID         int64      `json:"id"`
	EvidenceID int64      `json:"evidence_id"`
	TraineeID  int64      `json:"trainee_id"`
	Email      string     `json:"email"`
	Name       string     `json:"name"`
	TokenHash  []byte     `json:"-"`
	Status     string     `json:"status"`
	ExpiresAt  time.Time  `json:"expires_at"`
	ApprovedBy int64      `json:"approved_by,omitempty"`
	UsedAt     *time.Time `json:"used_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// Tx is one transaction's view of training's records. It decides nothing.
// Its constraints refuse, with a conflict, what must never happen whatever
// a rule says: two training records from one offer, two sign-off rows for
// one item, a review recorded twice for one month, a record entered
// twice, an invitation's token used twice. Lock methods hold the row until
// the transaction ends (SELECT … FOR UPDATE on PostgreSQL; SQLite has a
// single writer).
type Tx interface {
	// Now is the transaction's one reading of the clock.
	Now() time.Time
	// Audit appends an entry to the audit log.
	Audit(by auth.Actor, action, recordType string, recordID int64, detail string) error
	// Send puts a message in the outbox, to an account holder (ID set) or
	// to an address alone, about a trainee (their user id), so that
	// erasing the trainee removes what was sent to others about them.
	Send(to Person, about int64, subject, body string) error

	Person(userID int64) (*Person, error)
	// LockPersonByEmail finds an account by its (normalised) address and
	// holds it, so that two transactions do not both start a record for
	// one person.
	LockPersonByEmail(email string) (*Person, error)
	Department(id int64) (*auth.Department, error)
	Organisation(id int64) (*auth.Organisation, error)
	// Staff lists the people holding a role in an organisation (in any of
	// its departments, for department-scoped roles).
	Staff(organisationID int64, role auth.Role) ([]Person, error)
	// HoldsRole reports whether a person holds a role in a department.
	HoldsRole(userID int64, role auth.Role, departmentID int64) (bool, error)
	// GrantTrainee gives a person the trainee role, once.
	GrantTrainee(userID int64) error

	Placement(offerID int64) (*Placement, error)
	// LockPlacement is Placement with the offer's recruitment round locked,
	// as recruitment locks it to answer the offer: a decline and the
	// start of training happen one after the other, never both.
	LockPlacement(offerID int64) (*Placement, error)
	Placements(f PlacementFilter) ([]Placement, error)

	InsertTrainee(t *Trainee) error
	UpdateTrainee(t *Trainee) error
	Trainee(id int64) (*Trainee, error)
	LockTrainee(id int64) (*Trainee, error)
	Trainees(f Filter) ([]Trainee, error)
	InsertChange(c *Change) error
	Changes(traineeIDs []int64) ([]Change, error)

	// InsertEvidence and UpdateEvidence save an entry; SaveEvidence calls
	// them and keeps the tally with them.
	InsertEvidence(e *Evidence) error
	UpdateEvidence(e *Evidence) error
	Evidence(id int64) (*Evidence, error)
	EvidenceOf(traineeID int64) ([]Evidence, error)
	// AddToTally adds counts to a trainee's module's tally, which
	// SaveEvidence keeps with every entry.
	AddToTally(traineeID int64, module string, d ModuleTally) error
	// Tallies reads many trainees' tallies, with the oldest assessment
	// each has waiting for its assessor, for the cohort's overview,
	// without loading each entry.
	Tallies(traineeIDs []int64) (map[int64]*Tally, error)

	// InsertAttachment saves a file with its bytes; the schema refuses
	// one whose size does not match them.
	InsertAttachment(a *Attachment) error
	DeleteAttachment(id int64) error
	// Attachment loads a file, with its bytes when content is set.
	Attachment(id int64, content bool) (*Attachment, error)
	// Attachments lists a trainee's files without their bytes, of one
	// entry when evidenceID is not 0.
	Attachments(traineeID, evidenceID int64) ([]Attachment, error)
	// FileBytes is the size of all a trainee's files.
	FileBytes(traineeID int64) (int64, error)

	InsertSignOff(s *SignOff) error
	UpdateSignOff(s *SignOff) error
	SignOffs(traineeIDs []int64) ([]SignOff, error)

	InsertReview(r *ReviewRecord) error
	Reviews(traineeIDs []int64) ([]ReviewRecord, error)
	InsertRecord(r *Record) error
	Records(traineeIDs []int64) ([]Record, error)

	InsertInvitation(i *Invitation) error
	UpdateInvitation(i *Invitation) error
	Invitation(id int64) (*Invitation, error)
	// InvitationByToken finds an invitation by its token's hash and locks
	// it.
	InvitationByToken(hash []byte) (*Invitation, error)
	Invitations(traineeIDs []int64) ([]Invitation, error)
	// ApprovedAssessor reports whether an address was approved as an
	// assessor in a department before.
	ApprovedAssessor(departmentID int64, email string) (bool, error)
	ApproveAssessor(departmentID int64, email string, by int64) error

	// History lists the audit log's entries about a trainee's record,
	// oldest first.
	History(traineeID int64) ([]HistoryEntry, error)

	// IssuerKeys lists the public multikeys certificates were signed
	// with, oldest first; AddIssuerKey records one, once.
	IssuerKeys() ([]string, error)
	AddIssuerKey(multikey string) error
	// InsertCertificate saves a certificate, reporting false when its
	// revocation list index is taken. The schema refuses a second live
	// certificate for one trainee.
	InsertCertificate(c *Certificate) (bool, error)
	UpdateCertificate(c *Certificate) error
	// Certificate finds one by id, locking it in a write transaction.
	Certificate(id string) (*Certificate, error)
	// CertificatesOf lists a trainee's certificates, the live one first,
	// then the revoked, newest first.
	CertificatesOf(traineeID int64) ([]Certificate, error)
	// StatusListUse is the newest revocation list (0 when none) and how
	// many certificates it holds.
	StatusListUse() (list, used int, err error)
	// RevokedIndexes lists the indexes of a list's revoked certificates.
	RevokedIndexes(list int) ([]int, error)
}
