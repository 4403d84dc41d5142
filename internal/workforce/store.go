package workforce

import (
	"context"
	"time"

	"hcs/internal/auth"
)

// Store runs the workforce service's transactions. The service decides;
// the store loads and saves rows inside one transaction, and holds with
// constraints and a lock what must stay true when imports arrive at once.
type Store interface {
	// Write runs fn in one read-write transaction, committing when fn
	// returns nil and rolling back otherwise.
	Write(ctx context.Context, fn func(Tx) error) error
	// Read runs fn in one read-only transaction that sees one snapshot.
	Read(ctx context.Context, fn func(Tx) error) error
}

// Stored is an assignment as it is held, with its row id.
type Stored struct {
	ID int64
	Assignment
}

// Tx is one transaction of the workforce store.
type Tx interface {
	// Now is the transaction's one reading of the clock.
	Now() time.Time
	Audit(by auth.Actor, action, recordType string, recordID int64, detail string) error

	// Lock holds the workforce's lock until the transaction ends, so that
	// imports change what is held one at a time.
	Lock() error
	// Version counts the changes to what is held: it goes up with every
	// import that changes something.
	Version() (int64, error)
	// Bump raises the version.
	Bump() error

	// Employers lists the organisations staff are recorded against.
	Employers() ([]Employer, error)
	// SaveEmployer records an employer's code: for the organisation of
	// that name when there is one (setting its region), else a new trust.
	// It fills in OrganisationID.
	SaveEmployer(e *Employer) error

	// Assignments calls fn with every assignment held, in id order.
	Assignments(fn func(*Stored) error) error
	// InsertAssignments saves new assignments.
	InsertAssignments(as []Assignment) error
	// UpdateAssignment saves a changed assignment over the one with its id.
	UpdateAssignment(s *Stored) error
	// SaveImport records an import and fills in its ID.
	SaveImport(im *Import) error
	// Imports lists the latest imports, newest first: every one, or when
	// organisations are given, those made for them.
	Imports(limit int, organisations []int64) ([]Import, error)

	// Pipeline lists the trainees in training (confirmed or waiting for
	// confirmation): programme, specialism, their employer's region,
	// expected end.
	Pipeline() ([]Trainee, error)
	// TrainingPosts lists every recruitment round's posts with their
	// places and the offers accepted and not yet answered, in round order.
	TrainingPosts() ([]Post, error)
	// Certificates finds the training completion certificates of these
	// ids; an id not found is absent from the map.
	Certificates(ids []string) (map[string]Completion, error)
	// Completions lists the certificates in force, oldest first, with
	// the code of the employer the trainee trained with where it is
	// registered.
	Completions() ([]Completion, error)
	// InsertScenario saves a forecast scenario and fills in its ID.
	InsertScenario(sc *Scenario) error
	// Scenarios lists the saved scenarios, newest first.
	Scenarios() ([]Scenario, error)
}

// Completion is a training completion certificate hcs issued: the
// programme and specialism completed, and when.
type Completion struct {
	ID         string
	Programme  string
	Specialism string
	Award      string
	Issued     Day
	Revoked    bool
	// Employer is the organisation code of the employer the trainee
	// trained with, when Completions lists it and it is registered.
	Employer string
}

// Import is a file imported, with what it changed.
type Import struct {
	ID int64 `json:"id"`
	// Kind is "staff" or "employers".
	Kind      string `json:"kind"`
	File      string `json:"file"`
	SHA256    string `json:"sha256"`
	Rows      int    `json:"rows"`
	Added     int    `json:"added"`
	Changed   int    `json:"changed"`
	Unchanged int    `json:"unchanged"`
	By        int64  `json:"imported_by,omitempty"`
	// OrganisationID is the employer an employer's import was for; 0 for
	// the national workforce team's.
	OrganisationID int64     `json:"organisation_id,omitempty"`
	ByName         string    `json:"imported_by_name,omitempty"`
	At             time.Time `json:"imported_at"`
}
