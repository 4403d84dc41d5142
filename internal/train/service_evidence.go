package train

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/text"
)

// Invitation statuses. An invitation to an assessor the department has not
// approved before waits for the training officer; once sent its link works
// once, until it expires.
const (
	InvitationAwaitingApproval = "awaiting-approval"
	InvitationSent             = "sent"
	InvitationUsed             = "used"
	InvitationCancelled        = "cancelled"
)

// InvitationLife is how long an assessor's link works; ResendWait how
// long a trainee waits before sending a new one.
const (
	InvitationLife = 14 * 24 * time.Hour
	ResendWait     = time.Hour
)

// Draft is what a trainee writes for an entry of the e-portfolio.
type Draft struct {
	Kind          string
	Module        string
	Competencies  []string
	Title         string
	OccurredOn    string
	Body          string
	Shared        bool
	AssessorName  string
	AssessorEmail string
}

// ownTrainee locks a trainee's record for a change the trainee makes:
// it must be theirs and in training.
func ownTrainee(tx Tx, by auth.Actor, traineeID int64) (*Trainee, error) {
	t, err := tx.LockTrainee(traineeID)
	if err != nil {
		return nil, err
	}
	if t.UserID != by.UserID {
		return nil, apperr.Errorf(apperr.Forbidden, "Only the trainee records evidence in their e-portfolio.")
	}
	return t, t.Active()
}

// fill copies a draft into an entry and checks it against the curriculum.
func (s *Service) fill(tx Tx, t *Trainee, e *Evidence, d Draft) error {
	cu, err := s.curriculumOf(t)
	if err != nil {
		return err
	}
	e.Kind, e.Module, e.Competencies, e.Title, e.OccurredOn, e.Body, e.Shared = d.Kind, d.Module, d.Competencies, d.Title, d.OccurredOn, d.Body, d.Shared
	if err := e.Validate(cu, tx.Now()); err != nil {
		return err
	}
	if e.OccurredOn < t.StartDate {
		return apperr.Invalidf("occurred_on", "The date it happened cannot be before training started on %s", t.StartDate)
	}
	e.AssessorName, e.AssessorEmail = "", ""
	if Assessed(e.Kind) && (d.AssessorName != "" || d.AssessorEmail != "") {
		if e.AssessorName, err = text.Name("assessor_name", "The assessor's name", d.AssessorName, 200); err != nil {
			return err
		}
		if e.AssessorEmail, err = auth.CheckEmail(d.AssessorEmail); err != nil {
			return apperr.Invalidf("assessor_email", "Give the assessor's email address, like name@nhs.net")
		}
		me, err := tx.Person(t.UserID)
		if err != nil {
			return err
		}
		if auth.NormaliseEmail(me.Email) == e.AssessorEmail {
			return apperr.Invalidf("assessor_email", "An assessor is someone who observed you: you cannot assess your own work")
		}
	}
	return nil
}

// AddEvidence saves a new entry as a draft.
func (s *Service) AddEvidence(ctx context.Context, by auth.Actor, traineeID int64, d Draft) (*Evidence, error) {
	return write(ctx, s, func(tx Tx) (*Evidence, error) {
		t, err := ownTrainee(tx, by, traineeID)
		if err != nil {
			return nil, err
		}
		e := &Evidence{TraineeID: t.ID, Status: EvidenceDraft}
		if err := s.fill(tx, t, e, d); err != nil {
			return nil, err
		}
		if err := SaveEvidence(tx, e); err != nil {
			return nil, err
		}
		return e, auditf(tx, by, "evidence.add", t.ID, "draft %d saved", e.ID) // what a draft says is the trainee's until shared
	})
}

// ownEvidence loads an entry of the caller's own e-portfolio, with the
// record locked.
func ownEvidence(tx Tx, by auth.Actor, evidenceID int64) (*Trainee, *Evidence, error) {
	e, err := tx.Evidence(evidenceID)
	if err != nil {
		return nil, nil, err
	}
	t, err := ownTrainee(tx, by, e.TraineeID)
	if err != nil {
		return nil, nil, err
	}
	e, err = tx.Evidence(evidenceID) // again, under the record's lock
	return t, e, err
}

