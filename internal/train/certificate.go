package train

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/credential"
	"hcs/internal/text"
)

// IssuerName is the issuer completion certificates name.
const IssuerName = "National School of Healthcare Science"

// A status list holds StatusListSize entries; a new list is begun when
// the newest is half full, so that an index drawn at random is found free
// within a few tries.
const statusListFill = credential.StatusListSize / 2

// Certificate is a completion certificate as issued: the signed
// credential and its place in a revocation list.
type Certificate struct {
	ID          string `json:"id"`
	TraineeID   int64  `json:"trainee_id"`
	Award       string `json:"award"`
	StatusList  int    `json:"status_list"`
	StatusIndex int    `json:"status_index"`
	// Credential is the Open Badges 3.0 credential, signed.
	Credential    []byte     `json:"-"`
	IssuedAt      time.Time  `json:"issued_at"`
	IssuedBy      int64      `json:"issued_by,omitempty"`
	RevokedAt     *time.Time `json:"revoked_at,omitempty"`
	RevokedBy     int64      `json:"revoked_by,omitempty"`
	RevokedReason string     `json:"revoked_reason,omitempty"`
}

// Live reports whether the certificate stands (was not revoked).
func (c *Certificate) Live() bool { return c.RevokedAt == nil }

// UseIssuer gives the service the key it signs certificates with, and
// records the public key so that the issuer's DID document lists it for
// as long as any certificate it signed may be checked.
func (s *Service) UseIssuer(ctx context.Context, key ed25519.PrivateKey) error {
	iss, err := credential.NewIssuer(s.publicURL, IssuerName, key)
	if err != nil {
		return err
	}
	mk := credential.PublicMultikey(key.Public().(ed25519.PublicKey))
	// Most starts use a key recorded before: read first, and write (a
	// commit, at start-up) only for a new one.
	known, err := read(ctx, s, func(tx Tx) ([]string, error) { return tx.IssuerKeys() })
	if err != nil {
		return err
	}
	if !slices.Contains(known, mk) {
		if err := s.store.Write(ctx, func(tx Tx) error { return tx.AddIssuerKey(mk) }); err != nil {
			return err
		}
	}
	s.issuer = iss
	return nil
}

// CanIssue reports whether the service holds an issuer key.
func (s *Service) CanIssue() bool { return s.issuer != nil }

// CertificateURL is a certificate's address: its credential's id, and
// the page that shows it.
func (s *Service) CertificateURL(id string) string { return s.publicURL + "/certificates/" + id }

// StatusListURL is the address of a revocation list.
func (s *Service) StatusListURL(list int) string {
	return fmt.Sprintf("%s/credentials/status/%d", s.publicURL, list)
}

// AchievementURL names what a curriculum's certificate in a specialism
// attests.
func (s *Service) AchievementURL(curriculum, specialism string) string {
	return s.publicURL + "/achievements/" + curriculum + "/" + specialism
}

