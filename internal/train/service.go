package train

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/credential"
	"hcs/internal/framework"
)

// Service is training to registration: every action loads what it needs
// in one transaction, decides by the rules in this package, saves, and
// writes its audit entry in the same transaction, about the trainee's
// record, so that the record's history is the audit log's. Who may call
// each action is the permission table's business (the web package asks it
// first, against the record's Target); the service refuses what no role
// may do: confirming someone else's trainee, signing off without
// evidence, reopening another supervisor's sign-off, acting on a closed
// record.
type Service struct {
	store     Store
	f         *framework.Framework
	curricula *Curricula
	publicURL string
	// issuer signs completion certificates; nil until UseIssuer.
	issuer *credential.Issuer
}

// NewService returns the service over a store, with the framework and the
// curricula, and the address links in messages point to.
func NewService(store Store, f *framework.Framework, c *Curricula, publicURL string) *Service {
	return &Service{store: store, f: f, curricula: c, publicURL: strings.TrimSuffix(publicURL, "/")}
}

// Curricula returns the curricula the service follows.
func (s *Service) Curricula() *Curricula { return s.curricula }

// RecordType is the audit log's name for a trainee's record: every
// training action is logged against the record, and its history read
// back from there.
const RecordType = "trainee"

// read runs fn in a read-only transaction and returns what it sets.
func read[T any](ctx context.Context, s *Service, fn func(tx Tx) (T, error)) (T, error) {
	var out T
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

// write runs fn in a read-write transaction and returns what it sets.
func write[T any](ctx context.Context, s *Service, fn func(tx Tx) (T, error)) (T, error) {
	var out T
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

func auditf(tx Tx, by auth.Actor, action string, traineeID int64, format string, args ...any) error {
	return tx.Audit(by, action, RecordType, traineeID, fmt.Sprintf(format, args...))
}

// Target is what the permission table compares for a trainee's record:
// the trainee, the organisation and department they train in, and the
// people named on it.
func (t *Trainee) Target() auth.Target {
	return auth.Target{UserID: t.UserID, OrganisationID: t.OrganisationID, DepartmentID: t.DepartmentID,
		Team: auth.Team{TraineeID: t.ID, Members: append(slices.Clone(t.Supervisors), t.TrainingOfficerID)}}
}

// curriculumOf returns a trainee's curriculum.
func (s *Service) curriculumOf(t *Trainee) (*Curriculum, error) {
	cu := s.curricula.Curriculum(t.Curriculum)
	if cu == nil {
		return nil, apperr.Errorf(apperr.Internal, "trainee %d follows curriculum %q, which is not in the data", t.ID, t.Curriculum)
	}
	return cu, nil
}

// Trainee loads a trainee's record.
func (s *Service) Trainee(ctx context.Context, id int64) (*Trainee, error) {
	return read(ctx, s, func(tx Tx) (*Trainee, error) { return tx.Trainee(id) })
}

// Placements lists unconditional offers whose training record is not made yet.
func (s *Service) Placements(ctx context.Context, f PlacementFilter) ([]Placement, error) {
	return read(ctx, s, func(tx Tx) ([]Placement, error) { return tx.Placements(f) })
}

// Placement loads one unconditional offer waiting for its training record.
func (s *Service) Placement(ctx context.Context, offerID int64) (*Placement, error) {
	return read(ctx, s, func(tx Tx) (*Placement, error) { return tx.Placement(offerID) })
}

// Staff lists the people who may be named as supervisors or training
// officers in an organisation.
func (s *Service) Staff(ctx context.Context, organisationID int64) (supervisors, officers []Person, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		if supervisors, err = eligibleSupervisors(tx, organisationID); err != nil {
			return err
		}
		officers, err = tx.Staff(organisationID, auth.RoleTrainingOfficer)
		return err
	})
	return supervisors, officers, err
}

// eligibleSupervisors are the organisation's supervisors and training
// officers: a training officer may supervise too.
func eligibleSupervisors(tx Tx, organisationID int64) ([]Person, error) {
	sup, err := tx.Staff(organisationID, auth.RoleSupervisor)
	if err != nil {
		return nil, err
	}
	tos, err := tx.Staff(organisationID, auth.RoleTrainingOfficer)
	if err != nil {
		return nil, err
	}
	for _, p := range tos {
		if !slices.ContainsFunc(sup, func(q Person) bool { return q.ID == p.ID }) {
			sup = append(sup, p)
		}
	}
	slices.SortFunc(sup, func(a, b Person) int { return strings.Compare(a.Name, b.Name) })
	return sup, nil
}

