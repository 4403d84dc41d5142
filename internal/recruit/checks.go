package recruit

import (
	"slices"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/text"
)

// The six NHS Employers pre-employment check standards, which an employer
// completes before an accepted offer becomes unconditional.
const (
	CheckIdentity     = "identity"
	CheckRightToWork  = "right_to_work"
	CheckRegistration = "registration" // professional registration and qualifications
	CheckReferences   = "references"   // employment history and references
	CheckDBS          = "dbs"          // criminal record (DBS)
	CheckHealth       = "health"       // work health assessment
)

// CheckKinds lists the checks in the order pages show them.
var CheckKinds = []string{CheckIdentity, CheckRightToWork, CheckRegistration, CheckReferences, CheckDBS, CheckHealth}

// CheckNames names each check for people.
var CheckNames = map[string]string{
	CheckIdentity:     "Identity",
	CheckRightToWork:  "Right to work",
	CheckRegistration: "Professional registration and qualifications",
	CheckReferences:   "Employment history and references",
	CheckDBS:          "Criminal record check (DBS)",
	CheckHealth:       "Work health assessment",
}

// Check statuses. Every check starts not started and ends passed or
// failed; a reference check ends as the reference did: success, refused
// (the referee would not give one), indeterminate, or fail. A refused or
// indeterminate reference leaves the check open: the employer seeks
// another.
const (
	CheckNotStarted   = "not_started"
	CheckInProgress   = "in_progress"
	CheckPassed       = "passed"
	CheckFailed       = "failed"
	RefSuccess        = "success"
	RefRefused        = "refused"
	RefIndeterminate  = "indeterminate"
	RefFail           = "fail"
	maxCheckNoteRunes = 500
)

// CheckStatusNames names each status for people.
var CheckStatusNames = map[string]string{
	CheckNotStarted: "Not started", CheckInProgress: "In progress", CheckPassed: "Passed", CheckFailed: "Failed",
	RefSuccess: "Reference received: success", RefRefused: "Reference refused", RefIndeterminate: "Reference indeterminate", RefFail: "Reference received: fail",
}

// CheckStatuses lists the statuses a check of kind may have.
func CheckStatuses(kind string) []string {
	if kind == CheckReferences {
		return []string{CheckNotStarted, CheckInProgress, RefSuccess, RefRefused, RefIndeterminate, RefFail}
	}
	return []string{CheckNotStarted, CheckInProgress, CheckPassed, CheckFailed}
}

// Who acts next on a check.
const (
	ActsApplicant  = "applicant"   // e.g. to bring documents
	ActsEmployer   = "employer"    // e.g. to seek another reference
	ActsThirdParty = "third_party" // a referee, the DBS, occupational health
	ActsNobody     = "nobody"      // the check has ended
)

// ActorNames names who acts next, for people.
var ActorNames = map[string]string{ActsApplicant: "The applicant", ActsEmployer: "The employer", ActsThirdParty: "Someone else (a referee, the DBS, occupational health)", ActsNobody: "Nobody: the check has ended"}

// Check is one pre-employment check of an accepted offer.
type Check struct {
	OfferID   int64      `json:"offer_id"`
	Kind      string     `json:"kind"`
	Status    string     `json:"status"`
	NextActor string     `json:"next_actor"`
	Note      string     `json:"note,omitempty"`
	ChangedAt *time.Time `json:"changed_at,omitempty"` // nil until first recorded
	ChangedBy int64      `json:"-"`
}

// Passed reports whether the check has passed.
func (c *Check) Passed() bool { return c.Status == CheckPassed || c.Status == RefSuccess }

// Failed reports whether the check has failed, which withdraws its offer.
func (c *Check) Failed() bool { return c.Status == CheckFailed || c.Status == RefFail }

// OfferChecks is the six checks of an offer, in CheckKinds order: those
// recorded as stored, the rest not started.
func OfferChecks(offerID int64, stored []Check) []Check {
	out := make([]Check, len(CheckKinds))
	for i, kind := range CheckKinds {
		out[i] = Check{OfferID: offerID, Kind: kind, Status: CheckNotStarted, NextActor: ActsEmployer}
		if j := slices.IndexFunc(stored, func(c Check) bool { return c.Kind == kind }); j >= 0 {
			out[i] = stored[j]
		}
	}
	return out
}

// CheckEffect is what recording a check does to its offer.
type CheckEffect int

const (
	CheckKeepsOffer    CheckEffect = iota // the offer stays conditional
	CheckUnconditional                    // every check has passed
	CheckWithdraws                        // the check failed
)

// PlanCheck decides a change to one of an offer's checks: the check as it
// will be stored and what it does to the offer. Checks are recorded only
// on an accepted, conditional offer, so a check cannot change after its
// offer became unconditional or was withdrawn, declined or superseded. A
// failed check needs a reason, which the applicant reads; an ended check
// has nobody to act next, and an open one has somebody. The applicant
// reads every check's status and note.
func PlanCheck(o *Offer, stored []Check, in Check) (Check, CheckEffect, error) {
	if o.Status != OfferAccepted {
		if o.Status == OfferUnconditional {
			return Check{}, 0, apperr.Errorf(apperr.Conflict, "This offer is already unconditional: its checks are complete and cannot change.")
		}
		return Check{}, 0, apperr.Errorf(apperr.Conflict, "Checks are recorded once the applicant has accepted the offer; this offer is %s.", o.Status)
	}
	if !slices.Contains(CheckKinds, in.Kind) {
		return Check{}, 0, apperr.Invalidf("kind", "Choose one of the six checks")
	}
	if !slices.Contains(CheckStatuses(in.Kind), in.Status) {
		return Check{}, 0, apperr.Invalidf("status", "Choose a status for the %s check", strings.ToLower(CheckNames[in.Kind]))
	}
	note, err := text.Para("note", "The note", in.Note, maxCheckNoteRunes)
	if err != nil {
		return Check{}, 0, err
	}
	in.Note = note
	next := Check{OfferID: o.ID, Kind: in.Kind, Status: in.Status, NextActor: in.NextActor, Note: in.Note}
	switch {
	case next.Failed():
		if next.Note == "" {
			return Check{}, 0, apperr.Invalidf("note", "Say why the check failed: the applicant reads this reason when the offer is withdrawn")
		}
		next.NextActor = ActsNobody
		return next, CheckWithdraws, nil
	case next.Passed():
		next.NextActor = ActsNobody
	case !slices.Contains([]string{ActsApplicant, ActsEmployer, ActsThirdParty}, next.NextActor):
		return Check{}, 0, apperr.Invalidf("next_actor", "Say who must act next on the check")
	}
	all := OfferChecks(o.ID, stored)
	for i := range all {
		if all[i].Kind == next.Kind {
			all[i] = next
		}
	}
	if !slices.ContainsFunc(all, func(c Check) bool { return !c.Passed() }) {
		return next, CheckUnconditional, nil
	}
	return next, CheckKeepsOffer, nil
}
