package recruit_test

import (
	"strings"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

// passed is a check of kind recorded as passed.
func passed(kind string) recruit.Check {
	status := recruit.CheckPassed
	if kind == recruit.CheckReferences {
		status = recruit.RefSuccess
	}
	return recruit.Check{Kind: kind, Status: status, NextActor: recruit.ActsNobody}
}

// TestPlanCheck: what recording a check does to its offer, and what is
// refused.
func TestPlanCheck(t *testing.T) {
	accepted := &recruit.Offer{ID: 7, Status: recruit.OfferAccepted}
	var fiveDone []recruit.Check
	for _, k := range recruit.CheckKinds[:5] {
		fiveDone = append(fiveDone, passed(k))
	}
	for _, tc := range []struct {
		name   string
		offer  *recruit.Offer
		stored []recruit.Check
		in     recruit.Check
		effect recruit.CheckEffect
		actor  string // who acts next, as stored
		field  string // the field named when refused as invalid
		clash  string // part of the message when refused as a conflict
	}{
		{"the first check in progress", accepted, nil, recruit.Check{Kind: recruit.CheckDBS, Status: recruit.CheckInProgress, NextActor: recruit.ActsApplicant},
			recruit.CheckKeepsOffer, recruit.ActsApplicant, "", ""},
		{"one passed of six", accepted, nil, recruit.Check{Kind: recruit.CheckIdentity, Status: recruit.CheckPassed, NextActor: recruit.ActsEmployer},
			recruit.CheckKeepsOffer, recruit.ActsNobody, "", ""},
		{"the sixth passes", accepted, fiveDone, passed(recruit.CheckHealth), recruit.CheckUnconditional, recruit.ActsNobody, "", ""},
		{"five passed and one failed", accepted, fiveDone, recruit.Check{Kind: recruit.CheckHealth, Status: recruit.CheckFailed, Note: "Not fit for the role's duties."},
			recruit.CheckWithdraws, recruit.ActsNobody, "", ""},
		{"a sixth again, over a passed one, is not all six", accepted, fiveDone, passed(recruit.CheckIdentity), recruit.CheckKeepsOffer, recruit.ActsNobody, "", ""},
		{"a passed check reopened", accepted, fiveDone, recruit.Check{Kind: recruit.CheckIdentity, Status: recruit.CheckInProgress, NextActor: recruit.ActsApplicant},
			recruit.CheckKeepsOffer, recruit.ActsApplicant, "", ""},
		{"a reference fails", accepted, nil, recruit.Check{Kind: recruit.CheckReferences, Status: recruit.RefFail, Note: "Dismissed for misconduct."},
			recruit.CheckWithdraws, recruit.ActsNobody, "", ""},
		{"a reference refused leaves it open", accepted, nil, recruit.Check{Kind: recruit.CheckReferences, Status: recruit.RefRefused, NextActor: recruit.ActsEmployer},
			recruit.CheckKeepsOffer, recruit.ActsEmployer, "", ""},
		{"an indeterminate reference leaves it open", accepted, nil, recruit.Check{Kind: recruit.CheckReferences, Status: recruit.RefIndeterminate, NextActor: recruit.ActsThirdParty},
			recruit.CheckKeepsOffer, recruit.ActsThirdParty, "", ""},
		{"a failure needs a reason", accepted, nil, recruit.Check{Kind: recruit.CheckDBS, Status: recruit.CheckFailed, Note: "  "}, 0, "", "note", ""},
		{"an open check needs someone to act", accepted, nil, recruit.Check{Kind: recruit.CheckDBS, Status: recruit.CheckInProgress}, 0, "", "next_actor", ""},
		{"nobody is not someone to act", accepted, nil, recruit.Check{Kind: recruit.CheckDBS, Status: recruit.CheckInProgress, NextActor: recruit.ActsNobody}, 0, "", "next_actor", ""},
		{"an unknown check", accepted, nil, recruit.Check{Kind: "credit", Status: recruit.CheckPassed}, 0, "", "kind", ""},
		{"a reference outcome on another check", accepted, nil, recruit.Check{Kind: recruit.CheckDBS, Status: recruit.RefSuccess}, 0, "", "status", ""},
		{"passed is not a reference outcome", accepted, nil, recruit.Check{Kind: recruit.CheckReferences, Status: recruit.CheckPassed}, 0, "", "status", ""},
		{"a note too long", accepted, nil, recruit.Check{Kind: recruit.CheckDBS, Status: recruit.CheckFailed, Note: strings.Repeat("é", 501)}, 0, "", "note", ""},
		{"a note that reorders text", accepted, nil, recruit.Check{Kind: recruit.CheckDBS, Status: recruit.CheckFailed, Note: "see \u202egnp.exe"}, 0, "", "note", ""},
		{"a note with a control character", accepted, nil, recruit.Check{Kind: recruit.CheckDBS, Status: recruit.CheckFailed, Note: "bell \a"}, 0, "", "note", ""},
		{"an offer not yet accepted", &recruit.Offer{Status: recruit.OfferHeld}, nil, passed(recruit.CheckDBS), 0, "", "", "once the applicant has accepted"},
		{"an unconditional offer", &recruit.Offer{Status: recruit.OfferUnconditional}, nil, passed(recruit.CheckDBS), 0, "", "", "already unconditional"},
		{"a withdrawn offer", &recruit.Offer{Status: recruit.OfferWithdrawn}, nil, passed(recruit.CheckDBS), 0, "", "", "this offer is withdrawn"},
		{"a declined offer", &recruit.Offer{Status: recruit.OfferDeclined}, nil, passed(recruit.CheckDBS), 0, "", "", "this offer is declined"},
	} {
		c, effect, err := recruit.PlanCheck(tc.offer, tc.stored, tc.in)
		switch {
		case tc.field != "":
			if apperr.Code(err) != apperr.Invalid || apperr.Field(err) != tc.field {
				t.Errorf("%s: %v; want invalid %s", tc.name, err, tc.field)
			}
		case tc.clash != "":
			if apperr.Code(err) != apperr.Conflict || !strings.Contains(err.Error(), tc.clash) {
				t.Errorf("%s: %v; want a conflict saying %q", tc.name, err, tc.clash)
			}
		case err != nil || effect != tc.effect || c.NextActor != tc.actor || c.OfferID != tc.offer.ID || c.Kind != tc.in.Kind || c.Status != tc.in.Status:
			t.Errorf("%s: %+v, effect %d, %v; want effect %d, next %s", tc.name, c, effect, err, tc.effect, tc.actor)
		}
	}
}

// TestOfferChecks lists all six in order, not started unless recorded.
func TestOfferChecks(t *testing.T) {
	got := recruit.OfferChecks(3, []recruit.Check{passed(recruit.CheckDBS)})
	if len(got) != 6 {
		t.Fatalf("%d checks, want 6", len(got))
	}
	for i, c := range got {
		want := recruit.CheckNotStarted
		if c.Kind == recruit.CheckDBS {
			want = recruit.CheckPassed
		}
		if c.Kind != recruit.CheckKinds[i] || c.Status != want || (c.Passed() != (want == recruit.CheckPassed)) || c.Failed() {
			t.Errorf("check %d: %+v", i, c)
		}
		if recruit.CheckNames[c.Kind] == "" {
			t.Errorf("check %s has no name", c.Kind)
		}
	}
	for _, k := range recruit.CheckKinds {
		for _, st := range recruit.CheckStatuses(k) {
			if recruit.CheckStatusNames[st] == "" {
				t.Errorf("status %s has no name", st)
			}
		}
	}
}