// Team is who a trainee trains with: their department, training officer
// and supervisors.
type Team struct {
	DepartmentID      int64
	TrainingOfficerID int64
	Supervisors       []int64
}

// checkTeam checks a team against the organisation the trainee trains in:
// the department is the organisation's and trains in the trainee's
// specialism (or names none), the training officer holds that role in
// the department, and each supervisor supervises or is a training officer
// in the organisation.
func (s *Service) checkTeam(tx Tx, traineeUserID, organisationID int64, specialism string, team *Team) (*auth.Department, error) {
	if team.DepartmentID <= 0 {
		return nil, apperr.Invalidf("department_id", "Choose the department the trainee trains in")
	}
	d, err := tx.Department(team.DepartmentID)
	if apperr.Code(err) == apperr.NotFound || err == nil && d.OrganisationID != organisationID {
		return nil, apperr.Invalidf("department_id", "Choose a department of the employer")
	}
	if err != nil {
		return nil, err
	}
	if !DepartmentTrains(d, specialism) {
		return nil, apperr.Invalidf("department_id", "%s trains in %s, not %s", d.Name, s.specialismName(d.Specialism), s.specialismName(specialism))
	}
	ok, err := tx.HoldsRole(team.TrainingOfficerID, auth.RoleTrainingOfficer, d.ID)
	if err != nil {
		return nil, err
	}
	if !ok || team.TrainingOfficerID == traineeUserID {
		return nil, apperr.Invalidf("training_officer_id", "Choose a training officer of %s", d.Name)
	}
	if team.Supervisors, err = CheckSupervisors(traineeUserID, team.Supervisors); err != nil {
		return nil, err
	}
	eligible, err := eligibleSupervisors(tx, organisationID)
	if err != nil {
		return nil, err
	}
	for _, id := range team.Supervisors {
		if !slices.ContainsFunc(eligible, func(p Person) bool { return p.ID == id }) {
			return nil, apperr.Invalidf("supervisors", "Supervisors are the employer's supervisors or training officers; account %d is neither", id)
		}
	}
	return d, nil
}

// DepartmentTrains reports whether a department trains in a specialism:
// its own, or any when it names none.
func DepartmentTrains(d *auth.Department, specialism string) bool {
	return d.Specialism == "" || d.Specialism == specialism
}

// names joins people's names for the history.
func names(tx Tx, ids []int64) (string, error) {
	out := make([]string, len(ids))
	for i, id := range ids {
		p, err := tx.Person(id)
		if err != nil {
			return "", err
		}
		out[i] = p.Name
	}
	return joinList(out), nil
}

// Enrolment makes a training record from an unconditional offer.
type Enrolment struct {
	OfferID   int64
	Team      Team
	StartDate string // the round's start date when empty
}

