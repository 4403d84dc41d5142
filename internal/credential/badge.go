package credential

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Contexts of an Open Badges 3.0 credential: VC Data Model 2.0, then
// Open Badges 3.0.3.
var badgeContext = []string{
	"https://www.w3.org/ns/credentials/v2",
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
}

// Issuer signs credentials as one organisation. Its identifier is a
// did:web, whose document (DIDDocument) lists the public keys at
// /.well-known/did.json on the issuer's host.
type Issuer struct {
	DID  string // did:web:host
	Name string // as the credential names its issuer
	URL  string // the issuer's web address
	Key  ed25519.PrivateKey
}

// NewIssuer makes the issuer served at publicURL.
func NewIssuer(publicURL, name string, key ed25519.PrivateKey) (*Issuer, error) {
	did, err := DIDWeb(publicURL)
	if err != nil {
		return nil, err
	}
	return &Issuer{DID: did, Name: name, URL: strings.TrimSuffix(publicURL, "/"), Key: key}, nil
}

// KeyID is the verification method a proof names: the DID and the public
// key's multikey as its fragment.
func (i *Issuer) KeyID() string { return KeyID(i.DID, i.Key.Public().(ed25519.PublicKey)) }

// KeyID names a public key within a DID document.
func KeyID(did string, pub ed25519.PublicKey) string { return did + "#" + PublicMultikey(pub) }

// DIDWeb is the did:web identifier of a host: "did:web:" and the host,
// its port's colon written %3A. The document lives at
// https://host/.well-known/did.json; a path in publicURL is not part of
// the identifier.
func DIDWeb(publicURL string) (string, error) {
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("credential: the public address %q has no host, so the issuer has no did:web", publicURL)
	}
	return "did:web:" + strings.ReplaceAll(strings.ToLower(u.Host), ":", "%3A"), nil
}

// DIDDocument is the issuer's DID document: every key that has signed its
// credentials, each usable for assertions, so that credentials signed
// before a new key was brought in still verify.
func DIDDocument(did string, keys []ed25519.PublicKey) ([]byte, error) {
	type method struct {
		ID                 string `json:"id"`
		Type               string `json:"type"`
		Controller         string `json:"controller"`
		PublicKeyMultibase string `json:"publicKeyMultibase"`
	}
	doc := struct {
		Context            []string `json:"@context"`
		ID                 string   `json:"id"`
		VerificationMethod []method `json:"verificationMethod"`
		AssertionMethod    []string `json:"assertionMethod"`
	}{Context: []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"}, ID: did,
		VerificationMethod: []method{}, AssertionMethod: []string{}}
	for _, k := range keys {
		id := KeyID(did, k)
		doc.VerificationMethod = append(doc.VerificationMethod, method{ID: id, Type: "Multikey", Controller: did, PublicKeyMultibase: PublicMultikey(k)})
		doc.AssertionMethod = append(doc.AssertionMethod, id)
	}
	return json.MarshalIndent(doc, "", "  ")
}

// Badge is what a completion certificate says: who completed what, and
// when. Issue writes it as an Open Badges 3.0 OpenBadgeCredential.
type Badge struct {
	ID         string // the credential's address
	Name       string // the certificate's name
	HolderName string
	// Achievement is what was completed, as Open Badges describes it.
	AchievementID   string
	AchievementName string
	Description     string
	Criteria        string
	FieldOfStudy    string
	Specialization  string
	Started, Ended  string // YYYY-MM-DD
	Status          *StatusEntry
}

// StatusEntry is a credential's place in a Bitstring Status List.
type StatusEntry struct {
	ListURL string
	Index   int
	Purpose string // "revocation"
}

