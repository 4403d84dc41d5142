package credential

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func testIssuer(t *testing.T) *Issuer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	iss, err := NewIssuer("https://hcs.example.nhs.uk:8443/", "National School of Healthcare Science", priv)
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

func TestDIDWeb(t *testing.T) {
	for in, want := range map[string]string{
		"https://hcs.example.nhs.uk":       "did:web:hcs.example.nhs.uk",
		"https://HCS.example.nhs.uk/":      "did:web:hcs.example.nhs.uk",
		"http://127.0.0.1:8080":            "did:web:127.0.0.1%3A8080",
		"https://hcs.example.nhs.uk/train": "did:web:hcs.example.nhs.uk",
	} {
		if got, err := DIDWeb(in); err != nil || got != want {
			t.Errorf("DIDWeb(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := DIDWeb("not a url"); err == nil {
		t.Error("an address without a host gave a DID")
	}
}

func TestIssuedBadgeVerifiesAndReadsBack(t *testing.T) {
	iss := testIssuer(t)
	at := time.Date(2027, 9, 30, 10, 0, 0, 0, time.UTC)
	signed, err := iss.Issue(Badge{ID: "https://hcs.example.nhs.uk:8443/certificates/abc", Name: "Certificate of Completion of the Scientist Training Programme",
		HolderName: "Siân Ó'Brien", AchievementID: "https://hcs.example.nhs.uk:8443/achievements/stp-2023/audiology", AchievementName: "CCSTP in Audiology",
		Criteria: "Every module signed off, the final assessment and the MSc.", FieldOfStudy: "Audiology", Started: "2024-09-02", Ended: "2027-09-01",
		Status: &StatusEntry{ListURL: "https://hcs.example.nhs.uk:8443/credentials/status/1", Index: 94567, Purpose: "revocation"}}, at)
	if err != nil {
		t.Fatal(err)
	}
	pub := iss.Key.Public().(ed25519.PublicKey)
	if err := Verify(signed, pub); err != nil {
		t.Fatal(err)
	}
	c, err := Read(signed)
	if err != nil {
		t.Fatal(err)
	}
	if c.HolderName != "Siân Ó'Brien" || c.IssuerID != "did:web:hcs.example.nhs.uk%3A8443" || c.AchievementName != "CCSTP in Audiology" ||
		!c.ValidFrom.Equal(at) || c.VerificationMethod != iss.KeyID() || c.Status == nil || c.Status.Index != 94567 || c.Status.Purpose != "revocation" {
		t.Errorf("claims read back: %+v", c)
	}
	var doc map[string]any
	json.Unmarshal(signed, &doc)
	status := doc["credentialStatus"].(map[string]any)
	if status["statusListIndex"] != "94567" {
		t.Errorf("the status index is written %#v; the specification wants a string", status["statusListIndex"])
	}
	subject := doc["credentialSubject"].(map[string]any)
	if subject["activityEndDate"] != "2027-09-01T00:00:00Z" {
		t.Errorf("activityEndDate = %v", subject["activityEndDate"])
	}
	// Another key does not verify it, nor does a changed holder.
	other := testIssuer(t)
	if err := Verify(signed, other.Key.Public().(ed25519.PublicKey)); err == nil {
		t.Error("another issuer's key verified the badge")
	}
	changed := bytes.Replace(signed, []byte("Siân"), []byte("Sian"), 1)
	if err := Verify(changed, pub); err == nil {
		t.Error("a changed holder name verified")
	}
}

func TestIssueRefusesAnIncompleteBadge(t *testing.T) {
	if _, err := testIssuer(t).Issue(Badge{ID: "x", AchievementID: "y", AchievementName: "z", Criteria: "c"}, time.Now()); err == nil {
		t.Error("a badge without a holder was issued")
	}
}

func TestReadSaysWhatIsWrong(t *testing.T) {
	iss := testIssuer(t)
	good, err := iss.Issue(Badge{ID: "https://x/c/1", HolderName: "A", AchievementID: "https://x/a", AchievementName: "B", Criteria: "C"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	json.Unmarshal(good, &doc)
	edit := func(f func(map[string]any)) []byte {
		var d map[string]any
		json.Unmarshal(good, &d)
		f(d)
		b, _ := json.Marshal(d)
		return b
	}
	for name, tc := range map[string]struct {
		in   []byte
		want string
	}{
		"not json":      {[]byte("hello"), "not JSON"},
		"array":         {[]byte("[]"), "one JSON object"},
		"no proof":      {edit(func(d map[string]any) { delete(d, "proof") }), "no proof"},
		"no issuer":     {edit(func(d map[string]any) { delete(d, "issuer") }), "no issuer"},
		"wrong type":    {edit(func(d map[string]any) { d["type"] = []string{"Thing"} }), "VerifiableCredential"},
		"bad validFrom": {edit(func(d map[string]any) { d["validFrom"] = "yesterday" }), "validFrom"},
		"bad status":    {edit(func(d map[string]any) { d["credentialStatus"] = map[string]any{"type": "StatusList2021Entry"} }), "BitstringStatusListEntry"},
		"negative index": {edit(func(d map[string]any) {
			d["credentialStatus"] = map[string]any{"type": "BitstringStatusListEntry", "statusListIndex": "-1"}
		}), "whole number"},
		"repeated key": {[]byte(`{"id": "a", "id": "b"}`), "appears twice"},
	} {
		if _, err := Read(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want an error naming %q", name, err, tc.want)
		}
	}
}

func TestDIDDocumentListsEveryKey(t *testing.T) {
	a, b := testIssuer(t), testIssuer(t)
	keys := []ed25519.PublicKey{a.Key.Public().(ed25519.PublicKey), b.Key.Public().(ed25519.PublicKey)}
	doc, err := DIDDocument(a.DID, keys)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		ID                 string `json:"id"`
		VerificationMethod []struct {
			ID, Type, Controller, PublicKeyMultibase string
		} `json:"verificationMethod"`
		AssertionMethod []string `json:"assertionMethod"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	if d.ID != a.DID || len(d.VerificationMethod) != 2 || len(d.AssertionMethod) != 2 || d.AssertionMethod[0] != a.KeyID() {
		t.Fatalf("DID document: %s", doc)
	}
	for i, m := range d.VerificationMethod {
		pub, err := ParsePublicMultikey(m.PublicKeyMultibase)
		if err != nil || !pub.Equal(keys[i]) || m.Type != "Multikey" || m.Controller != a.DID {
			t.Errorf("method %d: %+v", i, m)
		}
	}
}

func TestStatusList(t *testing.T) {
	l := NewStatusList()
	// An empty list of 131,072 entries compresses to almost nothing.
	if enc := l.Encode(); len(enc) > 100 || enc[0] != 'u' {
		t.Errorf("an empty list encodes to %d characters: %s", len(enc), enc)
	}
	for _, i := range []int{0, 7, 8, 94567, StatusListSize - 1} {
		l.Set(i)
	}
	back, err := DecodeStatusList(l.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if back[0] != 0x81 || back[1] != 0x80 {
		t.Errorf("bit order: first bytes %08b %08b; index 0 is the highest bit", back[0], back[1])
	}
	for i, want := range map[int]bool{0: true, 1: false, 6: false, 7: true, 8: true, 9: false, 94566: false, 94567: true, 94568: false, StatusListSize - 1: true} {
		if got, err := back.Get(i); err != nil || got != want {
			t.Errorf("bit %d = %v, %v; want %v", i, got, err, want)
		}
	}
	if _, err := back.Get(StatusListSize); err == nil {
		t.Error("an index past the end read as a bit")
	}
	if _, err := back.Get(-1); err == nil {
		t.Error("a negative index read as a bit")
	}
	for _, bad := range []string{"", "z123", "u!!!", "u" + "AAAA"} {
		if _, err := DecodeStatusList(bad); err == nil {
			t.Errorf("DecodeStatusList(%q) gave a list", bad)
		}
	}
	iss := testIssuer(t)
	signed, err := iss.IssueStatusList("https://x/credentials/status/1", l, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(signed, iss.Key.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	read, err := ReadStatusList(signed)
	if err != nil || !bytes.Equal(read, l) {
		t.Errorf("the list read back from its credential differs: %v", err)
	}
}