// Enrol makes a pending training record from an unconditional offer (one
// accepted, with every pre-employment check passed), on the
// curriculum in force on the start date, and asks its training officer to
// confirm it. One offer makes one record.
func (s *Service) Enrol(ctx context.Context, by auth.Actor, in Enrolment) (*Trainee, error) {
	return write(ctx, s, func(tx Tx) (*Trainee, error) {
		pl, err := tx.LockPlacement(in.OfferID)
		if err != nil {
			return nil, err
		}
		if pl.OfferStatus != "unconditional" {
			return nil, apperr.Errorf(apperr.Conflict, "Offer %d is %s: training starts from an unconditional offer, once every pre-employment check has passed.", pl.OfferID, pl.OfferStatus)
		}
		if err := noRecordInProgress(tx, pl.UserID); err != nil {
			return nil, err
		}
		start := in.StartDate
		if start == "" {
			start = pl.StartDate
		}
		startDay, err := ParseDate("start_date", "The start date", start)
		if err != nil {
			return nil, err
		}
		if round, _ := time.Parse(DateFormat, pl.StartDate); startDay.Sub(round).Abs() > 366*24*time.Hour {
			return nil, apperr.Invalidf("start_date", "The start date is within a year of the post's start, %s", pl.StartDate)
		}
		prog := s.f.Programme(pl.Programme)
		if prog == nil || prog.DurationMonths <= 0 {
			return nil, apperr.Errorf(apperr.Conflict, "Programme %q has no length in the framework data, so training cannot be planned.", pl.Programme)
		}
		cu := s.curricula.InForce(pl.Programme, pl.Specialism, start)
		if cu == nil {
			return nil, apperr.Errorf(apperr.Conflict, "No curriculum of the %s in %s is in force on %s in the curriculum data.", prog.Name, s.specialismName(pl.Specialism), start)
		}
		d, err := s.checkTeam(tx, pl.UserID, pl.OrganisationID, pl.Specialism, &in.Team)
		if err != nil {
			return nil, err
		}
		end, err := ExpectedEnd(start, prog.DurationMonths, nil)
		if err != nil {
			return nil, err
		}
		t := &Trainee{UserID: pl.UserID, Name: pl.Name, OfferID: pl.OfferID, Programme: pl.Programme, Specialism: pl.Specialism,
			Curriculum: cu.ID, OrganisationID: pl.OrganisationID, Organisation: pl.Organisation, DepartmentID: d.ID, Department: d.Name,
			Region: pl.Region, TrainingOfficerID: in.Team.TrainingOfficerID, Supervisors: in.Team.Supervisors,
			StartDate: start, ExpectedEnd: end, Status: TraineePending}
		if err := tx.InsertTrainee(t); err != nil {
			if apperr.Code(err) == apperr.Conflict {
				return nil, apperr.Errorf(apperr.Conflict, "Offer %d already has a training record.", pl.OfferID)
			}
			return nil, err
		}
		if err := tx.GrantTrainee(t.UserID); err != nil {
			return nil, err
		}
		sup, err := names(tx, t.Supervisors)
		if err != nil {
			return nil, err
		}
		if err := auditf(tx, by, "trainee.enrol", t.ID, "from offer %d: %s in %s, %s, %s; curriculum %s; starts %s, expected end %s; supervisors %s",
			pl.OfferID, prog.Name, s.specialismName(t.Specialism), t.Organisation, t.Department, cu.ID, t.StartDate, t.ExpectedEnd, sup); err != nil {
			return nil, err
		}
		to, err := tx.Person(t.TrainingOfficerID)
		if err != nil {
			return nil, err
		}
		if err := tx.Send(*to, t.UserID, "Confirm a new trainee", fmt.Sprintf(
			"%s starts the %s in %s in %s on %s, and you are named as their training officer.\n\nCheck the record and confirm it: %s/training/trainees/%d\n",
			t.Name, prog.Name, s.specialismName(t.Specialism), t.Department, t.StartDate, s.publicURL, t.ID)); err != nil {
			return nil, err
		}
		return t, nil
	})
}

// noRecordInProgress holds a person's account and refuses a second
// training record in progress for them: a person trains in one place at
// a time, whether their record comes from an offer or an import.
func noRecordInProgress(tx Tx, userID int64) error {
	p, err := tx.Person(userID)
	if err != nil {
		return err
	}
	if _, err := tx.LockPersonByEmail(p.Email); err != nil {
		return err
	}
	open, err := tx.Trainees(Filter{UserIDs: []int64{userID}})
	if err != nil {
		return err
	}
	for _, o := range open {
		if o.Status == TraineePending || o.Status == TraineeActive {
			return apperr.Errorf(apperr.Conflict, "This person already has a training record in progress here.")
		}
	}
	return nil
}

// Confirm is the training officer's confirmation of a new record: from
// then on it takes evidence and sign-offs.
func (s *Service) Confirm(ctx context.Context, by auth.Actor, traineeID int64) (*Trainee, error) {
	return write(ctx, s, func(tx Tx) (*Trainee, error) {
		t, err := tx.LockTrainee(traineeID)
		if err != nil {
			return nil, err
		}
		if t.Status != TraineePending {
			return nil, apperr.Errorf(apperr.Conflict, "This training record is %s, not waiting for confirmation.", t.Status)
		}
		if by.UserID != t.TrainingOfficerID {
			return nil, apperr.Errorf(apperr.Forbidden, "Only the training officer named on the record confirms it.")
		}
		now := tx.Now()
		t.Status, t.ConfirmedAt = TraineeActive, &now
		if err := tx.UpdateTrainee(t); err != nil {
			return nil, err
		}
		if err := auditf(tx, by, "trainee.confirm", t.ID, "confirmed"); err != nil {
			return nil, err
		}
		me, err := tx.Person(t.UserID)
		if err != nil {
			return nil, err
		}
		return t, tx.Send(*me, t.UserID, "Your training record is ready", fmt.Sprintf(
			"Your training officer has confirmed your record for the %s in %s, starting %s.\n\nRecord your evidence and see what is due: %s/trainee\n",
			s.programmeName(t.Programme), s.specialismName(t.Specialism), t.StartDate, s.publicURL))
	})
}