// EditEvidence changes a draft.
func (s *Service) EditEvidence(ctx context.Context, by auth.Actor, evidenceID int64, d Draft) (*Evidence, error) {
	return write(ctx, s, func(tx Tx) (*Evidence, error) {
		t, e, err := ownEvidence(tx, by, evidenceID)
		if err != nil {
			return nil, err
		}
		if err := e.Editable(); err != nil {
			return nil, err
		}
		if err := s.fill(tx, t, e, d); err != nil {
			return nil, err
		}
		if err := SaveEvidence(tx, e); err != nil {
			return nil, err
		}
		return e, auditf(tx, by, "evidence.edit", t.ID, "draft %d changed", e.ID)
	})
}

// SubmitEvidence makes a draft final. A work-based assessment goes to its
// assessor: at once, when the department has approved them before;
// otherwise once the training officer approves them.
func (s *Service) SubmitEvidence(ctx context.Context, by auth.Actor, evidenceID int64) (*Evidence, error) {
	return write(ctx, s, func(tx Tx) (*Evidence, error) {
		t, e, err := ownEvidence(tx, by, evidenceID)
		if err != nil {
			return nil, err
		}
		return e, s.submit(tx, by, t, e)
	})
}

// SaveAndSubmit changes a draft, or records a new one (evidenceID 0), and
// submits it, in one transaction: when the submission is refused, nothing
// is saved.
func (s *Service) SaveAndSubmit(ctx context.Context, by auth.Actor, traineeID, evidenceID int64, d Draft) (*Evidence, error) {
	return write(ctx, s, func(tx Tx) (*Evidence, error) {
		var t *Trainee
		e := &Evidence{Status: EvidenceDraft}
		var err error
		if evidenceID == 0 {
			if t, err = ownTrainee(tx, by, traineeID); err != nil {
				return nil, err
			}
			e.TraineeID = t.ID
		} else {
			if t, e, err = ownEvidence(tx, by, evidenceID); err != nil {
				return nil, err
			}
			if err := e.Editable(); err != nil {
				return nil, err
			}
		}
		if err := s.fill(tx, t, e, d); err != nil {
			return nil, err
		}
		if err := SaveEvidence(tx, e); err != nil {
			return nil, err
		}
		return e, s.submit(tx, by, t, e)
	})
}

func (s *Service) submit(tx Tx, by auth.Actor, t *Trainee, e *Evidence) error {
	if err := e.Editable(); err != nil {
		return err
	}
	if strings.TrimSpace(e.Body) == "" {
		return apperr.Invalidf("body", "Say what happened and what you learned before submitting")
	}
	now := tx.Now()
	e.SubmittedAt = &now
	if !Assessed(e.Kind) {
		e.Status = EvidenceSubmitted
		if err := SaveEvidence(tx, e); err != nil {
			return err
		}
		return auditf(tx, by, "evidence.submit", t.ID, "entry %d submitted: %s, module %s: %q", e.ID, EvidenceNames[e.Kind], e.Module, e.Title)
	}
	if e.AssessorEmail == "" {
		return apperr.Invalidf("assessor_email", "Name the assessor who observed you, with their email address, before submitting")
	}
	e.Status = EvidenceAwaiting
	if err := SaveEvidence(tx, e); err != nil {
		return err
	}
	inv := &Invitation{EvidenceID: e.ID, TraineeID: t.ID, Email: e.AssessorEmail, Name: e.AssessorName, ExpiresAt: now.Add(InvitationLife)}
	approved, err := tx.ApprovedAssessor(t.DepartmentID, e.AssessorEmail)
	if err != nil {
		return err
	}
	if !approved {
		inv.Status = InvitationAwaitingApproval
		if err := tx.InsertInvitation(inv); err != nil {
			return err
		}
		to, err := tx.Person(t.TrainingOfficerID)
		if err != nil {
			return err
		}
		if err := tx.Send(*to, t.UserID, "Approve an assessor", fmt.Sprintf(
			"%s has asked %s <%s> to assess their %s, and %s has not assessed in %s before.\n\nApprove or refuse the assessor: %s/training/trainees/%d\n",
			t.Name, e.AssessorName, e.AssessorEmail, EvidenceNames[e.Kind], e.AssessorName, t.Department, s.publicURL, t.ID)); err != nil {
			return err
		}
		return auditf(tx, by, "evidence.submit", t.ID, "assessment %d submitted: %s, module %s: %q; assessor %s waits for approval", e.ID, EvidenceNames[e.Kind], e.Module, e.Title, e.AssessorEmail)
	}
	if err := s.sendInvitation(tx, t, e, inv, true); err != nil {
		return err
	}
	return auditf(tx, by, "evidence.submit", t.ID, "assessment %d submitted: %s, module %s: %q; invitation sent to %s", e.ID, EvidenceNames[e.Kind], e.Module, e.Title, e.AssessorEmail)
}

