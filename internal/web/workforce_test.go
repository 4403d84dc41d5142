package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
	"hcs/internal/workforce"
)

// workforceWorld is a server with a planner, and an employer whose trust
// is one of a small synthetic workforce's employers.
type workforceWorld struct {
	t         *testing.T
	db        *database.DB
	h         http.Handler
	planner   *auth.User
	employer  *auth.User
	trust     workforce.Employer
	employers []workforce.Employer
	staff     []workforce.Assignment
	cookies   map[int64]string
}

func newWorkforceWorld(t *testing.T, db *database.DB) *workforceWorld {
	t.Helper()
	ctx := context.Background()
	w := &workforceWorld{t: t, db: db, h: testkit.ServerWith(t, db), cookies: map[int64]string{}}
	today := workforce.DayOf(db.Now())
	w.employers, w.staff = workforce.Synthesize(testkit.Framework(t), workforce.SynthOptions{Employers: 12, Staff: 2500, Years: 10, Today: today, Seed: 11})
	trust := &auth.Organisation{Kind: auth.OrgTrust, Name: w.employers[0].Name, Region: w.employers[0].Region}
	if err := db.CreateOrganisation(ctx, system, trust); err != nil {
		t.Fatal(err)
	}
	w.trust = w.employers[0]
	w.trust.OrganisationID = trust.ID
	hash, err := auth.HashPassword(ctx, drivePassword)
	if err != nil {
		t.Fatal(err)
	}
	w.planner = &auth.User{Name: "Pat Planner", Email: "pat.planner@example.org"}
	w.employer = &auth.User{Name: "Eve Employer", Email: "eve.employer@example.org"}
	if err := db.CreateUser(ctx, system, w.planner, hash, []auth.Grant{{Role: auth.RoleWorkforcePlanner}}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateUser(ctx, system, w.employer, hash, []auth.Grant{{Role: auth.RoleEmployer, OrganisationID: trust.ID}}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *workforceWorld) send(u *auth.User, method, path, contentType string, body []byte) *httptest.ResponseRecorder {
	w.t.Helper()
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, signedRequest(w.t, w.db, w.cookies, u, method, path, contentType, body))
	return rec
}

// upload sends a file to the import page.
func (w *workforceWorld) upload(u *auth.User, kind, name string, content []byte) *httptest.ResponseRecorder {
	w.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	return w.send(u, "POST", "/workforce/import", mw.FormDataContentType(), b.Bytes())
}

func (w *workforceWorld) files() (employers, staff []byte) {
	var e, s bytes.Buffer
	if err := workforce.WriteEmployers(&e, w.employers); err != nil {
		w.t.Fatal(err)
	}
	if err := workforce.WriteStaff(&s, w.staff); err != nil {
		w.t.Fatal(err)
	}
	return e.Bytes(), s.Bytes()
}

func (w *workforceWorld) held() int {
	return testkit.Count(w.t, w.db, "SELECT COUNT(*) FROM workforce_assignments")
}

func TestWorkforceThroughThePages(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w := newWorkforceWorld(t, db)
		employers, staff := w.files()
		// Before anything is imported, the dashboard says so.
		if rec := w.send(w.planner, "GET", "/workforce", "", nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), "No staff records have been imported yet") {
			t.Fatalf("empty dashboard: %d %s", rec.Code, excerpt(rec.Body.String()))
		}
		// Staff of unregistered employers are refused, naming row and column.
		rec := w.upload(w.planner, "staff", "staff.csv", staff)
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), `row 2, column &#34;Organisation Code&#34;: no employer has the code`) || w.held() != 0 {
			t.Fatalf("staff before employers: %d, %d held: %s", rec.Code, w.held(), excerpt(rec.Body.String()))
		}
		// Only the national team registers employers.
		if rec := w.upload(w.employer, "employers", "employers.csv", employers); rec.Code != 403 {
			t.Fatalf("an employer registered employers: %d", rec.Code)
		}
		if rec := w.upload(w.planner, "employers", "employers.csv", employers); rec.Code != 303 {
			t.Fatalf("employers: %d %s", rec.Code, excerpt(rec.Body.String()))
		}
		// A file with a bad cell changes nothing.
		bad := bytes.Replace(staff, []byte(",1.00,"), []byte(",1.50,"), 1)
		rec = w.upload(w.planner, "staff", "bad.csv", bad)
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), `column &#34;FTE&#34;: &#34;1.50&#34; is not a whole-time equivalent`) || w.held() != 0 {
			t.Fatalf("bad file: %d, %d held: %s", rec.Code, w.held(), excerpt(rec.Body.String()))
		}
		// An employer imports only its own staff.
		rec = w.upload(w.employer, "staff", "all.csv", staff)
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), "you may import only your own organisation") || w.held() != 0 {
			t.Fatalf("employer importing everyone: %d, %d held", rec.Code, w.held())
		}
		var own []workforce.Assignment
		for _, a := range w.staff {
			if a.Employer == w.trust.Code {
				own = append(own, a)
			}
		}
		var ob bytes.Buffer
		workforce.WriteStaff(&ob, own)
		if rec := w.upload(w.employer, "staff", "own.csv", ob.Bytes()); rec.Code != 303 || w.held() != len(own) {
			t.Fatalf("own staff: %d, %d held of %d", rec.Code, w.held(), len(own))
		}
		// The planner imports everyone; again, and nothing changes.
		for range 2 {
			if rec := w.upload(w.planner, "staff", "staff.csv", staff); rec.Code != 303 || w.held() != len(w.staff) {
				t.Fatalf("staff: %d, %d held of %d", rec.Code, w.held(), len(w.staff))
			}
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM workforce_imports WHERE kind = 'staff' AND added = 0 AND changed = 0 AND unchanged = $1", len(w.staff)); n != 1 {
			t.Errorf("%d imports changed nothing, want the second", n)
		}
		// The employer sees its own imports, not the national team's.
		if page := w.send(w.employer, "GET", "/workforce/import", "", nil).Body.String(); !strings.Contains(page, "own.csv") || strings.Contains(page, "staff.csv") || strings.Contains(page, "employers.csv") {
			t.Errorf("the employer's import page lists others' imports: %s", excerpt(page[strings.Index(page, "<main"):]))
		}

		// The dashboard, filtered by region and specialism.
		q := "?region=" + strings.ReplaceAll(w.trust.Region, " ", "+") + "&specialism=division:life-sciences&by=group"
		rec = w.send(w.planner, "GET", "/workforce"+q, "", nil)
		body := rec.Body.String()
		for _, want := range []string{`<svg class="hcs-chart" role="img"`, `<title id="bars-title">Headcount by role group`, `id="breakdown-table"`, "Blood sciences", "staff in " + w.trust.Region + ", Life sciences"} {
			if rec.Code != 200 || !strings.Contains(body, want) {
				t.Fatalf("dashboard %s: %d, want %q in %s", q, rec.Code, want, excerpt(body))
			}
		}
		// The CSV has the table's figures.
		rec = w.send(w.planner, "GET", "/workforce/figures.csv"+q, "", nil)
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil || rec.Code != 200 || rows[0][0] != "as_at" || len(rows) < 3 {
			t.Fatalf("CSV: %d %v %v", rec.Code, err, rows)
		}
		var api struct {
			Rows  []workforce.Cell `json:"rows"`
			Total workforce.Cell   `json:"total"`
		}
		rec = w.send(w.planner, "GET", "/api/v1/workforce/figures"+q, "", nil)
		if err := json.Unmarshal(rec.Body.Bytes(), &api); err != nil || len(api.Rows) != len(rows)-2 {
			t.Fatalf("API: %d %v %s", rec.Code, err, excerpt(rec.Body.String()))
		}
		for i, r := range api.Rows {
			if rows[i+1][2] != r.Name || (r.Shown == workforce.ShownCount) != (rows[i+1][3] != "") {
				t.Errorf("CSV row %v and API row %+v differ", rows[i+1], r)
			}
		}
		// Joiners and leavers: the page's table, the CSV and the API agree.
		// They narrow one dimension at a time: filtered by region and
		// specialism, the dashboard says so.
		if !strings.Contains(body, "Joiners and leavers are published for one of region, specialism, career level or band at a time") {
			t.Fatalf("filtered joiners and leavers: %s", excerpt(body[strings.Index(body, `id="flows"`):]))
		}
		q = "?by=division"
		body = w.send(w.planner, "GET", "/workforce"+q, "", nil).Body.String()
		if !strings.Contains(body, `id="flows-table"`) || !strings.Contains(body, `<title id="flows-title">Joiners and leavers in each financial year`) {
			t.Fatalf("no joiners and leavers on the dashboard: %s", excerpt(body[strings.Index(body, `id="flows"`):]))
		}
		rec = w.send(w.planner, "GET", "/workforce/flows.csv"+q, "", nil)
		flows, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil || rec.Code != 200 || len(flows) < 3 || flows[len(flows)-1][3] != "Total: All specialisms" {
			t.Fatalf("flows CSV: %d %v %v", rec.Code, err, flows)
		}
		var fapi struct {
			Year workforce.FlowTable `json:"year"`
		}
		rec = w.send(w.planner, "GET", "/api/v1/workforce/flows"+q, "", nil)
		if err := json.Unmarshal(rec.Body.Bytes(), &fapi); err != nil || len(fapi.Year.Rows) != len(flows)-2 {
			t.Fatalf("flows API: %d %v %s", rec.Code, err, excerpt(rec.Body.String()))
		}
		for i, r := range append(fapi.Year.Rows, fapi.Year.Total) {
			if j := flows[i+1][4]; (r.Joiners.Shown == workforce.ShownCount) != (j != "") || j != "" && j != strconv.Itoa(r.Joiners.Count) {
				t.Errorf("flows CSV row %v and API row %+v differ", flows[i+1], r)
			}
			if r.Joiners.Shown == workforce.ShownCount && !strings.Contains(body, ">"+formatThousands(strconv.Itoa(r.Joiners.Count))+"<") {
				t.Errorf("the page lacks %s's %d joiners", r.Name, r.Joiners.Count)
			}
		}
		// The financial years' CSV does not depend on the quarter asked
		// for, even the first, which has no year before it.
		var quarters struct {
			Points []string `json:"quarter_ends"`
		}
		rec = w.send(w.planner, "GET", "/api/v1/workforce/quarters", "", nil)
		if err := json.Unmarshal(rec.Body.Bytes(), &quarters); err != nil || len(quarters.Points) < 5 {
			t.Fatalf("quarters API: %d %v %s", rec.Code, err, excerpt(rec.Body.String()))
		}
		first := quarters.Points[0]
		if rec := w.send(w.planner, "GET", "/workforce/flows.csv?years=all&at="+first, "", nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), ",All staff,") {
			t.Errorf("financial years' CSV at %s: %d %s", first, rec.Code, excerpt(rec.Body.String()))
		}
		if rec := w.send(w.planner, "GET", "/workforce/flows.csv?at="+first, "", nil); rec.Code != 400 || !strings.Contains(rec.Body.String(), "need a year of records before") {
			t.Errorf("the year to the first quarter's CSV: %d %s", rec.Code, excerpt(rec.Body.String()))
		}
		// Bad filters are named.
		for path, want := range map[string]string{"/workforce?by=colour": "Break the figures down by one of", "/workforce?region=Atlantis": "is not a region",
			"/workforce?region=London&level=practitioner&band=5&by=specialism": "at most 3 of region"} {
			if rec := w.send(w.planner, "GET", path, "", nil); rec.Code != 400 || !strings.Contains(rec.Body.String(), want) {
				t.Errorf("%s: %d, want 400 naming %q: %s", path, rec.Code, want, excerpt(rec.Body.String()[strings.Index(rec.Body.String(), "<main"):]))
			}
		}
		// Nobody else reads the national figures.
		if rec := w.send(w.employer, "GET", "/workforce", "", nil); rec.Code != 403 {
			t.Errorf("an employer read the national dashboard: %d", rec.Code)
		}
	})
}

