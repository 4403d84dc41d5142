package demo

import (
	"context"
	"fmt"
	"time"

	"hcs/internal/framework"
	"hcs/internal/workforce"
)

// SeedWorkforce gives the workforce planner figures to read and the demo
// employer its staff: a synthetic workforce of 8,000 staff across 40
// employers, the demo trusts among them, over ten years. It does nothing
// once any employer is registered.
func SeedWorkforce(ctx context.Context, wf *workforce.Service, f *framework.Framework, today time.Time) error {
	held, err := wf.Employers(ctx)
	if err != nil || len(held) > 0 {
		return err
	}
	var named []workforce.Employer
	for i, spec := range organisations[:2] {
		named = append(named, workforce.Employer{Code: []string{"ZZD01", "ZZD02"}[i], Name: spec.org.Name, Region: spec.org.Region})
	}
	es, as := workforce.Synthesize(f, workforce.SynthOptions{Employers: 40, Staff: 8000, Years: 10, Today: workforce.DayOf(today), Seed: 2026, Named: named})
	if _, err := wf.RegisterEmployers(ctx, system, "demo-employers.csv", "", es); err != nil {
		return err
	}
	// Trainees who completed their training work on where they trained,
	// as clinical scientists, their certificate recorded.
	done, err := wf.Completions(ctx)
	if err != nil {
		return err
	}
	for i, c := range done {
		start := c.Issued + 30
		if c.Employer == "" || start > workforce.DayOf(today) {
			continue
		}
		as = append(as, workforce.Assignment{Number: fmt.Sprintf("90000%03d-1", i), Person: fmt.Sprintf("Q%08d", i+1), Employer: c.Employer,
			StaffGroup: "06", Specialism: c.Specialism, Level: "clinical-scientist", Band: "7", FTE: 100, Contract: "permanent",
			Start: start, End: workforce.NoEnd, BirthYear: today.Year() - 28, Certificate: c.ID})
	}
	rows := make([]workforce.Row, len(as))
	for i := range as {
		rows[i] = workforce.Row{Line: i + 2, Assignment: as[i]}
	}
	_, err = wf.ImportStaff(ctx, system, rows, workforce.ImportOptions{File: "demo-staff.csv"})
	return err
}
