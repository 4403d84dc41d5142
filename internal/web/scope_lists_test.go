package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
	"hcs/internal/web"
)

// listCase is what one role must and must not see on one list route.
type listCase struct {
	role      auth.Role
	shows     []string
	mustNotBe []string
}

// TestListRoutesShowOnlyTheirScope: every list route, for every role it
// serves, shows the rows of the caller's own organisation, department,
// round or account and none of the others, with records in two
// organisations, three departments and two rounds (the matrix fixture).
// Every GET route that needs someone signed in is either a list here or
// a single record checked by the authorization matrix, so a new list
// cannot arrive unchecked.
func TestListRoutesShowOnlyTheirScope(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		f := newMatrixFixture(t, db)
		h := testkit.ServerWith(t, db)
		id := func(n int64) string { return fmt.Sprint(n) }
		both := []string{"Trust A", "Trust B Secret Name"}
		lists := map[string]struct {
			path  string
			cases []listCase
		}{
			"GET /api/v1/organisations": {"/api/v1/organisations", []listCase{
				{auth.RoleEmployer, []string{"Trust A"}, []string{"Secret"}},
				{auth.RoleSchoolAdmin, both, nil},
				{auth.RoleSystemAdmin, both, nil},
			}},
			"GET /employer": {"/employer", []listCase{{auth.RoleEmployer, []string{"Trust A"}, []string{"Secret"}}}},
			"GET /training": {"/training", []listCase{{auth.RoleTrainingOfficer, []string{"Audiology A"}, []string{"Cardiology A", "Secret"}}}},
			"GET /review":   {"/review", []listCase{{auth.RoleReviewer, []string{"Round One"}, []string{"Round Two"}}}},
			"GET /review/rounds/{id}": {"/review/rounds/" + id(f.round1), []listCase{
				{auth.RoleReviewer, []string{recruit.Reference(f.ownApp)}, []string{recruit.Reference(f.victimApp), "Person"}}}},
			"GET /employer/rounds/{id}/interviews": {"/employer/rounds/" + id(f.round2) + "/interviews", []listCase{
				{auth.RoleEmployer, []string{"Interviews"}, []string{"Victim", "Secret"}}}},
			"GET /api/v1/rounds/{id}/interviews": {"/api/v1/rounds/" + id(f.round2) + "/interviews", []listCase{
				{auth.RoleEmployer, []string{`"applications":[]`}, []string{"Victim"}}}},
			"GET /school/rounds/{id}":         {"/school/rounds/" + id(f.round1), []listCase{{auth.RoleSchoolAdmin, []string{"Person reviewer", "Reviewer colleague@"}, []string{"other1@"}}}},
			"GET /api/v1/rounds/{id}/summary": {"/api/v1/rounds/" + id(f.round1) + "/summary", []listCase{{auth.RoleSchoolAdmin, []string{"Round One"}, nil}}},
			"GET /api/v1/rounds/{id}/reviewers": {"/api/v1/rounds/" + id(f.round1) + "/reviewers", []listCase{
				{auth.RoleSchoolAdmin, []string{"Person reviewer"}, []string{"other1@"}}}},
			"GET /api/v1/rounds/{id}/ranking": {"/api/v1/rounds/" + id(f.round1) + "/ranking", []listCase{{auth.RoleSchoolAdmin, []string{`"ranking"`}, nil}}},
			"GET /api/v1/posts/{id}/offers":   {"/api/v1/posts/" + id(f.post1) + "/offers", []listCase{{auth.RoleEmployer, []string{`"offers"`}, nil}}},
			"GET /school":                     {"/school", []listCase{{auth.RoleSchoolAdmin, both, nil}}},
			"GET /admin":                      {"/admin", []listCase{{auth.RoleSystemAdmin, both, nil}}},
			"GET /organisations/{id}": {"/organisations/" + id(f.orgA), []listCase{
				{auth.RoleEmployer, []string{"Audiology A", "Cardiology A"}, []string{"Secret"}},
				{auth.RoleSchoolAdmin, []string{"Audiology A", "Cardiology A"}, []string{"Secret"}},
			}},
			"GET /departments/{id}": {"/departments/" + id(f.deptA), []listCase{
				{auth.RoleTrainingOfficer, []string{"Person training-officer"}, []string{"Person employer-recruiter", "Secret"}},
				{auth.RoleEmployer, []string{"Person training-officer"}, []string{"Secret"}},
			}},
			"GET /api/v1/rounds/{id}/review": {"/api/v1/rounds/" + id(f.round1) + "/review", []listCase{
				{auth.RoleReviewer, []string{"statement of round one"}, []string{"Secret", "Person", "user_id"}},
			}},
			"GET /api/v1/me/applications": {"/api/v1/me/applications", []listCase{{auth.RoleApplicant, []string{"statement of round one"}, []string{"Secret"}}}},
			"GET /applicant":              {"/applicant", []listCase{{auth.RoleApplicant, []string{"Round One", recruit.Reference(f.ownApp)}, []string{"Secret", recruit.Reference(f.victimApp)}}}},
			"GET /api/v1/users":           {"/api/v1/users", []listCase{{auth.RoleSystemAdmin, []string{"Victim", "Person reviewer"}, nil}}},
			"GET /admin/users":            {"/admin/users", []listCase{{auth.RoleSystemAdmin, []string{"Victim", "Person reviewer"}, nil}}},
			"GET /api/v1/rounds/{id}/offers": {"/api/v1/rounds/" + id(f.round2) + "/offers", []listCase{
				{auth.RoleSchoolAdmin, []string{`"offers"`}, nil}}},
			"GET /api/v1/audit":    {"/api/v1/audit", []listCase{{auth.RoleSystemAdmin, []string{"organisation.create"}, nil}}},
			"GET /admin/audit":     {"/admin/audit", []listCase{{auth.RoleSystemAdmin, []string{"organisation.create"}, nil}}},
			"GET /admin/audit.csv": {"/admin/audit.csv", []listCase{{auth.RoleSystemAdmin, []string{"organisation.create"}, nil}}},
			"GET /api/v1/outbox":   {"/api/v1/outbox", []listCase{{auth.RoleSystemAdmin, []string{`"messages"`}, nil}}},
			"GET /admin/outbox":    {"/admin/outbox", []listCase{{auth.RoleSystemAdmin, []string{"Outbox"}, nil}}},
			"GET /workforce":       {"/workforce", []listCase{{auth.RoleWorkforcePlanner, []string{"No staff records have been imported yet"}, []string{"Person", "Secret"}}}},
			// National figures with small numbers suppressed, for planners
			// only; TestWorkforceThroughThePages reads them with staff.
			"GET /workforce/figures.csv":     {"/workforce/figures.csv", nil},
			"GET /workforce/quarters.csv":    {"/workforce/quarters.csv", nil},
			"GET /api/v1/workforce/figures":  {"/api/v1/workforce/figures", nil},
			"GET /api/v1/workforce/quarters": {"/api/v1/workforce/quarters", nil},
			"GET /workforce/flows.csv":       {"/workforce/flows.csv", nil},
			"GET /api/v1/workforce/flows":    {"/api/v1/workforce/flows", nil},
			// Staff records one by one: TestWorkforceFHIR checks that an
			// employer reads only its own.
			"GET /api/v1/workforce/fhir/{type}": {"/api/v1/workforce/fhir/Practitioner.ndjson", []listCase{{auth.RoleWorkforcePlanner, nil, []string{"Secret"}},
				{auth.RoleEmployer, nil, []string{"Secret"}}}},
			"GET /workforce/forecast":        {"/workforce/forecast", []listCase{{auth.RoleWorkforcePlanner, []string{"nothing to forecast from"}, []string{"Secret"}}}},
			"GET /api/v1/workforce/forecast": {"/api/v1/workforce/forecast", nil},
			// Counts of trainees and places, suppressed for planners:
			// TestPipelineThroughThePages reads them with trainees.
			"GET /workforce/pipeline":        {"/workforce/pipeline", []listCase{{auth.RoleWorkforcePlanner, []string{"No one is in training"}, []string{"Secret"}}}},
			"GET /workforce/pipeline.csv":    {"/workforce/pipeline.csv", nil},
			"GET /api/v1/workforce/pipeline": {"/api/v1/workforce/pipeline", nil},
			// An employer's own staff: TestEmployerSeesOnlyItsOwnStaff
			// checks the scope with staff.
			"GET /workforce/employer":     {"/workforce/employer", []listCase{{auth.RoleEmployer, []string{"once the national workforce team has registered"}, []string{"Secret"}}}},
			"GET /workforce/employer.csv": {"/workforce/employer.csv", nil},
			"GET /workforce/import": {"/workforce/import", []listCase{{auth.RoleWorkforcePlanner, []string{"Import staff records", "employers are registered"}, []string{"Secret"}},
				{auth.RoleEmployer, []string{"your organisation, once the national workforce team has registered"}, []string{"Secret"}}}},
			"GET /api/v1/me/data":    {"/api/v1/me/data", []listCase{{auth.RoleApplicant, []string{"Person applicant"}, []string{"Victim", "Secret"}}}},
			"GET /account/data":      {"/account/data", []listCase{{auth.RoleEmployer, []string{"Person employer-recruiter"}, []string{"Victim", "Secret"}}}},
			"GET /api/v1/me/profile": {"/api/v1/me/profile", nil}, // the caller's own profile, or 404
			// Training's lists; the fixture has no trainees, whose scopes
			// TestTrainingRecordsStayWithTheirPeople and TestTrainingAPI
			// check with records of others.
			"GET /trainee":           {"/trainee", []listCase{{auth.RoleTrainee, []string{"no training record yet"}, []string{"Secret"}}}},
			"GET /supervisor":        {"/supervisor", []listCase{{auth.RoleSupervisor, []string{"You supervise nobody yet"}, []string{"Secret"}}}},
			"GET /school/training":   {"/school/training", []listCase{{auth.RoleSchoolAdmin, []string{"No trainees."}, nil}}},
			"GET /api/v1/trainees":   {"/api/v1/trainees", []listCase{{auth.RoleTrainee, []string{`"trainees":[]`}, nil}, {auth.RoleSupervisor, []string{`"trainees":[]`}, nil}}},
			"GET /api/v1/placements": {"/api/v1/placements", []listCase{{auth.RoleTrainingOfficer, []string{`"placements":[]`}, []string{"Secret"}}}},
		}
		// Single records, whose scope the authorization matrix checks with
		// records of others.
		records := []string{"GET /account", "GET /account/password", "GET /api/v1/me", "GET /applications/{id}/preferences", "GET /offers/{id}",
			"GET /admin/users/{id}", "GET /api/v1/organisations/{id}", "GET /api/v1/rounds/{id}/eligibility",
			"GET /api/v1/applications/{id}/result", "GET /api/v1/applications/{id}/feedback", "GET /api/v1/applications/{id}/offers", "GET /profile", "GET /rounds/{id}/apply",
			"GET /applications/{id}", "GET /employer/rounds/{id}/posts/new", "GET /employer/posts/{id}", "GET /review/applications/{id}",
			"GET /school/rounds/new", "GET /school/rounds/{id}/timetable", "GET /school/rounds/{id}/stations", "GET /school/rounds/{id}/what-if",
			"GET /school/rounds/{id}/publish", "GET /api/v1/applications/{id}", "GET /api/v1/offers/{id}",
			"GET /training/placements/{id}", "GET /training/trainees/{id}", "GET /training/trainees/{id}/team", "GET /trainee/evidence/new",
			"GET /trainee/evidence/{id}", "GET /api/v1/trainees/{id}", "GET /api/v1/trainees/{id}/history", "GET /api/v1/evidence/{id}",
			"GET /api/v1/trainees/{id}/certificates", "GET /training/trainees/{id}/archive.json", "GET /training/trainees/{id}/xapi.json",
			"GET /api/v1/trainees/{id}/archive", "GET /api/v1/trainees/{id}/statements", "GET /training/files/{id}", "GET /api/v1/files/{id}",
			"GET /api/v1/trainees/{id}/files", "GET /training/departments/{id}/import",
			// A round's online test stage: its applications by reference,
			// for whoever manages the round.
			"GET /school/rounds/{id}/test", "GET /api/v1/rounds/{id}/test",
			// A round's shortlisting outcomes, by reference, likewise.
			"GET /school/rounds/{id}/shortlist", "GET /api/v1/rounds/{id}/shortlist",
			// An applicant's own application's withdrawal page.
			"GET /applications/{id}/withdraw",
			// One post's nominations, for its employer.
			"GET /api/v1/posts/{id}/nominations",
			// One offer's pre-employment checks, for its post's employer.
			"GET /employer/posts/{id}/offers/{offer}", "GET /api/v1/posts/{id}/offers/{offer}/checks"}
		for _, rt := range h.Routes() {
			method, _, _ := strings.Cut(rt.Pattern, " ")
			if method != "GET" || rt.Action == auth.ActionPublic {
				continue
			}
			if _, ok := lists[rt.Pattern]; !ok && !slices.Contains(records, rt.Pattern) {
				t.Errorf("%s is neither a list checked here nor a single record: add it to one", rt.Pattern)
			}
		}
		for pattern, l := range lists {
			for _, c := range l.cases {
				rec := f.do(t, h, web.Route{Pattern: pattern}, example{path: l.path}, c.role)
				body := rec.Body.String()
				if rec.Code != http.StatusOK {
					t.Errorf("%s as %s: %d", l.path, c.role, rec.Code)
					continue
				}
				for _, want := range c.shows {
					if !strings.Contains(body, want) {
						t.Errorf("%s as %s does not show %q", l.path, c.role, want)
					}
				}
				for _, not := range c.mustNotBe {
					if strings.Contains(body, not) {
						t.Errorf("%s as %s shows %q, outside their scope", l.path, c.role, not)
					}
				}
			}
		}
	})
}