// ChangeTeam names a trainee's training officer and supervisors again,
// in the same department.
func (s *Service) ChangeTeam(ctx context.Context, by auth.Actor, traineeID int64, team Team) (*Trainee, error) {
	return write(ctx, s, func(tx Tx) (*Trainee, error) {
		t, err := tx.LockTrainee(traineeID)
		if err != nil {
			return nil, err
		}
		if t.Status == TraineeCompleted || t.Status == TraineeLeft {
			return nil, t.Active()
		}
		team.DepartmentID = t.DepartmentID
		if _, err := s.checkTeam(tx, t.UserID, t.OrganisationID, t.Specialism, &team); err != nil {
			return nil, err
		}
		t.TrainingOfficerID, t.Supervisors = team.TrainingOfficerID, team.Supervisors
		if err := tx.UpdateTrainee(t); err != nil {
			return nil, err
		}
		to, err := names(tx, []int64{t.TrainingOfficerID})
		if err != nil {
			return nil, err
		}
		sup, err := names(tx, t.Supervisors)
		if err != nil {
			return nil, err
		}
		return t, auditf(tx, by, "trainee.team", t.ID, "training officer %s; supervisors %s", to, sup)
	})
}

// RecordChange records time out of training, part-time working or a
// transfer, and moves the expected end. A transfer names the new
// department and, in it, the trainee's new team.
func (s *Service) RecordChange(ctx context.Context, by auth.Actor, traineeID int64, c Change, team Team) (*Trainee, error) {
	return write(ctx, s, func(tx Tx) (*Trainee, error) {
		t, err := tx.LockTrainee(traineeID)
		if err != nil {
			return nil, err
		}
		if err := t.Active(); err != nil {
			return nil, err
		}
		c.ToDepartmentID = team.DepartmentID
		if err := c.Validate(); err != nil {
			return nil, err
		}
		if c.From < t.StartDate {
			return nil, apperr.Invalidf("from", "The change cannot begin before training started on %s", t.StartDate)
		}
		detail := fmt.Sprintf("%s from %s to %s", strings.ToLower(ChangeNames[c.Kind]), c.From, c.To)
		if c.Kind == ChangePartTime {
			detail += fmt.Sprintf(" at %d%% of full time", c.Percent)
		}
		if c.Kind == ChangeTransfer {
			d, err := tx.Department(team.DepartmentID)
			if err != nil {
				if apperr.Code(err) == apperr.NotFound {
					return nil, apperr.Invalidf("department_id", "Choose the department the trainee moves to")
				}
				return nil, err
			}
			if d.ID == t.DepartmentID {
				return nil, apperr.Invalidf("department_id", "The trainee already trains in %s", d.Name)
			}
			if _, err := s.checkTeam(tx, t.UserID, d.OrganisationID, t.Specialism, &team); err != nil {
				return nil, err
			}
			org, err := tx.Organisation(d.OrganisationID)
			if err != nil {
				return nil, err
			}
			detail += fmt.Sprintf(", to %s, %s", d.Name, org.Name)
			t.OrganisationID, t.Organisation, t.Region = org.ID, org.Name, org.Region
			t.DepartmentID, t.Department = d.ID, d.Name
			t.TrainingOfficerID, t.Supervisors = team.TrainingOfficerID, team.Supervisors
		}
		changes, err := tx.Changes([]int64{t.ID})
		if err != nil {
			return nil, err
		}
		if err := c.Overlaps(changes); err != nil {
			return nil, err
		}
		c.TraineeID, c.RecordedBy = t.ID, by.UserID
		if err := tx.InsertChange(&c); err != nil {
			return nil, err
		}
		changes = append(changes, c)
		prog := s.f.Programme(t.Programme)
		if t.ExpectedEnd, err = ExpectedEnd(t.StartDate, prog.DurationMonths, changes); err != nil {
			return nil, err
		}
		if err := tx.UpdateTrainee(t); err != nil {
			return nil, err
		}
		return t, auditf(tx, by, "trainee.change", t.ID, "%s (%s); expected end now %s", detail, c.Reason, t.ExpectedEnd)
	})
}

// Portfolio loads a trainee's whole record.
func (s *Service) Portfolio(ctx context.Context, traineeID int64) (*Portfolio, error) {
	return read(ctx, s, func(tx Tx) (*Portfolio, error) { return loadPortfolio(tx, traineeID) })
}

func loadPortfolio(tx Tx, traineeID int64) (*Portfolio, error) {
	t, err := tx.Trainee(traineeID)
	if err != nil {
		return nil, err
	}
	p := &Portfolio{Trainee: t}
	ids := []int64{t.ID}
	if p.Evidence, err = tx.EvidenceOf(t.ID); err != nil {
		return nil, err
	}
	if p.SignOffs, err = tx.SignOffs(ids); err != nil {
		return nil, err
	}
	if p.Reviews, err = tx.Reviews(ids); err != nil {
		return nil, err
	}
	if p.Records, err = tx.Records(ids); err != nil {
		return nil, err
	}
	if p.Changes, err = tx.Changes(ids); err != nil {
		return nil, err
	}
	return p, nil
}

