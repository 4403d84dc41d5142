package database

import (
	"database/sql"

	"hcs/internal/apperr"
	"hcs/internal/train"
)

func (t *trainTx) IssuerKeys() ([]string, error) {
	return queryAll(t, func(scan func(...any) error) (string, error) {
		var k string
		return k, scan(&k)
	}, "SELECT public_key FROM issuer_keys ORDER BY created_at, public_key")
}

func (t *trainTx) AddIssuerKey(multikey string) error {
	_, err := t.tx.Exec(t.ctx, "INSERT INTO issuer_keys (public_key, created_at) VALUES ($1, $2) ON CONFLICT (public_key) DO NOTHING", multikey, t.tx.Now)
	return err
}

// InsertCertificate saves a certificate unless its revocation list index
// is taken. A second live certificate for the trainee is a conflict.
func (t *trainTx) InsertCertificate(c *train.Certificate) (bool, error) {
	res, err := t.tx.Exec(t.ctx, `INSERT INTO certificates (id, trainee_id, award, status_list, status_index, credential, issued_at, issued_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (status_list, status_index) DO NOTHING`,
		c.ID, c.TraineeID, c.Award, c.StatusList, c.StatusIndex, string(c.Credential), c.IssuedAt.UTC(), zeroNull(c.IssuedBy))
	if apperr.Code(err) == apperr.Conflict {
		return false, &apperr.Error{Code: apperr.Conflict, Message: "this trainee already holds a certificate", Err: err}
	}
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (t *trainTx) UpdateCertificate(c *train.Certificate) error {
	_, err := t.tx.Exec(t.ctx, "UPDATE certificates SET revoked_at = $1, revoked_by = $2, revoked_reason = $3 WHERE id = $4",
		nullable(c.RevokedAt), zeroNull(c.RevokedBy), c.RevokedReason, c.ID)
	return err
}

const certificateColumns = "id, trainee_id, award, status_list, status_index, credential, issued_at, issued_by, revoked_at, revoked_by, revoked_reason FROM certificates"

func scanCertificate(scan func(...any) error) (train.Certificate, error) {
	var c train.Certificate
	var cred string
	var issuedBy, revokedBy sql.NullInt64
	var revoked sql.NullTime
	err := scan(&c.ID, &c.TraineeID, &c.Award, &c.StatusList, &c.StatusIndex, &cred, &c.IssuedAt, &issuedBy, &revoked, &revokedBy, &c.RevokedReason)
	c.Credential, c.IssuedBy, c.RevokedBy = []byte(cred), issuedBy.Int64, revokedBy.Int64
	if revoked.Valid {
		at := revoked.Time
		c.RevokedAt = &at
	}
	return c, err
}

func (t *trainTx) Certificate(id string) (*train.Certificate, error) {
	c, err := scanCertificate(t.tx.QueryRow(t.ctx, "SELECT "+certificateColumns+" WHERE id = $1"+t.forUpdate(), id).Scan)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "There is no certificate %s.", id)
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func (t *trainTx) CertificatesOf(traineeID int64) ([]train.Certificate, error) {
	return queryAll(t, scanCertificate, "SELECT "+certificateColumns+" WHERE trainee_id = $1 ORDER BY CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END, issued_at DESC, id", traineeID)
}

func (t *trainTx) StatusListUse() (list, used int, err error) {
	err = t.tx.QueryRow(t.ctx, "SELECT COALESCE(MAX(status_list), 0) FROM certificates").Scan(&list)
	if err != nil || list == 0 {
		return list, 0, err
	}
	err = t.tx.QueryRow(t.ctx, "SELECT COUNT(*) FROM certificates WHERE status_list = $1", list).Scan(&used)
	return list, used, err
}

func (t *trainTx) RevokedIndexes(list int) ([]int, error) {
	return queryAll(t, func(scan func(...any) error) (int, error) {
		var i int
		return i, scan(&i)
	}, "SELECT status_index FROM certificates WHERE status_list = $1 AND revoked_at IS NOT NULL", list)
}