// TestBrowserWorkforce: the planner imports the files through the page,
// filters the dashboard by region and specialism, reads the chart's data
// table and downloads its CSV; axe-core checks every page.
func TestBrowserWorkforce(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		if testing.Short() {
			t.Skip("browser tests are skipped with -short")
		}
		w := newWorkforceWorld(t, db)
		employers, staff := w.files()
		dir := t.TempDir()
		ef, sf := filepath.Join(dir, "employers.csv"), filepath.Join(dir, "staff.csv")
		if err := os.WriteFile(ef, employers, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(sf, staff, 0o600); err != nil {
			t.Fatal(err)
		}
		d := &roundDriver{t: t, b: newBrowserOn(t, db)}
		d.as(w.planner.Email)
		d.open("/workforce")
		d.expect("main", "No staff records have been imported yet")
		d.click(`main a[href="/workforce/import"]`)
		d.b.CheckAccessibility(t)
		d.click("#kind-employers")
		d.b.Do(t, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{ef}))
		d.submit(`#import-form button[type="submit"]`)
		d.expect(".nhsuk-inset-text", fmt.Sprintf("employers.csv: %d employers, %d new", len(w.employers), len(w.employers)))
		d.b.Do(t, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{sf}))
		d.submit(`#import-form button[type="submit"]`)
		d.expect(".nhsuk-inset-text", fmt.Sprintf("staff.csv: %d assignments, %d new", len(w.staff), len(w.staff)))
		d.expect("#imports", "staff.csv")

		d.open("/workforce")
		d.fill("region", w.trust.Region, "specialism", "division:life-sciences", "by", "level")
		d.submit(`#filters button[type="submit"]`)
		d.b.CheckAccessibility(t)
		d.expect("#breakdown", "Headcount by career level")
		d.expect("#breakdown-table caption", "staff in "+w.trust.Region+", Life sciences")
		d.expect("#breakdown-table", "Practitioner")
		if got := d.b.Eval(t, `document.querySelector("svg.hcs-chart title").textContent`); !strings.HasPrefix(got, "Headcount by career level") {
			t.Errorf("the chart is called %q", got)
		}
		// The table's rows, as the page shows them, against the CSV the
		// download link gives.
		table := d.b.Eval(t, `[...document.querySelectorAll("#breakdown-table tbody tr")].map(r => r.querySelector("th").textContent.trim() + "|" + r.querySelectorAll("td")[0].textContent.trim()).join("\n")`)
		csvText, err := chromedp.Run(d.b.Ctx, chromedp.Evaluate[string](`fetch(document.querySelector('a[href^="/workforce/figures.csv"]').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
		if err != nil {
			t.Fatalf("the downloaded CSV: %v\n%s", err, csvText)
		}
		var fromCSV []string
		for _, r := range rows[1:] {
			shown := r[3]
			if shown == "" {
				shown = r[5]
			} else {
				shown = formatThousands(shown)
			}
			fromCSV = append(fromCSV, strings.TrimPrefix(r[2], "Total: All levels")+"|"+shown)
		}
		if want := strings.Join(fromCSV, "\n"); strings.ReplaceAll(table, "Total|", "|") != want {
			t.Errorf("the page's table:\n%s\nthe CSV:\n%s", table, want)
		}

		// The forecast: a region's, with a changed assumption, saved.
		d.click(`main a[href="/workforce/forecast"]`)
		d.b.CheckAccessibility(t)
		d.fill("region", w.trust.Region)
		d.submit(`#forecast-form button[type="submit"]`)
		d.expect("#forecast-heading", w.trust.Region)
		d.b.Do(t, chromedp.Click(chromedp.CSS("#forecast-form summary")))
		d.fill("growth", "5")
		d.submit(`#forecast-form button[type="submit"]`)
		d.b.CheckAccessibility(t)
		d.fill("name", "Five per cent growth")
		d.submit(`#save-form button[type="submit"]`)
		d.b.CheckAccessibility(t)
		d.expect(".nhsuk-inset-text", "is saved")
		d.expect("#forecast-heading", "Five per cent growth")
		d.expect("#scenarios-table", "Five per cent growth")

		// The employer reads its own staff.
		d.as(w.employer.Email)
		d.open("/employer")
		d.click(`main a[href="/workforce/employer"]`)
		d.b.CheckAccessibility(t)
		d.expect("main", w.trust.Name)
		d.expect("#own-table", "Total")
		d.expect("#flows", "Joined in the year before")
	})
}