// issueCertificate signs a completed trainee's certificate and saves it,
// in the transaction that holds the trainee's row.
func (s *Service) issueCertificate(tx Tx, by auth.Actor, t *Trainee) (*Certificate, error) {
	if s.issuer == nil {
		return nil, apperr.Errorf(apperr.Unavailable, "Certificates cannot be issued: this server has no issuer key (an administrator starts it with --issuer-key).")
	}
	cu, err := s.curriculumOf(t)
	if err != nil {
		return nil, err
	}
	existing, err := tx.CertificatesOf(t.ID)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(existing, func(c Certificate) bool { return c.Live() }) {
		return nil, apperr.Errorf(apperr.Conflict, "%s already holds a certificate: revoke it before issuing another.", t.Name)
	}
	list, used, err := tx.StatusListUse()
	if err != nil {
		return nil, err
	}
	if list == 0 || used >= statusListFill {
		list++
	}
	id, err := newUUID()
	if err != nil {
		return nil, err
	}
	now := tx.Now()
	spec := s.f.Specialism(t.Specialism)
	specName := t.Specialism
	if spec != nil {
		specName = spec.Name
	}
	ended := ""
	if t.CompletedAt != nil {
		ended = t.CompletedAt.UTC().Format(time.DateOnly)
	}
	c := &Certificate{ID: id, TraineeID: t.ID, Award: cu.Certificate.Short, StatusList: list, IssuedAt: now, IssuedBy: by.UserID}
	// A random index, so that a list's bits say nothing about the order
	// certificates were issued in; a taken one is drawn again.
	for range 32 {
		n, err := rand.Int(rand.Reader, big.NewInt(credential.StatusListSize))
		if err != nil {
			return nil, err
		}
		c.StatusIndex = int(n.Int64())
		c.Credential, err = s.issuer.Issue(credential.Badge{
			ID:              s.CertificateURL(id),
			Name:            cu.Certificate.Name,
			HolderName:      t.Name,
			AchievementID:   s.AchievementURL(cu.ID, t.Specialism),
			AchievementName: cu.Certificate.Short + " in " + specName,
			Description:     fmt.Sprintf("%s (%s), %s, %s curriculum.", cu.Certificate.Name, cu.Certificate.Short, specName, cu.Version),
			Criteria:        cu.Certificate.Criteria,
			FieldOfStudy:    specName,
			Started:         t.StartDate,
			Ended:           ended,
			Status:          &credential.StatusEntry{ListURL: s.StatusListURL(list), Index: c.StatusIndex, Purpose: "revocation"},
		}, now)
		if err != nil {
			return nil, err
		}
		saved, err := tx.InsertCertificate(c)
		if err != nil {
			return nil, err
		}
		if saved {
			return c, auditf(tx, by, "certificate.issue", t.ID, "issued the %s certificate %s", c.Award, c.ID)
		}
	}
	return nil, errors.New("train: no free revocation list index found in 32 draws")
}

// IssueCertificate issues a completed trainee's certificate again, after
// the one before was revoked (a corrected name, say). Completing a
// trainee issues the first.
func (s *Service) IssueCertificate(ctx context.Context, by auth.Actor, traineeID int64) (*Certificate, error) {
	return write(ctx, s, func(tx Tx) (*Certificate, error) {
		t, err := tx.LockTrainee(traineeID)
		if err != nil {
			return nil, err
		}
		if t.Status != TraineeCompleted {
			return nil, apperr.Errorf(apperr.Conflict, "%s has not completed the %s: a certificate follows completion.", t.Name, s.programmeName(t.Programme))
		}
		return s.issueCertificate(tx, by, t)
	})
}

// RevokeCertificate withdraws a certificate, with the reason, which the
// record's history keeps; the revocation list says so to anyone who
// checks it from then on. A revocation is not undone: issue a new
// certificate instead.
func (s *Service) RevokeCertificate(ctx context.Context, by auth.Actor, traineeID int64, id, reason string) (*Certificate, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.Invalidf("reason", "Say why the certificate is revoked: the record's history keeps it.")
	}
	if utf8.RuneCountInString(reason) > 2000 {
		return nil, apperr.Invalidf("reason", "Keep the reason under 2,000 characters.")
	}
	return write(ctx, s, func(tx Tx) (*Certificate, error) {
		c, err := tx.Certificate(id)
		if err == nil && c.TraineeID != traineeID {
			err = apperr.Errorf(apperr.NotFound, "There is no certificate %s on this record.", id)
		}
		if err != nil {
			return nil, err
		}
		if _, err := tx.LockTrainee(c.TraineeID); err != nil {
			return nil, err
		}
		if c, err = tx.Certificate(id); err != nil { // again, under the lock
			return nil, err
		}
		if !c.Live() {
			return nil, apperr.Errorf(apperr.Conflict, "This certificate was revoked on %s.", c.RevokedAt.UTC().Format("2 January 2006"))
		}
		now := tx.Now()
		c.RevokedAt, c.RevokedBy, c.RevokedReason = &now, by.UserID, reason
		if err := tx.UpdateCertificate(c); err != nil {
			return nil, err
		}
		return c, auditf(tx, by, "certificate.revoke", c.TraineeID, "revoked the %s certificate %s: %s", c.Award, c.ID, reason)
	})
}