// Issue signs the badge as an OpenBadgeCredential, valid from at.
func (i *Issuer) Issue(b Badge, at time.Time) ([]byte, error) {
	if b.ID == "" || b.HolderName == "" || b.AchievementID == "" || b.AchievementName == "" || b.Criteria == "" {
		return nil, errors.New("credential: a badge needs its id, holder, achievement and criteria")
	}
	type identity struct {
		Type         string `json:"type"`
		IdentityType string `json:"identityType"`
		Hashed       bool   `json:"hashed"`
		IdentityHash string `json:"identityHash"`
	}
	type criteria struct {
		Narrative string `json:"narrative"`
	}
	type achievement struct {
		ID              string   `json:"id"`
		Type            []string `json:"type"`
		AchievementType string   `json:"achievementType"`
		Name            string   `json:"name"`
		Description     string   `json:"description"`
		Criteria        criteria `json:"criteria"`
		FieldOfStudy    string   `json:"fieldOfStudy,omitempty"`
		Specialization  string   `json:"specialization,omitempty"`
	}
	type subject struct {
		Type              []string    `json:"type"`
		Identifier        []identity  `json:"identifier"`
		Achievement       achievement `json:"achievement"`
		ActivityStartDate string      `json:"activityStartDate,omitempty"`
		ActivityEndDate   string      `json:"activityEndDate,omitempty"`
	}
	type profile struct {
		ID   string   `json:"id"`
		Type []string `json:"type"`
		Name string   `json:"name"`
		URL  string   `json:"url,omitempty"`
	}
	type status struct {
		ID                   string `json:"id"`
		Type                 string `json:"type"`
		StatusPurpose        string `json:"statusPurpose"`
		StatusListIndex      string `json:"statusListIndex"`
		StatusListCredential string `json:"statusListCredential"`
	}
	doc := struct {
		Context          []string `json:"@context"`
		ID               string   `json:"id"`
		Type             []string `json:"type"`
		Issuer           profile  `json:"issuer"`
		ValidFrom        string   `json:"validFrom"`
		Name             string   `json:"name"`
		CredentialStatus *status  `json:"credentialStatus,omitempty"`
		Subject          subject  `json:"credentialSubject"`
	}{
		Context:   badgeContext,
		ID:        b.ID,
		Type:      []string{"VerifiableCredential", "OpenBadgeCredential"},
		Issuer:    profile{ID: i.DID, Type: []string{"Profile"}, Name: i.Name, URL: i.URL},
		ValidFrom: at.UTC().Format(time.RFC3339),
		Name:      b.Name,
		Subject: subject{
			Type:       []string{"AchievementSubject"},
			Identifier: []identity{{Type: "IdentityObject", IdentityType: "name", Hashed: false, IdentityHash: b.HolderName}},
			Achievement: achievement{ID: b.AchievementID, Type: []string{"Achievement"}, AchievementType: "Certificate",
				Name: b.AchievementName, Description: b.Description, Criteria: criteria{b.Criteria},
				FieldOfStudy: b.FieldOfStudy, Specialization: b.Specialization},
			ActivityStartDate: dateTime(b.Started),
			ActivityEndDate:   dateTime(b.Ended),
		},
	}
	if e := b.Status; e != nil {
		doc.CredentialStatus = &status{ID: e.ListURL + "#" + strconv.Itoa(e.Index), Type: "BitstringStatusListEntry",
			StatusPurpose: e.Purpose, StatusListIndex: strconv.Itoa(e.Index), StatusListCredential: e.ListURL}
	}
	unsigned, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return i.sign(unsigned, at)
}

func (i *Issuer) sign(unsigned []byte, at time.Time) ([]byte, error) {
	return Sign(unsigned, i.Key, Options{Created: at, VerificationMethod: i.KeyID(), ProofPurpose: assertionMethod})
}

// dateTime writes a date as Open Badges' activity dates want it: a
// date-time at the start of the day, UTC.
func dateTime(date string) string {
	if date == "" {
		return ""
	}
	return date + "T00:00:00Z"
}

// Claims are what a credential says, read without trusting it: Check
// says whether its proof holds.
type Claims struct {
	ID                 string
	Types              []string
	IssuerID           string
	IssuerName         string
	VerificationMethod string
	Name               string
	HolderName         string
	AchievementName    string
	ValidFrom          time.Time
	ValidUntil         *time.Time
	Status             *StatusEntry
}