// formatThousands writes 1234 as 1,234, as the pages do.
func formatThousands(s string) string {
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TestWorkforceFHIR: the framework's terminology is public FHIR; staff
// records come as FHIR bulk data to the national team for every employer
// and to an employer for its own staff only, each line a valid R4
// resource.
func TestWorkforceFHIR(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w := newWorkforceWorld(t, db)
		employers, staff := w.files()
		if rec := w.upload(w.planner, "employers", "employers.csv", employers); rec.Code != 303 {
			t.Fatal(rec.Code)
		}
		if rec := w.upload(w.planner, "staff", "staff.csv", staff); rec.Code != 303 {
			t.Fatal(rec.Code)
		}
		for _, path := range []string{"/fhir/CodeSystem/healthcare-science-specialisms", "/api/v1/fhir/ValueSet/healthcare-science-career-levels"} {
			rec := w.send(nil, "GET", path, "", nil)
			if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/fhir+json") {
				t.Fatalf("%s: %d %s", path, rec.Code, rec.Header().Get("Content-Type"))
			}
			if err := testkit.CheckFHIR(t, rec.Body.Bytes()); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		if rec := w.send(nil, "GET", "/fhir/CodeSystem/colours", "", nil); rec.Code != 404 {
			t.Errorf("an unknown CodeSystem: %d", rec.Code)
		}
		lines := func(u *auth.User, kind string) []string {
			rec := w.send(u, "GET", "/api/v1/workforce/fhir/"+kind+".ndjson", "", nil)
			if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/fhir+ndjson" {
				t.Fatalf("%s as %s: %d %s", kind, u.Name, rec.Code, excerpt(rec.Body.String()))
			}
			out := strings.Split(strings.TrimSpace(rec.Body.String()), "\n")
			for _, l := range out {
				if err := testkit.CheckFHIR(t, []byte(l)); err != nil {
					t.Fatalf("%s: %v\n%s", kind, err, l)
				}
			}
			return out
		}
		all := lines(w.planner, "PractitionerRole")
		if len(all) != len(w.staff) {
			t.Fatalf("%d roles for %d assignments", len(all), len(w.staff))
		}
		own := lines(w.employer, "PractitionerRole")
		mine := 0
		for _, a := range w.staff {
			if a.Employer == w.trust.Code {
				mine++
			}
		}
		if len(own) != mine {
			t.Fatalf("the employer read %d roles; its own are %d", len(own), mine)
		}
		for _, l := range own {
			if !strings.Contains(l, `"reference":"Organization/`+w.trust.Code+`"`) {
				t.Fatalf("the employer read another employer's assignment: %s", l)
			}
		}
		for _, l := range lines(w.employer, "Organization") {
			if strings.Contains(l, `"resourceType":"Organization","id":"ZZ`) && !strings.Contains(l, `"id":"`+w.trust.Code+`"`) {
				t.Fatalf("the employer read another employer: %s", l)
			}
		}
		if n := len(lines(w.employer, "Practitioner")); n == 0 || n >= len(lines(w.planner, "Practitioner")) {
			t.Errorf("the employer read %d people", n)
		}
		if rec := w.send(nil, "GET", "/api/v1/workforce/fhir/Practitioner.ndjson", "", nil); rec.Code != 401 {
			t.Errorf("signed out: %d", rec.Code)
		}
	})
}