// CertificatesOf lists a trainee's certificates, the live one first.
func (s *Service) CertificatesOf(ctx context.Context, traineeID int64) ([]Certificate, error) {
	return read(ctx, s, func(tx Tx) ([]Certificate, error) { return tx.CertificatesOf(traineeID) })
}

// IssuedCertificate is a certificate as anyone with its address sees it:
// what it attests and what its holder may now register for.
type IssuedCertificate struct {
	Certificate
	Holder       string
	Name         string // the certificate's name
	Programme    string
	Specialism   string
	Curriculum   string
	Started      string
	Completed    string
	Registration string
}

// IssuedCertificate finds a certificate by its id, for its public page.
func (s *Service) IssuedCertificate(ctx context.Context, id string) (*IssuedCertificate, error) {
	return read(ctx, s, func(tx Tx) (*IssuedCertificate, error) {
		c, err := tx.Certificate(id)
		if err != nil {
			return nil, err
		}
		if len(c.Credential) == 0 {
			// Its holder's data was erased; the credential they keep
			// still verifies.
			return nil, apperr.Errorf(apperr.NotFound, "There is no certificate %s.", id)
		}
		t, err := tx.Trainee(c.TraineeID)
		if err != nil {
			return nil, err
		}
		claims, err := credential.Read(c.Credential)
		if err != nil {
			return nil, err
		}
		out := &IssuedCertificate{Certificate: *c, Holder: claims.HolderName, Name: claims.Name,
			Programme: s.programmeName(t.Programme), Specialism: t.Specialism, Curriculum: t.Curriculum,
			Started: t.StartDate, Registration: s.Registration(t.Programme, t.Specialism)}
		if sp := s.f.Specialism(t.Specialism); sp != nil {
			out.Specialism = sp.Name
		}
		if t.CompletedAt != nil {
			out.Completed = t.CompletedAt.UTC().Format(time.DateOnly)
		}
		return out, nil
	})
}

// Registration says, from the framework, how someone who completed a
// programme in a specialism registers.
func (s *Service) Registration(programme, specialism string) string {
	p, sp := s.f.Programme(programme), s.f.Specialism(specialism)
	switch {
	case p == nil:
		return ""
	case p.Registration != "":
		return p.Registration
	case p.Level != nil && sp != nil:
		return p.Level.RegistrationFor(sp)
	case p.Level != nil:
		return p.Level.Registration
	}
	return ""
}

// DIDDocument is the issuer's DID document, listing every key it has
// signed with.
func (s *Service) DIDDocument(ctx context.Context) ([]byte, error) {
	did, err := credential.DIDWeb(s.publicURL)
	if err != nil {
		return nil, err
	}
	keys, err := read(ctx, s, issuerKeys)
	if err != nil {
		return nil, err
	}
	return credential.DIDDocument(did, keys)
}

