package train

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"time"
)

// ArchiveFormat names the archive's format and version.
const ArchiveFormat = "hcs-training-archive/1"

// Archive is a trainee's whole record, for them to take elsewhere: who
// and where, every change, the e-portfolio as the viewer may see it, the
// sign-offs, reviews, records and certificates. People are named, not
// numbered, since their ids mean nothing outside this service; other
// people's email addresses are left out.
type Archive struct {
	Format     string    `json:"format"`
	Source     string    `json:"source"`
	ExportedAt time.Time `json:"exported_at"`
	Trainee    struct {
		Name              string     `json:"name"`
		Programme         string     `json:"programme"`
		Specialism        string     `json:"specialism"`
		Curriculum        string     `json:"curriculum"`
		CurriculumVersion string     `json:"curriculum_version"`
		Organisation      string     `json:"organisation"`
		Department        string     `json:"department"`
		Region            string     `json:"region"`
		TrainingOfficer   string     `json:"training_officer"`
		Supervisors       []string   `json:"supervisors"`
		StartDate         string     `json:"start_date"`
		ExpectedEnd       string     `json:"expected_end"`
		Status            string     `json:"status"`
		ConfirmedAt       *time.Time `json:"confirmed_at,omitempty"`
		CompletedAt       *time.Time `json:"completed_at,omitempty"`
	} `json:"trainee"`
	Changes      []ArchiveChange      `json:"changes"`
	Evidence     []ArchiveEvidence    `json:"evidence"`
	SignOffs     []ArchiveSignOff     `json:"sign_offs"`
	Reviews      []ArchiveReview      `json:"reviews"`
	Records      []ArchiveRecord      `json:"records"`
	Certificates []ArchiveCertificate `json:"certificates"`
}

// ArchiveChange is time out, part-time working or a transfer.
type ArchiveChange struct {
	Kind       string    `json:"kind"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	Percent    int       `json:"percent,omitempty"`
	Reason     string    `json:"reason"`
	RecordedAt time.Time `json:"recorded_at"`
}

// ArchiveEvidence is one e-portfolio entry.
type ArchiveEvidence struct {
	Ref          string        `json:"ref"` // stable within the archive: "evidence-" and its id here
	Kind         string        `json:"kind"`
	Module       string        `json:"module"`
	Competencies []string      `json:"competencies"`
	Title        string        `json:"title"`
	OccurredOn   string        `json:"occurred_on"`
	Body         string        `json:"body"`
	Status       string        `json:"status"`
	Shared       bool          `json:"shared"`
	AssessorName string        `json:"assessor_name,omitempty"`
	Judgement    string        `json:"judgement,omitempty"`
	Feedback     string        `json:"feedback,omitempty"`
	AssessedAt   *time.Time    `json:"assessed_at,omitempty"`
	SubmittedAt  *time.Time    `json:"submitted_at,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`
	Files        []ArchiveFile `json:"files"`
}

// ArchiveFile is a file attached to an entry, with its bytes (base64 in
// JSON) and their SHA-256, so that whoever reads the archive can check
// them.
type ArchiveFile struct {
	ID        int64  `json:"-"` // here, for the file's address
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	Content   []byte `json:"content"`
}

// ArchiveSignOff is a module or competency signed off, or reopened.
type ArchiveSignOff struct {
	Module       string     `json:"module"`
	Competency   string     `json:"competency,omitempty"`
	Status       string     `json:"status"`
	SignedBy     string     `json:"signed_by"`
	SignedAt     time.Time  `json:"signed_at"`
	ReopenedBy   string     `json:"reopened_by,omitempty"`
	ReopenedAt   *time.Time `json:"reopened_at,omitempty"`
	ReopenReason string     `json:"reopen_reason,omitempty"`
	// ImportedFrom, for a sign-off this record brought from an earlier
	// service, says who signed it off there; SignedBy accepted it here.
	ImportedFrom string `json:"imported_from,omitempty"`
}

// ArchiveReview is a progress review the panel held.
type ArchiveReview struct {
	Review     string    `json:"review"`
	Title      string    `json:"title"`
	Month      int       `json:"month"`
	HeldOn     string    `json:"held_on"`
	Met        bool      `json:"met"`
	Missing    []string  `json:"missing,omitempty"`
	Outcome    int       `json:"outcome,omitempty"`
	Panel      string    `json:"panel"`
	Notes      string    `json:"notes"`
	RecordedAt time.Time `json:"recorded_at"`
}

// ArchiveRecord is a result the national school recorded.
type ArchiveRecord struct {
	Name       string `json:"name"`
	RecordedOn string `json:"recorded_on"`
}

// ArchiveCertificate is a certificate with its signed credential, which
// verifies wherever the archive goes.
type ArchiveCertificate struct {
	ID         string          `json:"id"`
	Award      string          `json:"award"`
	IssuedAt   time.Time       `json:"issued_at"`
	RevokedAt  *time.Time      `json:"revoked_at,omitempty"`
	Credential json.RawMessage `json:"credential,omitempty"`
}

// Export builds a trainee's archive as a viewer sees the record: the
// e-portfolio holds only what VisibleEvidence gives them.
func (s *Service) Export(ctx context.Context, traineeID, viewer int64) (*Archive, error) {
	return read(ctx, s, func(tx Tx) (*Archive, error) {
		t, err := tx.Trainee(traineeID)
		if err != nil {
			return nil, err
		}
		return s.export(tx, t, viewer, true)
	})
}

