package train

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// supervising locks a record for a change one of its supervisors or its
// training officer makes.
func supervising(tx Tx, by auth.Actor, traineeID int64) (*Trainee, error) {
	t, err := tx.LockTrainee(traineeID)
	if err != nil {
		return nil, err
	}
	if !t.Supervises(by.UserID) && t.TrainingOfficerID != by.UserID {
		return nil, apperr.Errorf(apperr.Forbidden, "Only the trainee's supervisors and training officer sign off their work.")
	}
	return t, t.Active()
}

// SignOff signs off a competency of a module, or the module as a whole
// when competency is empty, for a trainee.
func (s *Service) SignOff(ctx context.Context, by auth.Actor, traineeID int64, module, competency string) (*SignOff, error) {
	return write(ctx, s, func(tx Tx) (*SignOff, error) {
		t, err := supervising(tx, by, traineeID)
		if err != nil {
			return nil, err
		}
		cu, err := s.curriculumOf(t)
		if err != nil {
			return nil, err
		}
		m := cu.Module(module)
		if m == nil {
			return nil, apperr.Invalidf("module", "%q is not a module of the %s", module, cu.Name)
		}
		p, err := loadPortfolio(tx, t.ID)
		if err != nil {
			return nil, err
		}
		current := p.SignOff(module, competency)
		if competency == "" {
			err = CanSignModule(m, current, p.Competencies(module), p.Evidence)
		} else {
			err = CanSignCompetency(m, competency, p.SignOff(module, ""), current, p.Evidence)
		}
		if err != nil {
			return nil, err
		}
		if current == nil {
			current = &SignOff{TraineeID: t.ID, Module: module, Competency: competency}
		}
		current.Status, current.SignedBy, current.SignedAt = SignedOff, by.UserID, tx.Now()
		current.ReopenedBy, current.ReopenedAt, current.ReopenReason, current.ImportedFrom = 0, nil, "", "" // signed here now
		if current.ID == 0 {
			err = tx.InsertSignOff(current)
		} else {
			err = tx.UpdateSignOff(current)
		}
		if err != nil {
			return nil, err
		}
		return current, auditf(tx, by, "signoff.sign", t.ID, "%s signed off", current.Item())
	})
}

// Reopen unlocks a signed-off item, with the reason kept in its history.
func (s *Service) Reopen(ctx context.Context, by auth.Actor, traineeID int64, module, competency, reason string) (*SignOff, error) {
	return write(ctx, s, func(tx Tx) (*SignOff, error) {
		t, err := supervising(tx, by, traineeID)
		if err != nil {
			return nil, err
		}
		sos, err := tx.SignOffs([]int64{t.ID})
		if err != nil {
			return nil, err
		}
		p := &Portfolio{Trainee: t, SignOffs: sos}
		current := p.SignOff(module, competency)
		if current == nil {
			return nil, apperr.Errorf(apperr.Conflict, "%s is not signed off, so there is nothing to reopen.", capital(Item(module, competency)))
		}
		if reason, err = CanReopen(t, current, p.SignOff(module, ""), by.UserID, reason); err != nil {
			return nil, err
		}
		now := tx.Now()
		current.Status, current.ReopenedBy, current.ReopenedAt, current.ReopenReason = Reopened, by.UserID, &now, reason
		if err := tx.UpdateSignOff(current); err != nil {
			return nil, err
		}
		return current, auditf(tx, by, "signoff.reopen", t.ID, "%s reopened: %s", current.Item(), reason)
	})
}

// EarliestReview is how many months before its due month a review may be
// held.
const EarliestReview = 6

// RecordReview records a progress review the national school's panel
// held: for a review decided by a rule, whether the rule held, and what
// was missing, when it met; for one with outcomes, the outcome chosen.
func (s *Service) RecordReview(ctx context.Context, by auth.Actor, traineeID int64, r ReviewRecord) (*ReviewRecord, error) {
	return write(ctx, s, func(tx Tx) (*ReviewRecord, error) {
		t, err := tx.LockTrainee(traineeID)
		if err != nil {
			return nil, err
		}
		if err := t.Active(); err != nil {
			return nil, err
		}
		cu, err := s.curriculumOf(t)
		if err != nil {
			return nil, err
		}
		rv := cu.Review(r.Review)
		if rv == nil {
			return nil, apperr.Invalidf("review", "%q is not a review of the %s", r.Review, cu.Name)
		}
		if len(rv.Months()) == 1 && r.Month == 0 {
			r.Month = rv.DueMonth
		}
		if err := r.Validate(rv, t, tx.Now()); err != nil {
			return nil, err
		}
		p, err := loadPortfolio(tx, t.ID)
		if err != nil {
			return nil, err
		}
		// A panel may meet up to six months before a review is due, not
		// earlier: an early record would stand in for the real one.
		if held, _ := time.Parse(DateFormat, r.HeldOn); MonthsIn(t.StartDate, held, p.Changes) < r.Month-EarliestReview {
			return nil, apperr.Invalidf("held_on", "%s is due on %s; a panel cannot record it more than %d months before", rv.Title, DueDate(t.StartDate, r.Month, p.Changes), EarliestReview)
		}
		r.TraineeID, r.RecordedBy = t.ID, by.UserID
		if rv.Rule != nil {
			// The panel's meeting is part of what the rule reads.
			pr := p.Progress(cu)
			pr.Meetings[rv.Meeting] = true
			res := cu.Check(rv.Rule, pr)
			r.Met, r.Missing = res.Met, res.Missing
		}
		if err := tx.InsertReview(&r); err != nil {
			return nil, err
		}
		found := "met"
		switch {
		case len(rv.Outcomes) > 0:
			found = fmt.Sprintf("outcome %d", r.Outcome)
		case !r.Met:
			found = "not met: " + strings.Join(r.Missing, "; ")
		}
		if err := auditf(tx, by, "review.record", t.ID, "%s (month %d) held on %s: %s", rv.Title, r.Month, r.HeldOn, found); err != nil {
			return nil, err
		}
		me, err := tx.Person(t.UserID)
		if err != nil {
			return nil, err
		}
		return &r, tx.Send(*me, t.UserID, "Your progress review", fmt.Sprintf("The panel recorded your %s, held on %s: %s.\n\n%s/trainee\n",
			strings.ToLower(rv.Title[:1])+rv.Title[1:], r.HeldOn, found, s.publicURL))
	})
}

