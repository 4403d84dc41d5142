package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
)

// The national school and a planner read the pipeline: six places filled
// by accepted offers, three trainees enrolled. The school reads every
// count; the planner reads the three as "fewer than 5", and nothing that
// gives them away.
func TestPipelineThroughThePages(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w := newTrainingWorld(t, db, 6)
		for i := range 3 {
			w.Enrol(t, i)
		}
		ctx := context.Background()
		hash, err := auth.HashPassword(ctx, drivePassword)
		if err != nil {
			t.Fatal(err)
		}
		planner := &auth.User{Name: "Pat Planner", Email: "pat.planner@example.org"}
		if err := db.CreateUser(ctx, system, planner, hash, []auth.Grant{{Role: auth.RoleWorkforcePlanner}}); err != nil {
			t.Fatal(err)
		}

		page := w.want(w.as(w.School, "GET", "/workforce/pipeline", nil), 200,
			`id="pipeline-table"`, `<title id="completions-title">Trainees expected to complete`, `id="rounds-table"`, "Offers awaiting an answer", "100.0%")
		main := page[strings.Index(page, "<main"):]
		if !strings.Contains(main, "In training, every programme, region and specialism: 3 trainees") {
			t.Errorf("the school's total: %s", excerpt(main))
		}
		if strings.Contains(main, "fewer than") {
			t.Errorf("the school reads a suppressed count: %s", excerpt(main))
		}

		// The CSV holds the table's figures.
		rec := w.as(w.School, "GET", "/workforce/pipeline.csv", nil)
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil || rec.Code != 200 || len(rows) < 3 {
			t.Fatalf("CSV: %d %v %d rows", rec.Code, err, len(rows))
		}
		last := rows[len(rows)-1]
		if last[1] != "Total: All programmes" || last[2] != "all" || last[3] != "3" {
			t.Errorf("CSV total: %v", last)
		}
		rec = w.as(w.School, "GET", "/workforce/pipeline.csv?table=rounds", nil)
		rows, err = csv.NewReader(rec.Body).ReadAll()
		if err != nil || len(rows) != 2 || rows[1][3] != "6" || rows[1][4] != "6" || rows[1][5] != "0" || rows[1][6] != "100.0" {
			t.Errorf("rounds CSV: %v %v", err, rows)
		}

		// The planner: the three suppressed, the six filled places shown.
		page = w.want(w.as(planner, "GET", "/workforce/pipeline", nil), 200, `id="pipeline-table"`, "fewer than 5", "100.0%")
		main = page[strings.Index(page, "<main"):]
		if strings.Contains(main, "Offers awaiting an answer") || strings.Contains(main, ": 3 trainees") {
			t.Errorf("the planner reads what the school does: %s", excerpt(main))
		}
		// Narrowed to the trust's region, the planner reads the places and
		// not how many were filled: that is published for whole rounds.
		page = w.want(w.as(planner, "GET", "/workforce/pipeline?region="+url.QueryEscape(w.Trust.Region), nil), 200,
			`id="rounds-table"`, "Places filled are shown for whole rounds only")
		if main := page[strings.Index(page, "<main"):]; strings.Contains(main, "100.0%") || strings.Contains(main, `id="filled-title"`) {
			t.Errorf("the planner reads a region's filled places: %s", excerpt(main[strings.Index(main, `id="places"`):]))
		}
		var api struct {
			Exact bool `json:"exact"`
			Total struct {
				Total struct {
					Count int    `json:"count"`
					Shown string `json:"shown"`
				} `json:"total"`
			} `json:"total"`
			Rounds []map[string]any `json:"rounds"`
		}
		for u, want := range map[*auth.User]string{w.School: "count", planner: "fewer"} {
			rec := w.as(u, "GET", "/api/v1/workforce/pipeline", nil)
			api.Rounds = nil
			if err := json.Unmarshal(rec.Body.Bytes(), &api); err != nil || rec.Code != 200 {
				t.Fatalf("API: %d %v", rec.Code, err)
			}
			if api.Total.Total.Shown != want || api.Exact != (want == "count") || want == "fewer" && api.Total.Total.Count != 0 {
				t.Errorf("API for %s: %+v", u.Name, api)
			}
			if _, has := api.Rounds[0]["awaiting"]; has != (want == "count") {
				t.Errorf("API for %s: awaiting given %v", u.Name, has)
			}
		}

		// The trust's employer sees its own posts, as counted, once its
		// organisation code is registered.
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("kind", "employers")
		fw, _ := mw.CreateFormFile("file", "employers.csv")
		fmt.Fprintf(fw, "Organisation Code,Organisation Name,Region\nZZT01,%s,%s\n", w.Trust.Name, w.Trust.Region)
		mw.Close()
		if rec := w.serve(w.request(planner, "POST", "/workforce/import", mw.FormDataContentType(), b.Bytes())); rec.Code != 303 {
			t.Fatalf("registering the trust: %d %s", rec.Code, excerpt(rec.Body.String()))
		}
		page = w.want(w.as(w.Employer, "GET", "/workforce/employer", nil), 200, `id="posts-table"`, `<title id="own-posts-title">`, "100.0%")
		if !strings.Contains(page, `scope="row">STP staged</th>`) {
			t.Errorf("the employer's posts lack the round: %s", excerpt(page[strings.Index(page, `id="posts"`):]))
		}

		// A choice that is not one is named; others may not look.
		w.want(w.as(w.School, "GET", "/workforce/pipeline?programme=nope", nil), 400, "&#34;nope&#34; is not a programme")
		w.want(w.as(w.School, "GET", "/workforce/pipeline.csv?table=staff", nil), 400)
		for _, u := range []*auth.User{w.Employer, w.Officer, w.Applicants[0]} {
			if rec := w.as(u, "GET", "/workforce/pipeline", nil); rec.Code != 403 {
				t.Errorf("%s read the pipeline: %d", u.Name, rec.Code)
			}
		}
	})
}