// TestForecastThroughThePages: the planner reads a group's forecast,
// changes an assumption, saves it as a scenario and finds it compared
// with the others; bad assumptions are named and nothing is saved.
func TestForecastThroughThePages(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w := newWorkforceWorld(t, db)
		employers, staff := w.files()
		w.upload(w.planner, "employers", "employers.csv", employers)
		if rec := w.upload(w.planner, "staff", "staff.csv", staff); rec.Code != 303 {
			t.Fatal(rec.Code)
		}
		rec := w.send(w.planner, "GET", "/workforce/forecast?specialism=division:life-sciences", "", nil)
		body := rec.Body.String()
		for _, want := range []string{`id="forecast-table"`, "Supply and demand of life sciences", `<title id="forecast-title">`, "stroke-dasharray"} {
			if rec.Code != 200 || !strings.Contains(body, want) {
				t.Fatalf("forecast: %d, want %q: %s", rec.Code, want, excerpt(body))
			}
		}
		save := func(form string) *httptest.ResponseRecorder {
			return w.send(w.planner, "POST", "/workforce/forecast/scenarios", "application/x-www-form-urlencoded", []byte(form))
		}
		form := "specialism=division%3Alife-sciences&leave_rate=12.5&growth=3&join_age=30&name="
		if rec := save(form + "Higher+leaving"); rec.Code != 303 || !strings.Contains(rec.Header().Get("Location"), "/workforce/forecast?scenario=") {
			t.Fatalf("save: %d %s", rec.Code, excerpt(rec.Body.String()))
		}
		for bad, want := range map[string]string{form: "Enter", "specialism=division%3Alife-sciences&leave_rate=lots&name=X": "write a number",
			"specialism=division%3Alife-sciences&leave_rate=150&name=X": "must be a share from 0 to 1"} {
			if rec := save(bad); rec.Code != 400 || !strings.Contains(rec.Body.String(), want) {
				t.Errorf("%s: %d, want 400 naming %q", bad, rec.Code, want)
			}
		}
		if n := testkit.Count(t, db, "SELECT COUNT(*) FROM workforce_scenarios"); n != 1 {
			t.Fatalf("%d scenarios saved, want 1", n)
		}
		var api struct {
			Assumptions workforce.Assumptions    `json:"assumptions"`
			Years       []workforce.ForecastYear `json:"years"`
		}
		rec = w.send(w.planner, "GET", "/api/v1/workforce/forecast?scenario=1", "", nil)
		if err := json.Unmarshal(rec.Body.Bytes(), &api); err != nil || api.Assumptions.LeaveRate != 0.125 || api.Assumptions.Growth != 0.03 || len(api.Years) != 5 {
			t.Fatalf("scenario by API: %d %v %+v", rec.Code, err, api.Assumptions)
		}
		page := w.send(w.planner, "GET", "/workforce/forecast", "", nil).Body.String()
		if !strings.Contains(page, `id="scenarios-table"`) || !strings.Contains(page, "Higher leaving") || !strings.Contains(page, "12.5%, 3.0%") {
			t.Errorf("the saved scenario is not compared: %s", excerpt(page[strings.Index(page, "<main"):]))
		}
	})
}