// AddRecord records something the rules read that the national school
// confirms: a passed final assessment, an awarded degree.
func (s *Service) AddRecord(ctx context.Context, by auth.Actor, traineeID int64, name, on string) (*Record, error) {
	return write(ctx, s, func(tx Tx) (*Record, error) {
		t, err := tx.LockTrainee(traineeID)
		if err != nil {
			return nil, err
		}
		if err := t.Active(); err != nil {
			return nil, err
		}
		cu, err := s.curriculumOf(t)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(cu.Records(), name) {
			return nil, apperr.Invalidf("name", "Choose one of the records the %s reads: %s", cu.Name, joinList(cu.Records()))
		}
		day, err := ParseDate("recorded_on", "The date", on)
		if err != nil {
			return nil, err
		}
		if day.After(tx.Now()) {
			return nil, apperr.Invalidf("recorded_on", "The date cannot be in the future")
		}
		if on < t.StartDate {
			return nil, apperr.Invalidf("recorded_on", "The date cannot be before training started on %s", t.StartDate)
		}
		r := &Record{TraineeID: t.ID, Name: name, RecordedOn: on, RecordedBy: by.UserID}
		if err := tx.InsertRecord(r); err != nil {
			return nil, err
		}
		return r, auditf(tx, by, "record.add", t.ID, "%s, on %s", name, on)
	})
}

// Complete closes the record of a trainee whose completion rule holds.
func (s *Service) Complete(ctx context.Context, by auth.Actor, traineeID int64) (*Trainee, error) {
	return write(ctx, s, func(tx Tx) (*Trainee, error) {
		t, err := tx.LockTrainee(traineeID)
		if err != nil {
			return nil, err
		}
		if err := t.Active(); err != nil {
			return nil, err
		}
		cu, err := s.curriculumOf(t)
		if err != nil {
			return nil, err
		}
		p, err := loadPortfolio(tx, t.ID)
		if err != nil {
			return nil, err
		}
		if res := cu.Check(cu.Completion, p.Progress(cu)); !res.Met {
			return nil, apperr.Errorf(apperr.Conflict, "The %s is not complete yet: %s.", s.programmeName(t.Programme), strings.Join(res.Missing, "; "))
		}
		now := tx.Now()
		t.Status, t.CompletedAt = TraineeCompleted, &now
		if err := tx.UpdateTrainee(t); err != nil {
			return nil, err
		}
		if err := auditf(tx, by, "trainee.complete", t.ID, "completed the %s", s.programmeName(t.Programme)); err != nil {
			return nil, err
		}
		// Completion and its certificate are one step: the record never
		// shows a completed trainee without one.
		if _, err := s.issueCertificate(tx, by, t); err != nil {
			return nil, err
		}
		return t, nil
	})
}

// Leave ends a person's training, as erasing their data does first: each
// record still open (waiting to be confirmed, or in training) is closed
// as left, and every assessor's link still waiting is cancelled, so that
// nobody acts on the record again. Completed records, and the
// certificates they gave, stand. Each record is one transaction with its
// row locked; leaving again changes nothing.
func (s *Service) Leave(ctx context.Context, by auth.Actor, userID int64) error {
	records, err := read(ctx, s, func(tx Tx) ([]Trainee, error) { return tx.Trainees(Filter{UserIDs: []int64{userID}}) })
	if err != nil {
		return err
	}
	for _, r := range records {
		err := s.store.Write(ctx, func(tx Tx) error {
			t, err := tx.LockTrainee(r.ID)
			if err != nil {
				return err
			}
			if t.Status != TraineePending && t.Status != TraineeActive {
				return nil
			}
			invs, err := tx.Invitations([]int64{t.ID})
			if err != nil {
				return err
			}
			for i := range invs {
				if inv := &invs[i]; inv.Status == InvitationAwaitingApproval || inv.Status == InvitationSent {
					inv.Status, inv.TokenHash = InvitationCancelled, nil
					if err := tx.UpdateInvitation(inv); err != nil {
						return err
					}
				}
			}
			t.Status = TraineeLeft
			if err := tx.UpdateTrainee(t); err != nil {
				return err
			}
			return auditf(tx, by, "trainee.leave", t.ID, "left the %s", s.programmeName(t.Programme))
		})
		if err != nil {
			return err
		}
	}
	return nil
}