// sendInvitation gives an invitation a new token and sends its link: a
// token is made only when a link is sent, and only its hash is kept.
func (s *Service) sendInvitation(tx Tx, t *Trainee, e *Evidence, inv *Invitation, insert bool) error {
	token, hash := newToken()
	inv.TokenHash, inv.Status, inv.ExpiresAt = hash, InvitationSent, tx.Now().Add(InvitationLife)
	var err error
	if insert {
		err = tx.InsertInvitation(inv)
	} else {
		err = tx.UpdateInvitation(inv)
	}
	if err != nil {
		return err
	}
	return tx.Send(Person{Name: inv.Name, Email: inv.Email}, t.UserID, "Please assess a healthcare science trainee", fmt.Sprintf(
		"%s, a trainee in %s at %s, asks you to complete their %s: %q on %s.\n\n"+
			"You do not need an account. The link works once, until %s:\n%s/assess/%s\n\n"+
			"If you did not observe this, you can ignore this message.\n",
		t.Name, t.Department, t.Organisation, EvidenceNames[e.Kind], e.Title, e.OccurredOn,
		inv.ExpiresAt.UTC().Format("2 January 2006"), s.publicURL, token))
}

func newToken() (string, []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the hash of an invitation's token, as the store keeps it.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// ApproveAssessor is the training officer's answer to an assessor the
// department has not approved before: approved, the link is sent; refused,
// the trainee is told and the assessment goes back to a draft.
func (s *Service) ApproveAssessor(ctx context.Context, by auth.Actor, invitationID int64, approve bool) (*Invitation, error) {
	return write(ctx, s, func(tx Tx) (*Invitation, error) {
		inv, err := tx.Invitation(invitationID)
		if err != nil {
			return nil, err
		}
		t, err := tx.LockTrainee(inv.TraineeID)
		if err != nil {
			return nil, err
		}
		if err := t.Active(); err != nil {
			return nil, err
		}
		if by.UserID != t.TrainingOfficerID {
			return nil, apperr.Errorf(apperr.Forbidden, "Only the trainee's training officer approves their assessors.")
		}
		if inv, err = tx.Invitation(invitationID); err != nil {
			return nil, err
		}
		if inv.Status != InvitationAwaitingApproval {
			return nil, apperr.Errorf(apperr.Conflict, "This assessor is not waiting for approval.")
		}
		e, err := tx.Evidence(inv.EvidenceID)
		if err != nil {
			return nil, err
		}
		if !approve {
			inv.Status = InvitationCancelled
			if err := tx.UpdateInvitation(inv); err != nil {
				return nil, err
			}
			e.Status, e.SubmittedAt = EvidenceDraft, nil
			if err := SaveEvidence(tx, e); err != nil {
				return nil, err
			}
			me, err := tx.Person(t.UserID)
			if err != nil {
				return nil, err
			}
			if err := tx.Send(*me, t.UserID, "Choose another assessor", fmt.Sprintf(
				"Your training officer did not approve %s as the assessor of %q. It is a draft again: choose another assessor and submit it.\n\n%s/trainee/evidence/%d\n",
				inv.Name, e.Title, s.publicURL, e.ID)); err != nil {
				return nil, err
			}
			return inv, auditf(tx, by, "assessor.refuse", t.ID, "assessor %s refused for assessment %d", inv.Email, e.ID)
		}
		if err := tx.ApproveAssessor(t.DepartmentID, inv.Email, by.UserID); err != nil {
			return nil, err
		}
		inv.ApprovedBy = by.UserID
		if err := s.sendInvitation(tx, t, e, inv, false); err != nil {
			return nil, err
		}
		return inv, auditf(tx, by, "assessor.approve", t.ID, "assessor %s approved in %s; invitation sent for assessment %d", inv.Email, t.Department, e.ID)
	})
}

// ResendInvitation sends a new link when the last one expired or was lost;
// the old link stops working.
func (s *Service) ResendInvitation(ctx context.Context, by auth.Actor, evidenceID int64) (*Invitation, error) {
	return write(ctx, s, func(tx Tx) (*Invitation, error) {
		t, e, err := ownEvidence(tx, by, evidenceID)
		if err != nil {
			return nil, err
		}
		if e.Status != EvidenceAwaiting {
			return nil, apperr.Errorf(apperr.Conflict, "This entry is not waiting for an assessor.")
		}
		invs, err := tx.Invitations([]int64{t.ID})
		if err != nil {
			return nil, err
		}
		for i := range invs {
			inv := &invs[i]
			if inv.EvidenceID != e.ID || inv.Status != InvitationSent {
				continue
			}
			if sent := inv.ExpiresAt.Add(-InvitationLife); tx.Now().Sub(sent) < ResendWait {
				return nil, apperr.Errorf(apperr.TooManyRequests, "A link was sent at %s; a new one can be sent an hour after the last.", sent.UTC().Format("15:04 UTC"))
			}
			if err := s.sendInvitation(tx, t, e, inv, false); err != nil {
				return nil, err
			}
			return inv, auditf(tx, by, "assessor.resend", t.ID, "new link sent to %s for assessment %d", inv.Email, e.ID)
		}
		return nil, apperr.Errorf(apperr.Conflict, "The assessor has not been approved yet; the link goes once the training officer approves them.")
	})
}

// Assignment is what an assessor sees through their link.
type Assignment struct {
	Invitation *Invitation
	Evidence   *Evidence
	Trainee    *Trainee
	Module     *Module
	// Files are the entry's attachments, without their bytes.
	Files []Attachment
}

// openInvitation finds a usable invitation by its token.
func (s *Service) openInvitation(tx Tx, token string) (*Assignment, error) {
	if len(token) < 20 || len(token) > 100 {
		return nil, apperr.Errorf(apperr.NotFound, "This link is not one hcs sent, or it was replaced by a newer one.")
	}
	inv, err := tx.InvitationByToken(HashToken(token))
	if err != nil {
		return nil, err
	}
	switch {
	case inv.Status == InvitationUsed:
		return nil, apperr.Errorf(apperr.Conflict, "This assessment was completed on %s; the link works once.", inv.UsedAt.UTC().Format("2 January 2006"))
	case inv.Status != InvitationSent:
		return nil, apperr.Errorf(apperr.Conflict, "This link no longer works: the trainee withdrew it.")
	case !tx.Now().Before(inv.ExpiresAt):
		return nil, apperr.Errorf(apperr.Conflict, "This link expired on %s. Ask the trainee to send a new one.", inv.ExpiresAt.UTC().Format("2 January 2006"))
	}
	e, err := tx.Evidence(inv.EvidenceID)
	if err != nil {
		return nil, err
	}
	t, err := tx.Trainee(inv.TraineeID)
	if err != nil {
		return nil, err
	}
	cu, err := s.curriculumOf(t)
	if err != nil {
		return nil, err
	}
	return &Assignment{Invitation: inv, Evidence: e, Trainee: t, Module: cu.Module(e.Module)}, nil
}

// Assignment opens an assessor's link.
func (s *Service) Assignment(ctx context.Context, token string) (*Assignment, error) {
	return read(ctx, s, func(tx Tx) (*Assignment, error) {
		a, err := s.openInvitation(tx, token)
		if err != nil {
			return nil, err
		}
		a.Files, err = tx.Attachments(a.Trainee.ID, a.Evidence.ID)
		return a, err
	})
}

// Assess is the assessor's judgement through their link, which then stops
// working.
func (s *Service) Assess(ctx context.Context, by auth.Actor, token, judgement, feedback string) (*Evidence, error) {
	return write(ctx, s, func(tx Tx) (*Evidence, error) {
		a, err := s.openInvitation(tx, token)
		if err != nil {
			return nil, err
		}
		if _, ok := JudgementNames[judgement]; !ok {
			return nil, apperr.Invalidf("judgement", "Choose satisfactory or not yet")
		}
		if feedback, err = text.Para("feedback", "Your feedback", feedback, 5000); err != nil {
			return nil, err
		}
		if feedback == "" {
			return nil, apperr.Invalidf("feedback", "Give the trainee feedback: what went well and what to develop")
		}
		t, err := tx.LockTrainee(a.Trainee.ID)
		if err != nil {
			return nil, err
		}
		if err := t.Active(); err != nil {
			return nil, err
		}
		now := tx.Now()
		inv := a.Invitation
		inv.Status, inv.UsedAt = InvitationUsed, &now
		if err := tx.UpdateInvitation(inv); err != nil {
			return nil, err
		}
		e := a.Evidence
		e.Status, e.Judgement, e.Feedback, e.AssessedAt = EvidenceAssessed, judgement, feedback, &now
		if err := SaveEvidence(tx, e); err != nil {
			return nil, err
		}
		me, err := tx.Person(t.UserID)
		if err != nil {
			return nil, err
		}
		if err := tx.Send(*me, t.UserID, "Your assessment is complete", fmt.Sprintf("%s has completed your %s %q.\n\n%s/trainee/evidence/%d\n",
			inv.Name, EvidenceNames[e.Kind], e.Title, s.publicURL, e.ID)); err != nil {
			return nil, err
		}
		by.Process = "assessor " + inv.Email
		return e, auditf(tx, by, "evidence.assess", t.ID, "assessment %d completed by %s <%s>: %s", e.ID, inv.Name, inv.Email, judgement)
	})
}

// EvidenceWithTrainee loads one entry with its trainee's record, as a
// portfolio holding only that entry.
func (s *Service) EvidenceWithTrainee(ctx context.Context, evidenceID int64) (*Portfolio, error) {
	return read(ctx, s, func(tx Tx) (*Portfolio, error) {
		e, err := tx.Evidence(evidenceID)
		if err != nil {
			return nil, err
		}
		t, err := tx.Trainee(e.TraineeID)
		if err != nil {
			return nil, err
		}
		return &Portfolio{Trainee: t, Evidence: []Evidence{*e}}, nil
	})
}

// VisibleEvidence lists a trainee's entries as a viewer sees them: the
// trainee sees every entry; everyone else sees submitted ones and drafts
// the trainee shared.
func VisibleEvidence(t *Trainee, viewer int64, all []Evidence) []Evidence {
	if viewer == t.UserID {
		return all
	}
	out := make([]Evidence, 0, len(all))
	for _, e := range all {
		if e.VisibleToTeam() {
			out = append(out, e)
		}
	}
	return out
}