// Read parses a credential's claims and its proof's verification method,
// and says what is missing from a well-formed credential.
func Read(signed []byte) (*Claims, error) {
	doc, err := decodeObject(signed)
	if err != nil {
		return nil, err
	}
	var raw struct {
		ID        string          `json:"id"`
		Type      json.RawMessage `json:"type"`
		Issuer    json.RawMessage `json:"issuer"`
		ValidFrom string          `json:"validFrom"`
		ValidTo   string          `json:"validUntil"`
		Name      string          `json:"name"`
		Status    json.RawMessage `json:"credentialStatus"`
		Subject   struct {
			Identifier []struct {
				IdentityType string `json:"identityType"`
				Hashed       bool   `json:"hashed"`
				IdentityHash string `json:"identityHash"`
			} `json:"identifier"`
			Achievement struct {
				Name string `json:"name"`
			} `json:"achievement"`
		} `json:"credentialSubject"`
		Proof struct {
			VerificationMethod string `json:"verificationMethod"`
		} `json:"proof"`
	}
	if _, ok := doc["proof"].(map[string]any); !ok {
		if _, there := doc["proof"]; there {
			return nil, errors.New("credential: its proof must be one object")
		}
		return nil, errors.New("credential: it has no proof, so nothing shows who issued it")
	}
	for _, field := range []string{"credentialSubject", "credentialStatus"} {
		if v, there := doc[field]; there {
			if _, ok := v.(map[string]any); !ok {
				return nil, fmt.Errorf("credential: its %s must be one object", field)
			}
		}
	}
	if err := json.Unmarshal(signed, &raw); err != nil {
		return nil, errors.New("credential: a field does not hold what a credential's does (text, an object or a list)")
	}
	c := &Claims{ID: raw.ID, Name: raw.Name, VerificationMethod: raw.Proof.VerificationMethod, AchievementName: raw.Subject.Achievement.Name}
	if err := oneOrMany(raw.Type, &c.Types); err != nil || !slices.Contains(c.Types, "VerifiableCredential") {
		return nil, errors.New(`credential: its type does not include "VerifiableCredential"`)
	}
	var issuer struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if len(raw.Issuer) == 0 {
		return nil, errors.New("credential: it names no issuer")
	}
	if json.Unmarshal(raw.Issuer, &c.IssuerID) != nil {
		if err := json.Unmarshal(raw.Issuer, &issuer); err != nil {
			return nil, errors.New("credential: its issuer is neither an address nor a profile")
		}
		c.IssuerID, c.IssuerName = issuer.ID, issuer.Name
	}
	if c.IssuerID == "" {
		return nil, errors.New("credential: it names no issuer")
	}
	if c.ValidFrom, err = time.Parse(time.RFC3339, raw.ValidFrom); err != nil {
		return nil, errors.New("credential: its validFrom is not a date and time (RFC 3339)")
	}
	if raw.ValidTo != "" {
		until, err := time.Parse(time.RFC3339, raw.ValidTo)
		if err != nil {
			return nil, errors.New("credential: its validUntil is not a date and time (RFC 3339)")
		}
		c.ValidUntil = &until
	}
	for _, id := range raw.Subject.Identifier {
		if id.IdentityType == "name" && !id.Hashed {
			c.HolderName = id.IdentityHash
		}
	}
	if len(raw.Status) > 0 && string(raw.Status) != "null" {
		var entry struct {
			Type    string `json:"type"`
			Purpose string `json:"statusPurpose"`
			Index   string `json:"statusListIndex"`
			List    string `json:"statusListCredential"`
		}
		if err := json.Unmarshal(raw.Status, &entry); err != nil || entry.Type != "BitstringStatusListEntry" {
			return nil, errors.New("credential: its credentialStatus is not one BitstringStatusListEntry")
		}
		n, err := strconv.Atoi(entry.Index)
		if err != nil || n < 0 || strconv.Itoa(n) != entry.Index {
			return nil, fmt.Errorf("credential: its statusListIndex %q is not a whole number", entry.Index)
		}
		c.Status = &StatusEntry{ListURL: entry.List, Index: n, Purpose: entry.Purpose}
	}
	return c, nil
}

// oneOrMany reads a JSON string or array of strings.
func oneOrMany(raw json.RawMessage, out *[]string) error {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		*out = []string{one}
		return nil
	}
	return json.Unmarshal(raw, out)
}
