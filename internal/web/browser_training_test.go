package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
	"hcs/internal/train"
)

// TestBrowserTraining takes a trainee from an accepted offer through the
// pages alone, each step by the person whose job it is: the training
// officer starts and confirms the record, the trainee records an
// assessment and names an assessor, the training officer approves the
// assessor, the assessor completes the form through their link without an
// account, the supervisor signs the module off, and the national school
// records the six-month check-in; the supervisor signs off the remaining
// modules, the school records the final results and completes the
// programme, the trainee opens their certificate from their home page,
// and someone signed out checks it on the public verification page.
// axe-core checks every page on the way, on SQLite and PostgreSQL.
func TestBrowserTraining(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		if testing.Short() {
			t.Skip("browser tests are skipped with -short")
		}
		ctx := context.Background()
		st := testkit.StageTraining(t, db, 1)
		hash, err := auth.HashPassword(ctx, drivePassword)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []*auth.User{st.Officer, st.Supervisors[0], st.Applicants[0], st.School} {
			if err := db.SetPassword(ctx, system, u.ID, hash, ""); err != nil {
				t.Fatal(err)
			}
		}
		d := &roundDriver{t: t, b: newBrowserOn(t, db), clock: st.Clock}
		click := func(sel string) {
			t.Helper()
			d.b.Do(t, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
		}

		// The training officer starts the record from the accepted offer.
		d.as(st.Officer.Email)
		d.open("/training")
		d.click(fmt.Sprintf(`a[href="/training/placements/%d"]`, st.Offers[0].ID))
		d.fill("department_id", fmt.Sprint(st.Dept.ID), "training_officer_id", fmt.Sprint(st.Officer.ID))
		d.submit(`#enrol-form button[type="submit"]`)
		d.expect(".nhsuk-error-summary", "Choose at least one supervisor")
		click(fmt.Sprintf("#sup-%d", st.Supervisors[0].ID))
		d.submit(`#enrol-form button[type="submit"]`)
		record := d.path()
		if !strings.HasPrefix(record, "/training/trainees/") {
			t.Fatalf("after starting the record: %s %s", record, d.text("main"))
		}
		d.expect("#summary", "Waiting for the training officer to confirm")
		d.submit(`#confirm button`)
		d.expect("#summary", "In training")

		// The trainee records a DOPS and names its assessor.
		st.Clock.Set(testkit.Day(215))
		d.as(st.Applicants[0].Email)
		d.open("/trainee")
		d.expect("main", "Six-month check-in")
		d.click(`main a[href^="/trainee/evidence/new"]`)
		d.fill("kind", "dops", "module", "ROTATIONS", "title", "Pure-tone audiometry", "occurred_on", "2027-08-02",
			"body", "Tested an adult's hearing under observation.", "assessor_name", "Alex Assessor", "assessor_email", "alex@example.org")
		d.submit(`#evidence-form button[value="save"]`)
		d.expect(".nhsuk-inset-text", "Your draft is saved")
		// They attach the signed form to the draft, then submit it.
		form := filepath.Join(t.TempDir(), "signed DOPS form.pdf")
		if err := os.WriteFile(form, []byte("%PDF-1.4\n% signed by the assessor\n%%EOF\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		d.b.Do(t, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{form}))
		d.submit(`#attach-form button[type="submit"]`)
		d.expect(".nhsuk-inset-text", "signed DOPS form.pdf is attached")
		d.expect("#files + ul", "signed DOPS form.pdf (PDF, ")
		d.submit(`#evidence-form button[value="submit"]`)
		d.expect(".nhsuk-inset-text", "Submitted")
		d.expect("main", "waiting for the assessor")

		// The training officer approves the new assessor.
		d.as(st.Officer.Email)
		d.open(record)
		d.expect("#assessors", "Assessors waiting")
		d.submit(`form[action^="/training/invitations/"] button[value="approve"]`)
		d.expect(".nhsuk-inset-text", "Alex Assessor is approved")

		// The assessor, signed out, completes the form through the link.
		d.b.Open(t, "/account")
		d.b.Submit(t, `form[action="/sign-out"] button`)
		d.who = ""
		msgs, err := db.Outbox(ctx, 5)
		if err != nil {
			t.Fatal(err)
		}
		token := assessLink.FindStringSubmatch(msgs[0].Body)
		if token == nil {
			t.Fatalf("no link in %q", msgs[0].Body)
		}
		d.open("/assess/" + token[1])
		d.expect("main", "Pure-tone audiometry")
		d.expect("main", "signed DOPS form.pdf")
		click("#judgement-satisfactory")
		d.submit(`#assess-form button[type="submit"]`)
		d.expect(".nhsuk-error-summary", "Give the trainee feedback")
		d.fill("feedback", "Clear instructions to the patient.")
		d.submit(`#assess-form button[type="submit"]`)
		d.expect("#done", "recorded")

		// The supervisor signs the module off.
		d.as(st.Supervisors[0].Email)
		d.open("/supervisor")
		d.expect("main", "Module ROTATIONS (Rotations) is ready for sign-off")
		d.open(record)
		d.submit(`form[action$="/sign-off"] button`)
		d.expect(".nhsuk-inset-text", "Module ROTATIONS is signed off")
		d.expect("#module-ROTATIONS", "Yes, by Sam Supervisor")

		// The national school records the six-month check-in.
		d.as(st.School.Email)
		d.open("/school/training")
		d.expect("main", st.Applicants[0].Name)
		d.open(record)
		click(`details:has(#review-form) summary`) // the form is inside a closed details

		d.fill("review", "six-month-check-in:6", "held_on", "2027-08-05", "panel", "Dr One\nDr Two")
		d.submit(`#review-form button[type="submit"]`)
		d.expect("main", "rule met")

		// The trainee sees it all.
		d.as(st.Applicants[0].Email)
		d.open(record)
		d.expect("main", "Sam Supervisor")
		d.expect("main", "rule met")

		// The rest of the programme, to completion. The trainee's
		// reflection on every other module is recorded through the
		// service (the pages above showed how); the supervisor signs each
		// module off on the record page.
		st.Clock.Set(testkit.Day(400))
		id, err := strconv.ParseInt(strings.TrimPrefix(record, "/training/trainees/"), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := st.Train.Trainee(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		me := auth.Actor{UserID: st.Applicants[0].ID}
		var modules []string
		for _, m := range st.Train.Curricula().Curriculum(tr.Curriculum).Modules {
			if m.Optional || m.Code == "ROTATIONS" {
				continue
			}
			e, err := st.Train.AddEvidence(ctx, me, id, train.Draft{Kind: train.EvidenceReflection, Module: m.Code, Title: "Reflection on " + m.Code,
				OccurredOn: "2028-01-10", Body: "What I learned."})
			if err == nil {
				_, err = st.Train.SubmitEvidence(ctx, me, e.ID)
			}
			if err != nil {
				t.Fatal(err)
			}
			modules = append(modules, m.Code)
		}
		d.as(st.Supervisors[0].Email)
		for _, m := range modules {
			d.open(record)
			d.submit(fmt.Sprintf(`form[action$="/sign-off"]:has(input[name="module"][value=%q]) button`, m))
			d.expect(".nhsuk-inset-text", "Module "+m+" is signed off")
		}

		// The national school records the final results and completes
		// the programme, which issues the certificate.
		d.as(st.School.Email)
		for _, result := range []string{"STP Final Year Assessment passed", "MSc Clinical Science awarded"} {
			d.open(record)
			d.fill("name", result, "recorded_on", "2028-01-20")
			d.submit(`#record-form button[type="submit"]`)
			d.expect(".nhsuk-inset-text", result+" is on the record")
		}
		d.open(record)
		d.expect("main", "Every requirement for completing the programme holds")
		d.submit(`#complete-form button[type="submit"]`)
		d.expect("#summary", "Completed on")
		d.expect("main", "The CCSTP certificate was issued on")

		// The trainee finds it on their home page and opens it.
		d.as(st.Applicants[0].Email)
		d.open("/trainee")
		d.click(`a[href^="/certificates/"]`)
		d.expect("#status", "Genuine and in force")
		d.expect("#certificate", st.Applicants[0].Name)
		certPage := d.path()

		// An employer who was given the credential checks it on the
		// public verification page, signed out.
		certs, err := st.Train.CertificatesOf(ctx, id)
		if err != nil || len(certs) != 1 || "/certificates/"+certs[0].ID != certPage {
			t.Fatalf("certificates %v, %v; the trainee's link was %s", len(certs), err, certPage)
		}
		d.b.Open(t, "/account")
		d.b.Submit(t, `form[action="/sign-out"] button`)
		d.who = ""
		d.open("/verify")
		d.submit(`#verify-form button[type="submit"]`)
		d.expect(".nhsuk-error-summary", "Paste the certificate")
		d.fill("credential", string(certs[0].Credential))
		d.submit(`#verify-form button[type="submit"]`)
		d.expect("#result", "Genuine and in force")
		d.expect("#result", "This is a genuine certificate: CCSTP in Audiology, issued to "+st.Applicants[0].Name)
		d.expect("#checks", "Signature: passed")
	})
}
