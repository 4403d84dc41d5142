package recruit

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// SetTestRule sets or changes the rule of a round's online test stage,
// until its outcomes are published.
func (s *Service) SetTestRule(ctx context.Context, by auth.Actor, roundID int64, rule TestRule) (*Round, error) {
	if err := rule.Validate(); err != nil {
		return nil, err
	}
	return write(ctx, s, func(tx Tx) (*Round, error) {
		r, err := tx.LockRound(roundID)
		if err != nil {
			return nil, err
		}
		if err := CanSetTestRule(r, tx.Now()); err != nil {
			return nil, err
		}
		if r.Test.Rule == TestRuleNone && rule.Rule != TestRuleNone {
			// A test stage comes before shortlisting: once reviewers have
			// applications, it is too late to add one.
			assigned, err := tx.Assignments(Query{RoundID: roundID})
			if err != nil {
				return nil, err
			}
			if len(assigned) > 0 {
				return nil, apperr.Errorf(apperr.Conflict, "Reviewers have already been given this round's applications, so an online test can no longer be added before shortlisting.")
			}
		}
		if err := tx.SetTestRule(roundID, rule); err != nil {
			return nil, err
		}
		r.Test = rule
		return r, auditf(tx, by, "round.test_rule", "round", roundID, "%s", rule.Describe())
	})
}

// ImportTestScores imports a test provider's file of scores into a round
// (see ParseTestScores and PlanTestImport): all of it or, at the first
// fault, none of it. Rows equal to those stored change nothing; a changed
// score is refused unless confirmCorrections, and each correction is
// audited with the score it replaces.
func (s *Service) ImportTestScores(ctx context.Context, by auth.Actor, roundID int64, file io.Reader, confirmCorrections bool) (*TestImport, error) {
	// The file is read before the transaction, which it would hold up.
	rows, err := ParseTestScores(file)
	if err != nil {
		return nil, err
	}
	return write(ctx, s, func(tx Tx) (*TestImport, error) {
		r, err := tx.LockRound(roundID)
		if err != nil {
			return nil, err
		}
		if err := CanImportTestScores(r, tx.Now()); err != nil {
			return nil, err
		}
		apps, err := tx.Applications(roundID)
		if err != nil {
			return nil, err
		}
		existing, err := tx.TestScores(roundID)
		if err != nil {
			return nil, err
		}
		plan, err := PlanTestImport(r, apps, existing, rows, confirmCorrections, tx.Now())
		if err != nil {
			return nil, err
		}
		for _, row := range plan.Added {
			if err := tx.SaveTestScore(roundID, TestScore{ApplicationID: row.ApplicationID, Score: row.Score, TakenOn: row.TakenOn}); err != nil {
				return nil, err
			}
		}
		for _, row := range plan.Corrected {
			if err := tx.SaveTestScore(roundID, TestScore{ApplicationID: row.ApplicationID, Score: row.Score, TakenOn: row.TakenOn}); err != nil {
				return nil, err
			}
			was := plan.Was[row.ApplicationID]
			if err := auditf(tx, by, "test_score.correct", "application", row.ApplicationID, "online test score %s (taken %s) corrected to %s (taken %s)",
				was.Score, was.TakenOn.Format("2006-01-02"), row.Score, row.TakenOn.Format("2006-01-02")); err != nil {
				return nil, err
			}
		}
		return plan, auditf(tx, by, "round.test_import", "round", roundID, "%d test score(s) added, %d corrected, %d unchanged",
			plan.AddedCount, plan.CorrectedCount, plan.Unchanged)
	})
}

// TestStage is a round's online test stage as the national school sees
// it: the rule, every application still in the round with its score and
// outcome (what the rule decides now, or decided when published), and
// how many go on in each specialism.
type TestStage struct {
	Round       Round              `json:"round"`
	Published   bool               `json:"published"`
	Rule        string             `json:"rule_in_words"`
	Scored      int                `json:"scored"`
	Unscored    int                `json:"unscored"`
	GoingOn     int                `json:"going_on"`
	Specialisms []TestSpecialism   `json:"specialisms"`
	Outcomes    []TestStageOutcome `json:"outcomes"`
}

// TestSpecialism counts one specialism's outcomes.
type TestSpecialism struct {
	Specialism string    `json:"specialism"`
	Name       string    `json:"name"`
	Applicants int       `json:"applicants"`
	GoingOn    int       `json:"going_on"`
	Cut        *TestMark `json:"cut,omitempty"`
}

// TestStageOutcome is one application's outcome, named by reference.
type TestStageOutcome struct {
	Reference  string `json:"reference"`
	Specialism string `json:"specialism"`
	TestOutcome
}

// TestStage reads a round's test stage.
func (s *Service) TestStage(ctx context.Context, roundID int64) (*TestStage, error) {
	return read(ctx, s, func(tx Tx) (*TestStage, error) {
		r, err := tx.Round(roundID)
		if err != nil {
			return nil, err
		}
		apps, outcomes, err := longlist(tx, r)
		if err != nil {
			return nil, err
		}
		return s.testStage(r, apps, outcomes), nil
	})
}