// Status computes a trainee's progress now.
func (s *Service) Status(ctx context.Context, p *Portfolio) (Status, error) {
	cu, err := s.curriculumOf(p.Trainee)
	if err != nil {
		return Status{}, err
	}
	var now Status
	err = s.store.Read(ctx, func(tx Tx) error {
		now = Assess(cu, p, tx.Now())
		return nil
	})
	return now, err
}

// Names maps people's ids to their names, for pages.
func (s *Service) Names(ctx context.Context, ids []int64) (map[int64]string, error) {
	return read(ctx, s, func(tx Tx) (map[int64]string, error) {
		out := make(map[int64]string, len(ids))
		for _, id := range ids {
			if _, ok := out[id]; ok || id == 0 {
				continue
			}
			p, err := tx.Person(id)
			if err != nil {
				return nil, err
			}
			out[id] = p.Name
		}
		return out, nil
	})
}

// Invitations lists the invitations sent, or waiting to be sent, to a
// trainee's assessors.
func (s *Service) Invitations(ctx context.Context, traineeID int64) ([]Invitation, error) {
	return read(ctx, s, func(tx Tx) ([]Invitation, error) { return tx.Invitations([]int64{traineeID}) })
}

// Invitation loads one invitation to an assessor.
func (s *Service) Invitation(ctx context.Context, id int64) (*Invitation, error) {
	return read(ctx, s, func(tx Tx) (*Invitation, error) { return tx.Invitation(id) })
}

// History lists the changes to a trainee's record, oldest first.
func (s *Service) History(ctx context.Context, traineeID int64) ([]HistoryEntry, error) {
	return read(ctx, s, func(tx Tx) ([]HistoryEntry, error) { return tx.History(traineeID) })
}

// Cohort is the status of every trainee a filter lists, those with
// exceptions first, then by expected end.
func (s *Service) Cohort(ctx context.Context, f Filter) ([]Status, error) {
	return read(ctx, s, func(tx Tx) ([]Status, error) {
		ts, err := tx.Trainees(f)
		if err != nil || len(ts) == 0 {
			return []Status{}, err
		}
		ids := make([]int64, len(ts))
		for i := range ts {
			ids[i] = ts[i].ID
		}
		tallies, err := tx.Tallies(ids)
		if err != nil {
			return nil, err
		}
		byTrainee := func(n int) map[int64]*Portfolio {
			m := make(map[int64]*Portfolio, n)
			for i := range ts {
				m[ts[i].ID] = &Portfolio{Trainee: &ts[i], Tally: tallies[ts[i].ID]}
				if m[ts[i].ID].Tally == nil {
					m[ts[i].ID].Tally = &Tally{}
				}
			}
			return m
		}
		ps := byTrainee(len(ts))
		signOffs, err := tx.SignOffs(ids)
		if err != nil {
			return nil, err
		}
		for _, so := range signOffs {
			ps[so.TraineeID].SignOffs = append(ps[so.TraineeID].SignOffs, so)
		}
		reviews, err := tx.Reviews(ids)
		if err != nil {
			return nil, err
		}
		for _, r := range reviews {
			ps[r.TraineeID].Reviews = append(ps[r.TraineeID].Reviews, r)
		}
		records, err := tx.Records(ids)
		if err != nil {
			return nil, err
		}
		for _, r := range records {
			ps[r.TraineeID].Records = append(ps[r.TraineeID].Records, r)
		}
		changes, err := tx.Changes(ids)
		if err != nil {
			return nil, err
		}
		for _, c := range changes {
			ps[c.TraineeID].Changes = append(ps[c.TraineeID].Changes, c)
		}
		out := make([]Status, 0, len(ts))
		for i := range ts {
			cu, err := s.curriculumOf(&ts[i])
			if err != nil {
				return nil, err
			}
			out = append(out, Assess(cu, ps[ts[i].ID], tx.Now()))
		}
		slices.SortStableFunc(out, func(a, b Status) int {
			if ea, eb := len(a.Exceptions) > 0, len(b.Exceptions) > 0; ea != eb {
				if ea {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Trainee.ExpectedEnd, b.Trainee.ExpectedEnd)
		})
		return out, nil
	})
}

func (s *Service) specialismName(id string) string {
	if sp := s.f.Specialism(id); sp != nil {
		return sp.Name
	}
	return id
}

func (s *Service) programmeName(id string) string {
	if p := s.f.Programme(id); p != nil {
		return p.Name
	}
	return id
}