// issuerKeys reads every public key the issuer has signed with.
func issuerKeys(tx Tx) ([]ed25519.PublicKey, error) {
	mks, err := tx.IssuerKeys()
	if err != nil {
		return nil, err
	}
	keys := make([]ed25519.PublicKey, 0, len(mks))
	for _, mk := range mks {
		k, err := credential.ParsePublicMultikey(mk)
		if err != nil {
			return nil, fmt.Errorf("train: issuer key %q: %w", mk, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// StatusList is a revocation list as its signed credential, with every
// certificate revoked so far set.
func (s *Service) StatusList(ctx context.Context, list int) ([]byte, error) {
	if s.issuer == nil {
		return nil, apperr.Errorf(apperr.Unavailable, "This server has no issuer key to sign its revocation lists with.")
	}
	return read(ctx, s, func(tx Tx) ([]byte, error) {
		bits, err := statusBits(tx, list)
		if err != nil {
			return nil, err
		}
		return s.issuer.IssueStatusList(s.StatusListURL(list), bits, tx.Now())
	})
}

// statusBits reads a revocation list: a bit set for each certificate of
// the list revoked so far.
func statusBits(tx Tx, list int) (credential.StatusList, error) {
	newest, _, err := tx.StatusListUse()
	if err != nil {
		return nil, err
	}
	if list < 1 || list > newest {
		return nil, apperr.Errorf(apperr.NotFound, "There is no revocation list %d.", list)
	}
	revoked, err := tx.RevokedIndexes(list)
	if err != nil {
		return nil, err
	}
	bits := credential.NewStatusList()
	for _, i := range revoked {
		bits.Set(i)
	}
	return bits, nil
}

// Check is one finding of a verification, as the page lists them.
type Check struct {
	Name   string `json:"name"`
	Passed bool   `json:"passed"`
	// Skipped marks a check not made because one before it failed.
	Skipped bool   `json:"skipped,omitempty"`
	Detail  string `json:"detail"`
}

// Verification is what checking a credential found. Valid is true only
// when every check passed: the proof matches one of this issuer's keys,
// the credential is in force, and its revocation list does not mark it.
type Verification struct {
	Valid     bool       `json:"valid"`
	Revoked   bool       `json:"revoked"`
	Summary   string     `json:"summary"`
	Checks    []Check    `json:"checks"`
	Holder    string     `json:"holder,omitempty"`
	Title     string     `json:"title,omitempty"`
	Awarded   string     `json:"achievement,omitempty"`
	IssuedAt  *time.Time `json:"issued_at,omitempty"`
	IssuerID  string     `json:"issuer,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// MaxCredentialBytes bounds a credential pasted or uploaded for checking.
const MaxCredentialBytes = 32 << 10

// Verify checks a credential someone pasted or uploaded: that it is one
// this issuer signed, unchanged, and not revoked. A credential that fails
// is a finding, not an error; only input that is not a credential at all
// is refused.
func (s *Service) Verify(ctx context.Context, raw []byte) (*Verification, error) {
	// A byte order mark, as some editors save JSON, is not part of it.
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if len(strings.TrimSpace(string(raw))) == 0 {
		return nil, apperr.Invalidf("credential", "Paste the certificate's credential (the JSON file), or choose the file.")
	}
	if len(raw) > MaxCredentialBytes {
		return nil, apperr.Invalidf("credential", "This is more than %d KB; a certificate's credential is a few KB.", MaxCredentialBytes>>10)
	}
	claims, err := credential.Read(raw)
	if err != nil {
		return nil, apperr.Invalidf("credential", "This is not a credential that can be checked: %s.", strings.TrimPrefix(err.Error(), "credential: "))
	}
	switch {
	case slices.Contains(claims.Types, "BitstringStatusListCredential"):
		return nil, apperr.Invalidf("credential", "This is a revocation list, not a certificate: check the certificate's own credential.")
	case !slices.Contains(claims.Types, "OpenBadgeCredential"):
		return nil, apperr.Invalidf("credential", "This is not a certificate: its type is %s, not OpenBadgeCredential.", strings.Join(claims.Types, ", "))
	}
	v := &Verification{IssuerID: claims.IssuerID}
	// What the credential says is shown only once its signature holds:
	// until then it is only what the file claims.
	believe := func() {
		issued := claims.ValidFrom
		v.Holder, v.Title, v.Awarded, v.IssuedAt = claims.HolderName, claims.Name, claims.AchievementName, &issued
	}
	order := []string{"Issuer", "Signature", "In force", "Not revoked"}
	fail := func(name, detail string) (*Verification, error) {
		v.Checks = append(v.Checks, Check{Name: name, Detail: text.Capitalise(detail)})
		for _, rest := range order[slices.Index(order, name)+1:] {
			v.Checks = append(v.Checks, Check{Name: rest, Skipped: true, Detail: "Not checked: the check above failed."})
		}
		v.Summary = "This certificate cannot be trusted: " + detail
		return v, nil
	}
	pass := func(name, detail string) {
		v.Checks = append(v.Checks, Check{Name: name, Passed: true, Detail: detail})
	}

	did, err := credential.DIDWeb(s.publicURL)
	if err != nil {
		return nil, err
	}
	if claims.IssuerID != did {
		return fail("Issuer", fmt.Sprintf("it names the issuer %q; this service checks only the %s's certificates (%s).", claims.IssuerID, IssuerName, did))
	}
	pass("Issuer", "It names the "+IssuerName+" as its issuer.")
	// The keys, the clock, the revocation list and the certificate's row
	// are read in one transaction: one snapshot.
	return read(ctx, s, func(tx Tx) (*Verification, error) {
		keys, err := issuerKeys(tx)
		if err != nil {
			return nil, err
		}
		var key ed25519.PublicKey
		for _, k := range keys {
			if credential.KeyID(did, k) == claims.VerificationMethod {
				key = k
			}
		}
		if key == nil {
			return fail("Signature", "its proof names a key the "+IssuerName+" has never used.")
		}
		if err := credential.Verify(raw, key); err != nil {
			return fail("Signature", strings.TrimPrefix(err.Error(), "credential: ")+".")
		}
		pass("Signature", "The signature matches the "+IssuerName+"'s published key: nothing in it was changed.")
		believe()
		now := tx.Now()
		if claims.ValidFrom.After(now) {
			return fail("In force", "it is valid only from "+claims.ValidFrom.UTC().Format("2 January 2006")+".")
		}
		if claims.ValidUntil != nil && claims.ValidUntil.Before(now) {
			return fail("In force", "it expired on "+claims.ValidUntil.UTC().Format("2 January 2006")+".")
		}
		if claims.ValidUntil != nil {
			pass("In force", "Issued on "+claims.ValidFrom.UTC().Format("2 January 2006")+", valid until "+claims.ValidUntil.UTC().Format("2 January 2006")+".")
		} else {
			pass("In force", "Issued on "+claims.ValidFrom.UTC().Format("2 January 2006")+", with no end date.")
		}
		st := claims.Status
		var list int
		if st == nil || st.Purpose != "revocation" || !strings.HasPrefix(st.ListURL, s.publicURL+"/credentials/status/") {
			return fail("Not revoked", "it has no entry in this issuer's revocation lists, so whether it was revoked cannot be checked.")
		}
		if _, err := fmt.Sscanf(strings.TrimPrefix(st.ListURL, s.publicURL+"/credentials/status/"), "%d", &list); err != nil {
			return fail("Not revoked", "its revocation list address is not one of this issuer's.")
		}
		bits, err := statusBits(tx, list)
		if apperr.Code(err) == apperr.NotFound {
			return fail("Not revoked", "its revocation list does not exist.")
		}
		if err != nil {
			return nil, err
		}
		revoked, err := bits.Get(st.Index)
		if err != nil {
			return fail("Not revoked", "its revocation list index is outside the list.")
		}
		if revoked {
			v.Revoked = true
			if id, ok := strings.CutPrefix(claims.ID, s.publicURL+"/certificates/"); ok {
				if c, err := tx.Certificate(id); err == nil {
					v.RevokedAt = c.RevokedAt
				}
			}
			when := ""
			if v.RevokedAt != nil {
				when = " on " + v.RevokedAt.UTC().Format("2 January 2006")
			}
			return fail("Not revoked", "the "+IssuerName+" revoked it"+when+".")
		}
		pass("Not revoked", "Its entry in the revocation list is clear.")
		v.Valid = true
		v.Summary = fmt.Sprintf("This is a genuine certificate: %s, issued to %s.", claims.AchievementName, claims.HolderName)
		return v, nil
	})
}

// newUUID is a random (version 4) UUID.
func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