// longlist is the round's applications still in it, each with its test
// outcome: as published, once the outcomes are, and until then what the
// rule would decide now.
func longlist(tx Tx, r *Round) ([]Application, map[int64]TestOutcome, error) {
	apps, err := tx.Applications(r.ID)
	if err != nil {
		return nil, nil, err
	}
	apps = InRound(apps)
	if r.TestPublishedAt != nil {
		published, err := tx.TestOutcomes(r.ID)
		if err != nil {
			return nil, nil, err
		}
		outcomes := make(map[int64]TestOutcome, len(published))
		for _, o := range published {
			outcomes[o.ApplicationID] = o
		}
		return apps, outcomes, nil
	}
	scores, err := tx.TestScores(r.ID)
	if err != nil {
		return nil, nil, err
	}
	// In-service nominees and direct entrants never compete: a best-scores
	// rule takes its number from each route apart.
	nominated, err := nominators(tx, Query{RoundID: r.ID})
	if err != nil {
		return nil, nil, err
	}
	var direct, nominees []Application
	for _, a := range apps {
		if nominated[a.ID] != 0 {
			nominees = append(nominees, a)
		} else {
			direct = append(direct, a)
		}
	}
	outcomes := Longlist(r, direct, scores)
	for id, o := range Longlist(r, nominees, scores) {
		outcomes[id] = o
	}
	return apps, outcomes, nil
}

func (s *Service) testStage(r *Round, apps []Application, outcomes map[int64]TestOutcome) *TestStage {
	st := &TestStage{Round: *r, Published: r.TestPublishedAt != nil, Rule: r.Test.Describe(), Specialisms: []TestSpecialism{}, Outcomes: []TestStageOutcome{}}
	bySpecialism := map[string]*TestSpecialism{}
	for _, a := range apps {
		o := outcomes[a.ID]
		sp := bySpecialism[a.Specialism]
		if sp == nil {
			sp = &TestSpecialism{Specialism: a.Specialism, Name: s.specialismName(a.Specialism), Cut: o.Cut}
			bySpecialism[a.Specialism] = sp
		}
		sp.Applicants++
		if o.Score != nil {
			st.Scored++
		} else {
			st.Unscored++
		}
		if o.GoesOn {
			st.GoingOn++
			sp.GoingOn++
		}
		st.Outcomes = append(st.Outcomes, TestStageOutcome{Reference: Reference(a.ID), Specialism: a.Specialism, TestOutcome: o})
	}
	for _, sp := range bySpecialism {
		st.Specialisms = append(st.Specialisms, *sp)
	}
	slices.SortFunc(st.Specialisms, func(a, b TestSpecialism) int { return strings.Compare(a.Name, b.Name) })
	return st
}

// PublishTestOutcomes fixes the online test's outcomes, once, after
// applications close and before interviews: every applicant still in the
// round is told whether their application goes on to shortlisting, and
// why. From then on only applications that went on are given to
// reviewers and ranked.
func (s *Service) PublishTestOutcomes(ctx context.Context, by auth.Actor, roundID int64) (*TestStage, error) {
	return write(ctx, s, func(tx Tx) (*TestStage, error) {
		r, err := tx.LockRound(roundID)
		if err != nil {
			return nil, err
		}
		if err := CanPublishTestOutcomes(r, tx.Now()); err != nil {
			return nil, err
		}
		marked, err := tx.MarkTestPublished(roundID)
		if err != nil {
			return nil, err
		}
		if !marked {
			return nil, apperr.Errorf(apperr.Conflict, "The online test's outcomes have already been published.")
		}
		// The outcomes as the rule decides them now are fixed: later
		// withdrawals move no one's cut.
		apps, outcomes, err := longlist(tx, r)
		if err != nil {
			return nil, err
		}
		fixed := make([]TestOutcome, 0, len(apps))
		for _, a := range apps {
			fixed = append(fixed, outcomes[a.ID])
		}
		if err := tx.SaveTestOutcomes(roundID, fixed); err != nil {
			return nil, err
		}
		now := tx.Now()
		r.TestPublishedAt = &now
		nominated, err := nominators(tx, Query{RoundID: r.ID})
		if err != nil {
			return nil, err
		}
		for _, a := range apps {
			o := outcomes[a.ID]
			person, err := tx.Person(a.UserID)
			if err != nil {
				return nil, err
			}
			next := "Reviewers will now score your application against the published criteria."
			if nominated[a.ID] != 0 {
				next = "As an in-service nominee you skip shortlisting: your employer will interview you."
			}
			if !o.GoesOn {
				next = "Your application in this round has ended. You can read your result on your application's page."
			}
			body := fmt.Sprintf("Your online test result for %s (%s):\n\n%s\n\n%s\n", r.Name, Reference(a.ID), o.Reason, next)
			if err := tx.Send(*person, "Your online test result", body); err != nil {
				return nil, err
			}
		}
		st := s.testStage(r, apps, outcomes)
		return st, auditf(tx, by, "round.test_publish", "round", roundID, "online test outcomes published: %d of %d application(s) go on to shortlisting",
			st.GoingOn, len(apps))
	})
}

// goingOn narrows a round's applications still in it to those that go on
// to shortlisting: all of them in a round without a test stage; in one
// with a test, those the published outcomes let through (none before they
// are published).
func goingOn(tx Tx, r *Round, apps []Application) ([]Application, error) {
	if r.Test.Rule == TestRuleNone {
		return apps, nil
	}
	if r.TestPublishedAt == nil {
		return nil, nil
	}
	_, outcomes, err := longlist(tx, r)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(slices.Clone(apps), func(a Application) bool { return !outcomes[a.ID].GoesOn }), nil
}
