package workforce

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/framework"
	"hcs/internal/text"
)

// Service is the workforce: every change (registering employers,
// importing a staff extract) runs in one transaction of a Store, decided
// by this package's rules and audited in the same transaction; figures
// are read from a Model of what is held, made again when an import
// changes it.
type Service struct {
	store     Store
	f         *framework.Framework
	threshold int

	mu    sync.Mutex // held while a model is made
	model atomic.Pointer[Model]

	pipeMu sync.Mutex // held while the pipeline is counted
	pipe   *pipelineCounts
}

// NewService returns the service over a store. threshold is the smallest
// count shown outside an employer (DefaultThreshold when zero).
func NewService(store Store, f *framework.Framework, threshold int) *Service {
	if threshold <= 1 {
		threshold = DefaultThreshold
	}
	return &Service{store: store, f: f, threshold: threshold}
}

// Threshold is the smallest count shown outside an employer.
func (s *Service) Threshold() int { return s.threshold }

// RecordType is the audit log's name for an import.
const RecordType = "workforce import"

// Employers lists the employers staff are recorded against.
func (s *Service) Employers(ctx context.Context) ([]Employer, error) {
	var out []Employer
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Employers()
		return err
	})
	return out, err
}

// Imports lists the latest imports, newest first: every one, or those
// made for the organisations given (an employer's own).
func (s *Service) Imports(ctx context.Context, limit int, organisations []int64) ([]Import, error) {
	var out []Import
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Imports(limit, organisations)
		return err
	})
	return out, err
}

// RegisterEmployers records employers' organisation codes, making a trust
// for each name not known yet. Registering the same file again changes
// nothing.
func (s *Service) RegisterEmployers(ctx context.Context, by auth.Actor, file, sha string, es []Employer) (*Import, error) {
	im := &Import{Kind: "employers", File: file, SHA256: sha, Rows: len(es), By: by.UserID}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := tx.Lock(); err != nil {
			return err
		}
		held, err := tx.Employers()
		if err != nil {
			return err
		}
		byCode := map[string]Employer{}
		for _, e := range held {
			byCode[e.Code] = e
		}
		for i := range es {
			e := &es[i]
			old, ok := byCode[e.Code]
			switch {
			case ok && old.Name == e.Name && old.Region == e.Region:
				e.OrganisationID = old.OrganisationID
				im.Unchanged++
				continue
			case ok:
				im.Changed++
			default:
				im.Added++
			}
			if err := tx.SaveEmployer(e); err != nil {
				return fmt.Errorf("%s, row %d: %w", file, i+2, err)
			}
		}
		return s.finish(tx, by, im)
	})
	if err != nil {
		return nil, err
	}
	return im, nil
}

// finish records an import, raises the version when it changed
// something, and audits it.
func (s *Service) finish(tx Tx, by auth.Actor, im *Import) error {
	im.At = tx.Now()
	if err := tx.SaveImport(im); err != nil {
		return err
	}
	if im.Added+im.Changed > 0 {
		if err := tx.Bump(); err != nil {
			return err
		}
	}
	return tx.Audit(by, "workforce.import."+im.Kind, RecordType, im.ID,
		fmt.Sprintf("%s (%d rows): %d new, %d changed, %d unchanged", im.File, im.Rows, im.Added, im.Changed, im.Unchanged))
}

// ImportOptions say who imports a staff extract, and for whom.
type ImportOptions struct {
	File   string
	SHA256 string
	// OrganisationID, when set, is the only employer the extract may
	// hold staff of: an employer importing its own.
	OrganisationID int64
	// Progress, when set, is told how many rows are saved of how many.
	Progress func(done, total int)
}

// insertBatch is how many assignments are saved at once.
const insertBatch = 500