// Every workforce operation answers as openapi.json describes it, with
// staff imported and trainees in training.
func TestWorkforceAPIMatchesOpenAPI(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w := newWorkforceWorld(t, db)
		employers, staff := w.files()
		w.upload(w.planner, "employers", "employers.csv", employers)
		if rec := w.upload(w.planner, "staff", "staff.csv", staff); rec.Code != 303 {
			t.Fatal(rec.Code)
		}
		spec := loadSpec(t)
		for _, c := range []struct {
			u    *auth.User
			path string
			want int
		}{
			{w.planner, "/api/v1/workforce/figures?by=band&region=London", 200},
			{w.planner, "/api/v1/workforce/figures?by=colour", 400},
			{w.planner, "/api/v1/workforce/quarters?specialism=division:life-sciences", 200},
			{w.planner, "/api/v1/workforce/forecast?specialism=division:life-sciences", 200},
			{w.planner, "/api/v1/workforce/flows?by=division", 200},
			{w.planner, "/api/v1/workforce/flows?by=division&region=London", 400},
			{w.planner, "/api/v1/workforce/flows?at=2000-03-31", 400},
			{w.planner, "/api/v1/workforce/pipeline", 200},
			{w.planner, "/api/v1/workforce/pipeline?region=Narnia", 400},
			{w.employer, "/api/v1/workforce/pipeline", 403},
			{w.planner, "/api/v1/workforce/fhir/Practitioner.ndjson", 200},
			{nil, "/api/v1/fhir/CodeSystem/healthcare-science-specialisms", 200},
			{nil, "/api/v1/fhir/ValueSet/healthcare-science-career-levels", 200},
		} {
			req := signedRequest(t, db, w.cookies, c.u, "GET", c.path, "", nil)
			rec := httptest.NewRecorder()
			w.h.ServeHTTP(rec, req)
			if rec.Code != c.want {
				t.Errorf("%s: %d, want %d: %s", c.path, rec.Code, c.want, excerpt(rec.Body.String()))
				continue
			}
			spec.validate(t, req, rec)
		}
		spec.checkExercised(t, "Workforce")
	})
}

// TestBrowserPipeline: the national school opens the pipeline from its
// home page, narrows it to a region, and reads the tables; a planner
// reads the same page suppressed. axe-core checks each.
func TestBrowserPipeline(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		if testing.Short() {
			t.Skip("browser tests are skipped with -short")
		}
		ctx := context.Background()
		st := testkit.StageTraining(t, db, 6)
		for i := range 3 {
			st.Enrol(t, i)
		}
		hash, err := auth.HashPassword(ctx, drivePassword)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetPassword(ctx, system, st.School.ID, hash, ""); err != nil {
			t.Fatal(err)
		}
		planner := &auth.User{Name: "Pat Planner", Email: "pat.planner@example.org"}
		if err := db.CreateUser(ctx, system, planner, hash, []auth.Grant{{Role: auth.RoleWorkforcePlanner}}); err != nil {
			t.Fatal(err)
		}
		d := &roundDriver{t: t, b: newBrowserOn(t, db), clock: st.Clock}
		d.as(st.School.Email)
		d.open("/school")
		d.click(`main a[href="/workforce/pipeline"]`)
		d.b.CheckAccessibility(t)
		d.fill("region", st.Trust.Region)
		d.submit(`#filters button[type="submit"]`)
		d.b.CheckAccessibility(t)
		d.expect("#pipeline-table caption", st.Trust.Region)
		d.expect("#rounds-table", "100.0%")
		if got := d.b.Eval(t, `document.querySelector("#pipeline-table tbody tr:last-child td:last-child").textContent.trim()`); got != "3" {
			t.Errorf("the school's total reads %q, want 3", got)
		}

		d.as(planner.Email)
		d.open("/workforce/pipeline")
		d.b.CheckAccessibility(t)
		if got := d.b.Eval(t, `document.querySelector("#pipeline-table tbody tr:last-child td:last-child").textContent.trim()`); got != "fewer than 5" {
			t.Errorf("the planner's total reads %q, want fewer than 5", got)
		}
	})
}
