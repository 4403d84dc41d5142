package database

import (
	"hcs/internal/apperr"
	"hcs/internal/train"
)

// Files attached to e-portfolio entries. Lists leave the bytes out; the
// schema holds each file's size to its bytes.

const fileColumns = "id, evidence_id, trainee_id, name, media_type, size, sha256, created_at"

func scanFile(scan func(...any) error) (train.Attachment, error) {
	var a train.Attachment
	err := scan(&a.ID, &a.EvidenceID, &a.TraineeID, &a.Name, &a.MediaType, &a.Size, &a.SHA256, &a.CreatedAt)
	return a, err
}

func (t *trainTx) InsertAttachment(a *train.Attachment) error {
	id, err := t.tx.Insert(t.ctx, `INSERT INTO evidence_files (evidence_id, trainee_id, name, media_type, size, sha256, content, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.EvidenceID, a.TraineeID, a.Name, a.MediaType, a.Size, a.SHA256, a.Content, t.tx.Now)
	if err != nil {
		return err
	}
	a.ID, a.CreatedAt = id, t.tx.Now
	return nil
}

func (t *trainTx) DeleteAttachment(id int64) error {
	_, err := t.tx.Exec(t.ctx, "DELETE FROM evidence_files WHERE id = $1", id)
	return err
}

func (t *trainTx) Attachment(id int64, content bool) (*train.Attachment, error) {
	var a train.Attachment
	var err error
	if content {
		err = t.tx.QueryRow(t.ctx, "SELECT "+fileColumns+", content FROM evidence_files WHERE id = $1", id).Scan(
			&a.ID, &a.EvidenceID, &a.TraineeID, &a.Name, &a.MediaType, &a.Size, &a.SHA256, &a.CreatedAt, &a.Content)
	} else {
		a, err = scanFile(t.tx.QueryRow(t.ctx, "SELECT "+fileColumns+" FROM evidence_files WHERE id = $1", id).Scan)
	}
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no file %d", id)
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func (t *trainTx) Attachments(traineeID, evidenceID int64) ([]train.Attachment, error) {
	if evidenceID != 0 {
		return queryAll(t, scanFile, "SELECT "+fileColumns+" FROM evidence_files WHERE trainee_id = $1 AND evidence_id = $2 ORDER BY id", traineeID, evidenceID)
	}
	return queryAll(t, scanFile, "SELECT "+fileColumns+" FROM evidence_files WHERE trainee_id = $1 ORDER BY evidence_id, id", traineeID)
}

func (t *trainTx) FileBytes(traineeID int64) (int64, error) {
	var n int64
	err := t.tx.QueryRow(t.ctx, "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM evidence_files WHERE trainee_id = $1", traineeID).Scan(&n)
	return n, err
}