// ImportStaff merges a staff extract into what is held, in one
// transaction: new assignments are added, changed ones updated, the
// same ones left alone, so importing a file twice changes nothing the
// second time. An assignment held and not in the file stays as it is.
// Every row must name a registered employer (the caller's own, when the
// options name one), and no person's assignments may overlap, whether
// both are in the file or one is held already; every problem is named
// by its row and column, and then nothing is saved.
func (s *Service) ImportStaff(ctx context.Context, by auth.Actor, rows []Row, opt ImportOptions) (*Import, error) {
	im := &Import{Kind: "staff", File: opt.File, SHA256: opt.SHA256, Rows: len(rows), By: by.UserID, OrganisationID: opt.OrganisationID}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := tx.Lock(); err != nil {
			return err
		}
		employers, err := tx.Employers()
		if err != nil {
			return err
		}
		byCode := map[string]Employer{}
		for _, e := range employers {
			byCode[e.Code] = e
		}
		held := map[string]*Stored{}
		var all []*Stored
		err = tx.Assignments(func(st *Stored) error {
			c := *st
			held[c.Number] = &c
			all = append(all, &c)
			return nil
		})
		if err != nil {
			return err
		}
		fe := &FileError{File: opt.File}
		var add []Assignment
		var change []*Stored
		inFile := make(map[string]int, len(rows))
		for i := range rows {
			r := &rows[i]
			inFile[r.Number] = r.Line
			e, ok := byCode[r.Employer]
			if !ok {
				fe.add(Problem{Row: r.Line, Column: "Organisation Code", Message: fmt.Sprintf("no employer has the code %s; register it with the employers file first", r.Employer)})
				continue
			}
			if opt.OrganisationID != 0 && e.OrganisationID != opt.OrganisationID {
				fe.add(Problem{Row: r.Line, Column: "Organisation Code", Message: fmt.Sprintf("%s is %s, and you may import only your own organisation's staff", r.Employer, e.Name)})
				continue
			}
			old, ok := held[r.Number]
			if ok && r.KeepsCertificate && old.Person == r.Person {
				r.Certificate = old.Certificate
			}
			switch {
			case !ok:
				add = append(add, r.Assignment)
			case old.same(&r.Assignment):
				im.Unchanged++
			case opt.OrganisationID != 0 && byCode[old.Employer].OrganisationID != opt.OrganisationID:
				fe.add(Problem{Row: r.Line, Column: "Assignment Number", Message: fmt.Sprintf("assignment %s is held for another employer", r.Number)})
			default:
				change = append(change, &Stored{ID: old.ID, Assignment: r.Assignment})
			}
		}
		overlaps(fe, all, rows, inFile, func(code string) bool {
			return opt.OrganisationID == 0 || byCode[code].OrganisationID == opt.OrganisationID
		})
		if err := certificates(tx, fe, all, rows, inFile, opt.OrganisationID != 0); err != nil {
			return err
		}
		if err := fe.err(); err != nil {
			return err
		}
		im.Added, im.Changed = len(add), len(change)
		// In the order of the unique index on the number, new rows go to
		// the end of it rather than splitting pages all over it.
		slices.SortFunc(add, func(a, b Assignment) int { return strings.Compare(a.Number, b.Number) })
		done, total := 0, len(add)+len(change)
		for len(add) > 0 {
			n := min(len(add), insertBatch)
			if err := tx.InsertAssignments(add[:n]); err != nil {
				return err
			}
			add, done = add[n:], done+n
			if opt.Progress != nil {
				opt.Progress(done, total)
			}
		}
		for i, c := range change {
			if err := tx.UpdateAssignment(c); err != nil {
				return err
			}
			if opt.Progress != nil && (i%insertBatch == 0 || i == len(change)-1) {
				opt.Progress(done+i+1, total)
			}
		}
		return s.finish(tx, by, im)
	})
	if err != nil {
		return nil, err
	}
	return im, nil
}