// export builds the archive in a transaction that has the trainee, with
// the files' bytes when content is set.
func (s *Service) export(tx Tx, t *Trainee, viewer int64, content bool) (*Archive, error) {
	p, err := loadPortfolio(tx, t.ID)
	if err != nil {
		return nil, err
	}
	cu, err := s.curriculumOf(t)
	if err != nil {
		return nil, err
	}
	name := func(id int64) (string, error) {
		if id == 0 {
			return "", nil
		}
		person, err := tx.Person(id)
		if err != nil {
			return "", err
		}
		return person.Name, nil
	}
	a := &Archive{Format: ArchiveFormat, Source: s.publicURL, ExportedAt: tx.Now(),
		Changes: []ArchiveChange{}, Evidence: []ArchiveEvidence{}, SignOffs: []ArchiveSignOff{}, Reviews: []ArchiveReview{},
		Records: []ArchiveRecord{}, Certificates: []ArchiveCertificate{}}
	at := &a.Trainee
	at.Name, at.Programme, at.Specialism, at.Curriculum, at.CurriculumVersion = t.Name, t.Programme, t.Specialism, t.Curriculum, cu.Version
	at.Organisation, at.Department, at.Region = t.Organisation, t.Department, t.Region
	at.StartDate, at.ExpectedEnd, at.Status, at.ConfirmedAt, at.CompletedAt = t.StartDate, t.ExpectedEnd, t.Status, t.ConfirmedAt, t.CompletedAt
	if at.TrainingOfficer, err = name(t.TrainingOfficerID); err != nil {
		return nil, err
	}
	at.Supervisors = []string{}
	for _, id := range t.Supervisors {
		n, err := name(id)
		if err != nil {
			return nil, err
		}
		at.Supervisors = append(at.Supervisors, n)
	}
	for _, c := range p.Changes {
		a.Changes = append(a.Changes, ArchiveChange{Kind: c.Kind, From: c.From, To: c.To, Percent: c.Percent, Reason: c.Reason, RecordedAt: c.CreatedAt})
	}
	files, err := tx.Attachments(t.ID, 0)
	if err != nil {
		return nil, err
	}
	for _, e := range VisibleEvidence(t, viewer, p.Evidence) {
		attached := []ArchiveFile{}
		for _, f := range files {
			if f.EvidenceID != e.ID {
				continue
			}
			af := ArchiveFile{ID: f.ID, Name: f.Name, MediaType: f.MediaType, Size: f.Size, SHA256: f.SHA256}
			if content {
				full, err := tx.Attachment(f.ID, true)
				if err != nil {
					return nil, err
				}
				if err := full.Intact(); err != nil {
					return nil, err
				}
				af.Content = full.Content
			}
			attached = append(attached, af)
		}
		a.Evidence = append(a.Evidence, ArchiveEvidence{Files: attached, Ref: fmt.Sprintf("evidence-%d", e.ID), Kind: e.Kind, Module: e.Module,
			Competencies: nonNil(e.Competencies), Title: e.Title, OccurredOn: e.OccurredOn, Body: e.Body, Status: e.Status, Shared: e.Shared,
			AssessorName: e.AssessorName, Judgement: e.Judgement, Feedback: e.Feedback, AssessedAt: e.AssessedAt, SubmittedAt: e.SubmittedAt,
			CreatedAt: e.CreatedAt})
	}
	for _, so := range p.SignOffs {
		out := ArchiveSignOff{Module: so.Module, Competency: so.Competency, Status: so.Status, SignedAt: so.SignedAt,
			ReopenedAt: so.ReopenedAt, ReopenReason: so.ReopenReason, ImportedFrom: so.ImportedFrom}
		if out.SignedBy, err = name(so.SignedBy); err != nil {
			return nil, err
		}
		if out.ReopenedBy, err = name(so.ReopenedBy); err != nil {
			return nil, err
		}
		a.SignOffs = append(a.SignOffs, out)
	}
	for _, r := range p.Reviews {
		title := r.Review
		if rv := cu.Review(r.Review); rv != nil {
			title = rv.Title
		}
		a.Reviews = append(a.Reviews, ArchiveReview{Review: r.Review, Title: title, Month: r.Month, HeldOn: r.HeldOn, Met: r.Met,
			Missing: r.Missing, Outcome: r.Outcome, Panel: r.Panel, Notes: r.Notes, RecordedAt: r.CreatedAt})
	}
	for _, r := range p.Records {
		a.Records = append(a.Records, ArchiveRecord{Name: r.Name, RecordedOn: r.RecordedOn})
	}
	certs, err := tx.CertificatesOf(t.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range certs {
		out := ArchiveCertificate{ID: c.ID, Award: c.Award, IssuedAt: c.IssuedAt, RevokedAt: c.RevokedAt}
		if len(c.Credential) > 0 {
			out.Credential = json.RawMessage(c.Credential)
		}
		a.Certificates = append(a.Certificates, out)
	}
	return a, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// stableUUID is a name-based (version 5 style, SHA-1) UUID, so that the
// same record exported twice gives the same statement ids and a learning
// record store keeps one copy of each.
func stableUUID(name string) string {
	sum := sha1.Sum([]byte(name))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
