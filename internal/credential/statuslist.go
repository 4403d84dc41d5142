package credential

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// StatusListSize is how many credentials one Bitstring Status List holds:
// the specification's minimum of 131,072 (16 KiB), so that one entry does
// not stand out among few.
const StatusListSize = 131072

// StatusList is a Bitstring Status List: one bit per credential, set when
// the credential is revoked. Index 0 is the first byte's highest bit.
type StatusList []byte

// NewStatusList is a list with no bit set.
func NewStatusList() StatusList { return make(StatusList, StatusListSize/8) }

// Set sets a credential's bit.
func (l StatusList) Set(i int) { l[i/8] |= 0x80 >> (i % 8) }

// Get reads a credential's bit; an index outside the list is an error.
func (l StatusList) Get(i int) (bool, error) {
	if i < 0 || i >= len(l)*8 {
		return false, fmt.Errorf("credential: status index %d is outside the list of %d entries", i, len(l)*8)
	}
	return l[i/8]&(0x80>>(i%8)) != 0, nil
}

// Encode writes the list as the specification's encodedList: "u" and the
// unpadded base64url of the gzipped bits.
func (l StatusList) Encode() string {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(l)
	zw.Close()
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

// DecodeStatusList reads an encodedList.
func DecodeStatusList(s string) (StatusList, error) {
	if len(s) < 2 || s[0] != 'u' {
		return nil, errors.New("credential: an encodedList is multibase base64url, starting with u")
	}
	z, err := base64.RawURLEncoding.DecodeString(s[1:])
	if err != nil {
		return nil, fmt.Errorf("credential: encodedList: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("credential: encodedList: %w", err)
	}
	// A list larger than a few times the minimum is not one hcs wrote.
	bits, err := io.ReadAll(io.LimitReader(zr, 16*StatusListSize/8+1))
	if err != nil {
		return nil, fmt.Errorf("credential: encodedList: %w", err)
	}
	if len(bits) < StatusListSize/8 || len(bits) > 16*StatusListSize/8 {
		return nil, fmt.Errorf("credential: the status list holds %d bytes; between %d and %d are expected", len(bits), StatusListSize/8, 16*StatusListSize/8)
	}
	return StatusList(bits), nil
}

// IssueStatusList signs the list as a BitstringStatusListCredential at
// its address, valid from at.
func (i *Issuer) IssueStatusList(listURL string, l StatusList, at time.Time) ([]byte, error) {
	type subject struct {
		ID            string `json:"id"`
		Type          string `json:"type"`
		StatusPurpose string `json:"statusPurpose"`
		EncodedList   string `json:"encodedList"`
	}
	unsigned, err := json.Marshal(struct {
		Context   []string `json:"@context"`
		ID        string   `json:"id"`
		Type      []string `json:"type"`
		Issuer    string   `json:"issuer"`
		ValidFrom string   `json:"validFrom"`
		Subject   subject  `json:"credentialSubject"`
	}{
		Context:   []string{"https://www.w3.org/ns/credentials/v2"},
		ID:        listURL,
		Type:      []string{"VerifiableCredential", "BitstringStatusListCredential"},
		Issuer:    i.DID,
		ValidFrom: at.UTC().Format(time.RFC3339),
		Subject:   subject{ID: listURL + "#list", Type: "BitstringStatusList", StatusPurpose: "revocation", EncodedList: l.Encode()},
	})
	if err != nil {
		return nil, err
	}
	return i.sign(unsigned, at)
}

// ReadStatusList reads the list out of a BitstringStatusListCredential
// (whose proof the caller checks).
func ReadStatusList(signed []byte) (StatusList, error) {
	var c struct {
		Subject struct {
			Type        string `json:"type"`
			EncodedList string `json:"encodedList"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(signed, &c); err != nil || c.Subject.Type != "BitstringStatusList" {
		return nil, errors.New("credential: not a BitstringStatusListCredential")
	}
	return DecodeStatusList(c.Subject.EncodedList)
}