// TestEmployerSeesOnlyItsOwnStaff: an employer reads its own staff's
// figures unsuppressed, and nobody else's; the national team chooses any
// employer.
func TestEmployerSeesOnlyItsOwnStaff(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		w := newWorkforceWorld(t, db)
		employers, staff := w.files()
		w.upload(w.planner, "employers", "employers.csv", employers)
		if rec := w.upload(w.planner, "staff", "staff.csv", staff); rec.Code != 303 {
			t.Fatal(rec.Code)
		}
		m, _ := workforce.NewService(db.Workforce(), testkit.Framework(t), 0).Model(context.Background())
		at := m.Points[len(m.Points)-1]
		own := 0
		for _, a := range w.staff {
			if a.Employer == w.trust.Code && a.ActiveOn(at) {
				own++
			}
		}
		rec := w.send(w.employer, "GET", "/workforce/employer?by=level", "", nil)
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(body, w.trust.Name) || !strings.Contains(body, `id="own-table"`) || strings.Contains(body, "fewer than") {
			t.Fatalf("employer view: %d %s", rec.Code, excerpt(body))
		}
		rec = w.send(w.employer, "GET", "/workforce/employer.csv?by=band", "", nil)
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil || len(rows) < 3 {
			t.Fatalf("CSV: %d %v", rec.Code, err)
		}
		if total := rows[len(rows)-1]; total[4] != fmt.Sprint(own) {
			t.Errorf("the employer's total is %s; %d of its staff are in post", total[4], own)
		}
		other := fmt.Sprint(testkit.Count(t, db, "SELECT organisation_id FROM workforce_employers WHERE code = $1", w.employers[1].Code))
		if rec := w.send(w.employer, "GET", "/workforce/employer?organisation_id="+other, "", nil); rec.Code != 400 || strings.Contains(rec.Body.String(), w.employers[1].Name+" (") {
			t.Errorf("an employer asked for another's staff: %d", rec.Code)
		}
		if rec := w.send(w.planner, "GET", "/workforce/employer?organisation_id="+other, "", nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), w.employers[1].Name) {
			t.Errorf("the planner chose an employer: %d", rec.Code)
		}
	})
}