// certificates adds a problem for each training certificate a row names
// that hcs did not issue, that was revoked, or that another person's
// assignment holds, in the file or already. A certificate a row keeps
// from what is held (a file without the column) is not checked again.
// An employer importing its own staff (scoped) is not told that another
// employer's staff hold a certificate, only that it cannot be recorded.
func certificates(tx Tx, fe *FileError, held []*Stored, rows []Row, inFile map[string]int, scoped bool) error {
	var ids []string
	holder := map[string]string{}
	for _, st := range held {
		if st.Certificate != "" && inFile[st.Number] == 0 {
			holder[st.Certificate] = st.Person
		}
	}
	for i := range rows {
		if c := rows[i].Certificate; c != "" && rows[i].KeepsCertificate {
			holder[c] = rows[i].Person
		} else if c != "" && !slices.Contains(ids, c) {
			ids = append(ids, c)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	found, err := tx.Certificates(ids)
	if err != nil {
		return err
	}
	line := map[string]int{}
	for i := range rows {
		r := &rows[i]
		if r.Certificate == "" || r.KeepsCertificate {
			continue
		}
		c, ok := found[r.Certificate]
		switch {
		case !ok:
			fe.add(Problem{Row: r.Line, Column: "Training Certificate", Message: fmt.Sprintf("no certificate hcs issued has the id %s", r.Certificate)})
		case c.Revoked:
			fe.add(Problem{Row: r.Line, Column: "Training Certificate", Message: fmt.Sprintf("certificate %s was revoked, and is not a qualification", r.Certificate)})
		case holder[r.Certificate] != "" && holder[r.Certificate] != r.Person:
			msg := fmt.Sprintf("certificate %s is held for another person", r.Certificate)
			if l := line[r.Certificate]; l != 0 {
				msg = fmt.Sprintf("certificate %s is on row %d for another person", r.Certificate, l)
			} else if scoped {
				msg = fmt.Sprintf("certificate %s cannot be recorded for this person; if it is theirs, the national workforce team can look into it", r.Certificate)
			}
			fe.add(Problem{Row: r.Line, Column: "Training Certificate", Message: msg})
		default:
			holder[r.Certificate], line[r.Certificate] = r.Person, r.Line
		}
	}
	return nil
}

// overlaps adds a problem for each person whose assignments overlap in
// what would be held after the import: those held and not in the file,
// and the file's. An assignment held for an employer the importer may not
// see (visible says) is not described.
func overlaps(fe *FileError, held []*Stored, rows []Row, inFile map[string]int, visible func(employer string) bool) {
	type span struct {
		a    *Assignment
		line int // 0 when held and not in the file
	}
	byPerson := map[string][]span{}
	for _, st := range held {
		if _, ok := inFile[st.Number]; !ok {
			byPerson[st.Person] = append(byPerson[st.Person], span{a: &st.Assignment})
		}
	}
	for i := range rows {
		byPerson[rows[i].Person] = append(byPerson[rows[i].Person], span{a: &rows[i].Assignment, line: rows[i].Line})
	}
	for _, spans := range byPerson {
		if len(spans) < 2 {
			continue
		}
		slices.SortFunc(spans, func(x, y span) int { return int(x.a.Start - y.a.Start) })
		for i := 1; i < len(spans); i++ {
			prev, cur := spans[i-1], spans[i]
			if cur.a.Start > prev.a.End {
				continue
			}
			if cur.line == 0 {
				prev, cur = cur, prev
			}
			other := fmt.Sprintf("assignment %s, held already", prev.a.Number)
			if prev.line == 0 && !visible(prev.a.Employer) {
				fe.add(Problem{Row: cur.line, Column: "Assignment Start Date", Message: fmt.Sprintf(
					"person %s holds an assignment at another employer at that time; the national workforce team can resolve it", cur.a.Person)})
				continue
			}
			if prev.line != 0 {
				other = fmt.Sprintf("assignment %s on row %d", prev.a.Number, prev.line)
			}
			fe.add(Problem{Row: cur.line, Column: "Assignment Start Date", Message: fmt.Sprintf(
				"person %s would hold two assignments at once: this one (from %s) and %s (%s to %s); end one before the other starts",
				cur.a.Person, cur.a.Start, other, prev.a.Start, endText(prev.a.End))})
		}
	}
	slices.SortStableFunc(fe.Problems, func(x, y Problem) int { return x.Row - y.Row })
}

func endText(d Day) string {
	if d == NoEnd {
		return "now"
	}
	return d.String()
}

// Model returns the model of what is held now, making it when an import
// has changed what is held since the last.
func (s *Service) Model(ctx context.Context) (*Model, error) {
	var version int64
	var today Day
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		version, err = tx.Version()
		today = DayOf(tx.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	fresh := func(m *Model) bool {
		return m != nil && m.Version == version && len(m.Points) > 0 && quarterEnds(m.Points[len(m.Points)-1]+1, today) == nil
	}
	if m := s.model.Load(); fresh(m) {
		return m, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.model.Load(); fresh(m) {
		return m, nil
	}
	var employers []Employer
	var as []Stored
	err = s.store.Read(ctx, func(tx Tx) error {
		var err error
		if version, err = tx.Version(); err != nil {
			return err
		}
		today = DayOf(tx.Now())
		if employers, err = tx.Employers(); err != nil {
			return err
		}
		return tx.Assignments(func(st *Stored) error {
			as = append(as, *st)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	m := newModel(s.f, version, employers, as, today, s.threshold)
	s.model.Store(m)
	return m, nil
}

// Completions lists the training certificates in force, oldest first.
func (s *Service) Completions(ctx context.Context) ([]Completion, error) {
	var out []Completion
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Completions()
		return err
	})
	return out, err
}

// Records are staff records as held: the employers, their assignments,
// the training certificates those name, and the day they were read.
type Records struct {
	Employers    []Employer
	Assignments  []Stored
	Certificates map[string]Completion
	Today        Day
}

// StaffRecords reads every employer's staff records, or one
// organisation's.
func (s *Service) StaffRecords(ctx context.Context, organisationID int64) (*Records, error) {
	rs := &Records{}
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		rs.Today = DayOf(tx.Now())
		if rs.Employers, err = tx.Employers(); err != nil {
			return err
		}
		own := map[string]bool{}
		for _, e := range rs.Employers {
			own[e.Code] = organisationID == 0 || e.OrganisationID == organisationID
		}
		var ids []string
		err = tx.Assignments(func(st *Stored) error {
			if own[st.Employer] {
				rs.Assignments = append(rs.Assignments, *st)
				if st.Certificate != "" {
					ids = append(ids, st.Certificate)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		slices.Sort(ids)
		rs.Certificates, err = tx.Certificates(slices.Compact(ids))
		return err
	})
	if err != nil {
		return nil, err
	}
	if organisationID != 0 {
		rs.Employers = slices.DeleteFunc(rs.Employers, func(e Employer) bool { return e.OrganisationID != organisationID })
	}
	return rs, nil
}

// Forecast is a group's forecast under some assumptions: its baseline
// and five years of supply and demand.
type Forecast struct {
	Group       Group          `json:"group"`
	Baseline    *Baseline      `json:"-"`
	Assumptions Assumptions    `json:"assumptions"`
	Completing  []float64      `json:"completing"`
	Years       []ForecastYear `json:"years"`
}

// Forecast runs a group's forecast: under a's assumptions, or the
// whole workforce's rates when a is nil. A group whose headcount the figures
// do not show (small numbers) has no forecast.
func (s *Service) Forecast(ctx context.Context, g Group, a *Assumptions) (*Forecast, error) {
	m, err := s.Model(ctx)
	if err != nil {
		return nil, err
	}
	b, err := m.Baseline(g)
	if err != nil {
		return nil, err
	}
	if !b.Shown {
		return nil, apperr.Errorf(apperr.Invalid, "this group's headcount is too small to show, so it has no forecast: choose a wider one")
	}
	// Trainees completing come from the pipeline as a planner reads it,
	// whoever asks: the group's own count, or its share of the nation's.
	group, err := s.Pipeline(ctx, PipelineQuery{Region: g.Region, Specialism: g.Specialism}, false)
	if err != nil {
		return nil, err
	}
	nation, err := s.Pipeline(ctx, PipelineQuery{}, false)
	if err != nil {
		return nil, err
	}
	completing := completing(group, nation, b.From, m.staffShare(b.Staff))
	fc := &Forecast{Group: g, Baseline: b, Assumptions: b.Default, Completing: completing}
	if a != nil {
		if err := a.Check(); err != nil {
			return nil, err
		}
		fc.Assumptions = *a
	}
	fc.Years = Project(b.From, b.ByAge, completing, fc.Assumptions)
	return fc, nil
}

// SaveScenario saves a group's assumptions under a name, after checking
// them and the group.
func (s *Service) SaveScenario(ctx context.Context, by auth.Actor, sc *Scenario) error {
	name, err := text.Name("name", "scenario's name", sc.Name, 100)
	if err != nil {
		return err
	}
	sc.Name, sc.By = name, by.UserID
	if err := sc.Assumptions.Check(); err != nil {
		return err
	}
	m, err := s.Model(ctx)
	if err != nil {
		return err
	}
	if _, _, err := m.group(sc.Group); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		sc.At = tx.Now()
		if err := tx.InsertScenario(sc); err != nil {
			return err
		}
		return tx.Audit(by, "workforce.scenario.save", "workforce scenario", sc.ID, fmt.Sprintf("%s: %+v", sc.Name, sc.Assumptions))
	})
}

// Scenarios lists the saved scenarios, newest first.
func (s *Service) Scenarios(ctx context.Context) ([]Scenario, error) {
	var out []Scenario
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Scenarios()
		return err
	})
	return out, err
}
