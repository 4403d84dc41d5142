package demo

import (
	"context"
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
	rows := make([]workforce.Row, len(as))
	for i := range as {
		rows[i] = workforce.Row{Line: i + 2, Assignment: as[i]}
	}
	_, err = wf.ImportStaff(ctx, system, rows, workforce.ImportOptions{File: "demo-staff.csv"})
	return err
}
