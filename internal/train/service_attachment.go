package train

import (
	"context"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// Attach adds a file to a draft of the trainee's own e-portfolio. Once the
// entry is submitted its files are part of it and cannot change.
func (s *Service) Attach(ctx context.Context, by auth.Actor, evidenceID int64, name string, content []byte) (*Attachment, error) {
	// The file is checked and summed before the transaction, which holds
	// the record (and on SQLite every write) while it runs.
	kept, mediaType, err := CheckFile(name, content)
	if err != nil {
		return nil, err
	}
	sum := Checksum(content)
	return write(ctx, s, func(tx Tx) (*Attachment, error) {
		t, e, err := ownEvidence(tx, by, evidenceID)
		if err != nil {
			return nil, err
		}
		if e.Status != EvidenceDraft {
			return nil, apperr.Errorf(apperr.Conflict, "This entry was submitted and its files can no longer change.")
		}
		have, err := tx.Attachments(t.ID, e.ID)
		if err != nil {
			return nil, err
		}
		if len(have) >= MaxFilesPerEntry {
			return nil, apperr.Invalidf("file", "An entry holds at most %d files; remove one before attaching %s", MaxFilesPerEntry, kept)
		}
		held, err := tx.FileBytes(t.ID)
		if err != nil {
			return nil, err
		}
		if held+int64(len(content)) > MaxRecordBytes {
			return nil, apperr.Invalidf("file", "A training record holds at most %s of files, and this one holds %s: %s does not fit. Remove files you no longer need, or attach a smaller copy",
				FileSize(MaxRecordBytes), FileSize(held), kept)
		}
		a := &Attachment{EvidenceID: e.ID, TraineeID: t.ID, Name: kept, MediaType: mediaType, Size: int64(len(content)),
			SHA256: sum, Content: content}
		if err := tx.InsertAttachment(a); err != nil {
			return nil, err
		}
		// The name is the trainee's until the draft is shared: the log
		// keeps only the file's kind and size.
		return a, auditf(tx, by, "evidence.attach", t.ID, "file %d attached to draft %d: %s, %s", a.ID, e.ID, TypeName(mediaType), FileSize(a.Size))
	})
}

// Detach removes a file from a draft of the trainee's own e-portfolio.
func (s *Service) Detach(ctx context.Context, by auth.Actor, evidenceID, fileID int64) error {
	_, err := write(ctx, s, func(tx Tx) (struct{}, error) {
		a, err := tx.Attachment(fileID, false)
		if err != nil {
			return struct{}{}, err
		}
		if a.EvidenceID != evidenceID {
			return struct{}{}, apperr.Errorf(apperr.NotFound, "there is no file %d in entry %d", fileID, evidenceID)
		}
		t, e, err := ownEvidence(tx, by, a.EvidenceID)
		if err != nil {
			return struct{}{}, err
		}
		if e.Status != EvidenceDraft {
			return struct{}{}, apperr.Errorf(apperr.Conflict, "This entry was submitted and its files can no longer change.")
		}
		if err := tx.DeleteAttachment(a.ID); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, auditf(tx, by, "evidence.detach", t.ID, "file %d removed from draft %d", a.ID, e.ID)
	})
	return err
}

// Attachments lists the files of a trainee's entries, without their
// bytes; evidenceID 0 lists every entry's.
func (s *Service) Attachments(ctx context.Context, traineeID, evidenceID int64) ([]Attachment, error) {
	return read(ctx, s, func(tx Tx) ([]Attachment, error) { return tx.Attachments(traineeID, evidenceID) })
}

// AttachedFile is a file with the entry and record it belongs to, for
// deciding who may read it.
type AttachedFile struct {
	File     *Attachment
	Evidence *Evidence
	Trainee  *Trainee
}

// File loads a file, with its bytes when content is set, and the entry
// and record it belongs to. Whoever may read it checks the bytes with
// Intact before serving them.
func (s *Service) File(ctx context.Context, fileID int64, content bool) (*AttachedFile, error) {
	return read(ctx, s, func(tx Tx) (*AttachedFile, error) {
		a, err := tx.Attachment(fileID, content)
		if err != nil {
			return nil, err
		}
		e, err := tx.Evidence(a.EvidenceID)
		if err != nil {
			return nil, err
		}
		t, err := tx.Trainee(a.TraineeID)
		if err != nil {
			return nil, err
		}
		return &AttachedFile{File: a, Evidence: e, Trainee: t}, nil
	})
}

// AssignmentFile is a file of the assessment an assessor's link opens,
// while the link works.
func (s *Service) AssignmentFile(ctx context.Context, token string, fileID int64) (*Attachment, error) {
	return read(ctx, s, func(tx Tx) (*Attachment, error) {
		as, err := s.openInvitation(tx, token)
		if err != nil {
			return nil, err
		}
		a, err := tx.Attachment(fileID, true)
		if err != nil {
			return nil, err
		}
		if a.EvidenceID != as.Evidence.ID {
			return nil, apperr.Errorf(apperr.NotFound, "there is no file %d in this assessment", fileID)
		}
		return a, a.Intact()
	})
}
