package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
	"hcs/internal/web"
)

// matrixFixture is a small world: two trusts, with two departments in
// trust A and one in trust B; two recruitment rounds taking applications,
// trust A with posts in the first and trust B in the second, both rounds
// now shortlisting; one account per role (employer and training officer in
// trust A's first department, the reviewer appointed to the first round),
// the applicant's application in the first round, and a victim applicant
// with an application in the second, each assigned to its round's two
// reviewers. Names of what only trust B or the victim may see contain
// "Secret".
type matrixFixture struct {
	db                  *database.DB
	orgA, orgB          int64
	deptA, deptA2       int64
	deptB               int64
	round1, round2      int64
	post1, post1b       int64 // trust A's posts in round one
	ownApp, victimApp   int64
	users               map[auth.Role]int64
	victim, victimGrant int64
}

var system = auth.Actor{Address: "test"}

func newMatrixFixture(t *testing.T, db *database.DB) *matrixFixture {
	t.Helper()
	ctx := context.Background()
	f := &matrixFixture{db: db, users: map[auth.Role]int64{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	a := &auth.Organisation{Kind: auth.OrgTrust, Name: "Trust A", Region: "London"}
	b := &auth.Organisation{Kind: auth.OrgTrust, Name: "Trust B Secret Name", Region: "Wales"}
	must(db.CreateOrganisation(ctx, system, a))
	must(db.CreateOrganisation(ctx, system, b))
	da := &auth.Department{OrganisationID: a.ID, Name: "Audiology A"}
	da2 := &auth.Department{OrganisationID: a.ID, Name: "Cardiology A"}
	dbB := &auth.Department{OrganisationID: b.ID, Name: "Audiology B Secret"}
	for _, d := range []*auth.Department{da, da2, dbB} {
		must(db.CreateDepartment(ctx, system, d))
	}
	f.orgA, f.orgB, f.deptA, f.deptA2, f.deptB = a.ID, b.ID, da.ID, da2.ID, dbB.ID

	// The rounds took applications until an hour ago and are now
	// shortlisting: the fixture's clock is set back while it applies.
	svc := testkit.Recruit(t, db)
	now, clock := db.Now(), db.Now
	db.Now = func() time.Time { return now.Add(-90 * time.Minute) }
	for i, name := range []string{"Round One", "Round Two"} {
		rd := &recruit.Round{Programme: "stp", Name: name, ApplicationsOpen: now.Add(-2 * time.Hour), ShortlistingOpen: now.Add(-time.Hour),
			InterviewsOpen: now.Add(48 * time.Hour), PreferencesOpen: now.Add(72 * time.Hour), OffersOpen: now.Add(96 * time.Hour), StartDate: now.Add(2000 * time.Hour),
			TieBreakSeed: "seed", ScoreMargin: 10, ShortlistWeight: 1, InterviewWeight: 1, OfferWorkingDays: 2}
		must(svc.OpenRound(ctx, system, rd, []recruit.Station{{Name: "One", Weight: 1}}))
		org := a.ID
		if i == 1 {
			org = b.ID
		}
		p := &recruit.Post{RoundID: rd.ID, OrganisationID: org, Specialism: "audiology", Site: "Site of " + name, Places: 1, Contact: "c"}
		must(svc.PublishPost(ctx, system, p))
		if i == 0 {
			f.round1, f.post1 = rd.ID, p.ID
			spare := &recruit.Post{RoundID: rd.ID, OrganisationID: org, Specialism: "audiology", Site: "Spare site", Places: 1, Contact: "c"}
			must(svc.PublishPost(ctx, system, spare))
			f.post1b = spare.ID
		} else {
			f.round2 = rd.ID
		}
	}
	for _, role := range auth.Roles {
		g := auth.Grant{Role: role}
		switch role {
		case auth.RoleEmployer:
			g.OrganisationID = a.ID
		case auth.RoleTrainingOfficer, auth.RoleSupervisor:
			g.DepartmentID = da.ID // its organisation is filled in by the store
		}
		u := &auth.User{Name: "Person " + string(role), Email: string(role) + "@example.org"}
		if role == auth.RoleReviewer { // appointed to round one below
			must(db.CreateUser(ctx, system, u, "", nil))
		} else {
			must(db.CreateUser(ctx, system, u, "", []auth.Grant{g}))
		}
		f.users[role] = u.ID
	}
	// Round one's reviewers are the reviewer and a colleague; round two
	// has reviewers of its own.
	for _, rv := range []struct {
		email string
		round int64
	}{{"reviewer@example.org", f.round1}, {"colleague@example.org", f.round1}, {"other1@example.org", f.round2}, {"other2@example.org", f.round2}} {
		if rv.email != "reviewer@example.org" {
			must(db.CreateUser(ctx, system, &auth.User{Name: "Reviewer " + rv.email, Email: rv.email}, "", nil))
		}
		_, err := svc.AppointReviewer(ctx, system, rv.round, rv.email, 0)
		must(err)
	}
	v := &auth.User{Name: "Victim", Email: "victim@example.org"}
	must(db.CreateUser(ctx, system, v, "", []auth.Grant{{Role: auth.RoleApplicant}}))
	f.victim, f.victimGrant = v.ID, v.Grants[0].ID
	for _, app := range []struct {
		user, round int64
		statement   string
		id          *int64
	}{{f.users[auth.RoleApplicant], f.round1, "statement of round one", &f.ownApp}, {v.ID, f.round2, "Secret statement of round two", &f.victimApp}} {
		by := auth.Actor{UserID: app.user}
		must(svc.SaveProfile(ctx, by, &recruit.Profile{UserID: app.user, RightToWork: true, Qualifications: []recruit.Qualification{{Credential: "degree-21"}}}))
		a := &recruit.Application{RoundID: app.round, UserID: app.user, Specialism: "audiology", Statement: app.statement}
		must(svc.Apply(ctx, by, a))
		*app.id = a.ID
	}
	db.Now = clock
	for _, round := range []int64{f.round1, f.round2} {
		_, err := svc.AssignReviewers(ctx, system, round)
		must(err)
	}
	return f
}

// cookie opens a fresh session for the role, so that routes which end
// sessions cannot disturb later cells.
func (f *matrixFixture) cookie(t *testing.T, role auth.Role) *http.Cookie {
	t.Helper()
	token, hash, _ := auth.NewToken()
	if err := f.db.CreateSession(context.Background(), system, f.users[role], hash, time.Hour); err != nil {
		t.Fatal(err)
	}
	return &http.Cookie{Name: "hcs_session", Value: token}
}

// example is a concrete request for a route pattern.
type example struct {
	path string
	body string // form or JSON, by route kind
}

func (f *matrixFixture) examples() map[string]example {
	a := fmt.Sprint(f.orgA)
	v, vg := fmt.Sprint(f.victim), fmt.Sprint(f.victimGrant)
	r1, own, p1, p1b := fmt.Sprint(f.round1), fmt.Sprint(f.ownApp), fmt.Sprint(f.post1), fmt.Sprint(f.post1b)
	return map[string]example{
		"GET /{$}": {path: "/"}, "GET /areas": {path: "/areas"}, "GET /areas/{id}": {path: "/areas/life-sciences"},
		"GET /role-groups/{id}": {path: "/role-groups/microbiology"}, "GET /specialisms": {path: "/specialisms"},
		"GET /specialisms/{id}": {path: "/specialisms/audiology"}, "GET /levels": {path: "/levels"},
		"GET /levels/{id}": {path: "/levels/practitioner"}, "GET /programmes": {path: "/programmes"},
		"GET /programmes/{id}": {path: "/programmes/stp"}, "GET /search": {path: "/search?q=heart"},
		"GET /compare": {path: "/compare?ids=audiology"}, "GET /pathway": {path: "/pathway"}, "GET /quiz": {path: "/quiz"},
		"GET /quiz/results": {path: "/quiz/results?code=5151"},
		"GET /pay":          {path: "/pay"}, "GET /sources": {path: "/sources"},
		"GET /robots.txt": {path: "/robots.txt"}, "GET /sitemap.xml": {path: "/sitemap.xml"},
		"GET /data/framework.json": {path: "/data/framework.json"}, "GET /data/{file}": {path: "/data/pay.csv"},
		"GET /posts":        {path: "/posts?specialism=audiology"},
		"GET /api/v1/posts": {path: "/api/v1/posts?region=Wales"},

		"GET /sign-in": {path: "/sign-in"}, "POST /sign-in": {path: "/sign-in", body: "email=nobody%40example.org&password=wrongwrongwrong"},
		"GET /sign-up": {path: "/sign-up"}, "POST /sign-up": {path: "/sign-up", body: "name=&email=bad"},
		"POST /sign-out": {path: "/sign-out"}, "GET /password-reset": {path: "/password-reset"},
		"POST /password-reset":        {path: "/password-reset", body: "email=nobody%40example.org"},
		"GET /password-reset/{token}": {path: "/password-reset/abc"}, "POST /password-reset/{token}": {path: "/password-reset/abc", body: "password=short"},
		"GET /sign-up/{token}": {path: "/sign-up/abc"}, "POST /sign-up/{token}": {path: "/sign-up/abc"},
		"GET /account/password": {path: "/account/password"}, "POST /account/password": {path: "/account/password", body: "current=&password=short"},
		"POST /api/v1/me/password": {path: "/api/v1/me/password", body: `{"current":"","password":"short"}`},

		"GET /account": {path: "/account"}, "GET /account/data": {path: "/account/data"},
		"POST /account/sign-out-everywhere": {path: "/account/sign-out-everywhere"},
		"GET /applicant":                    {path: "/applicant"}, "GET /employer": {path: "/employer"}, "GET /training": {path: "/training"},
		"GET /school": {path: "/school"}, "GET /workforce": {path: "/workforce"}, "GET /admin": {path: "/admin"},
		"GET /review":  {path: "/review"},
		"GET /trainee": {path: "/trainee"}, "GET /supervisor": {path: "/supervisor"},
		"GET /departments/{id}": {path: "/departments/" + fmt.Sprint(f.deptA)},

		"GET /organisations/{id}":              {path: "/organisations/" + a},
		"POST /organisations":                  {path: "/organisations", body: "kind=trust&name=&region=London"},
		"POST /organisations/{id}/departments": {path: "/organisations/" + a + "/departments", body: "name="},

		"GET /admin/users": {path: "/admin/users"}, "POST /admin/users": {path: "/admin/users", body: "name=&email="},
		"GET /admin/users/{id}": {path: "/admin/users/" + v}, "POST /admin/users/{id}/grants": {path: "/admin/users/" + v + "/grants", body: "role=wizard"},
		"POST /admin/users/{id}/grants/{grant}/revoke": {path: "/admin/users/" + v + "/grants/" + vg + "/revoke"},
		"POST /admin/users/{id}/erase":                 {path: "/admin/users/" + v + "/erase"},
		"GET /admin/audit":                             {path: "/admin/audit"}, "GET /admin/audit.csv": {path: "/admin/audit.csv"}, "GET /admin/outbox": {path: "/admin/outbox"},

		"GET /api/v1/openapi.json": {path: "/api/v1/openapi.json"}, "GET /api/v1/framework": {path: "/api/v1/framework"},
		"GET /api/v1/divisions": {path: "/api/v1/divisions"}, "GET /api/v1/divisions/{id}": {path: "/api/v1/divisions/informatics"},
		"GET /api/v1/role-groups": {path: "/api/v1/role-groups"}, "GET /api/v1/role-groups/{id}": {path: "/api/v1/role-groups/informatics"},
		"GET /api/v1/specialisms": {path: "/api/v1/specialisms"}, "GET /api/v1/specialisms/{id}": {path: "/api/v1/specialisms/audiology"},
		"GET /api/v1/renamed/{id}": {path: "/api/v1/renamed/genetic-counselling"}, "GET /api/v1/levels": {path: "/api/v1/levels"},
		"GET /api/v1/levels/{id}": {path: "/api/v1/levels/consultant"}, "GET /api/v1/programmes": {path: "/api/v1/programmes"},
		"GET /api/v1/programmes/{id}": {path: "/api/v1/programmes/stp"}, "GET /api/v1/starting-points": {path: "/api/v1/starting-points"},
		"GET /api/v1/search": {path: "/api/v1/search?q=heart"}, "GET /api/v1/compare": {path: "/api/v1/compare?ids=audiology"},
		"GET /api/v1/pathway": {path: "/api/v1/pathway?from=gcses&specialism=audiology&level=practitioner"},
		"GET /api/v1/quiz":    {path: "/api/v1/quiz"}, "GET /api/v1/quiz/results": {path: "/api/v1/quiz/results?code=5151"},

		"POST /api/v1/session":   {path: "/api/v1/session", body: `{"email":"nobody@example.org","password":"wrongwrongwrong"}`},
		"DELETE /api/v1/session": {path: "/api/v1/session"},
		"GET /api/v1/me":         {path: "/api/v1/me"}, "GET /api/v1/me/data": {path: "/api/v1/me/data"},
		"GET /api/v1/organisations":                   {path: "/api/v1/organisations"},
		"POST /api/v1/organisations":                  {path: "/api/v1/organisations", body: `{"kind":"trust","name":"","region":"London"}`},
		"GET /api/v1/organisations/{id}":              {path: "/api/v1/organisations/" + a},
		"POST /api/v1/organisations/{id}/departments": {path: "/api/v1/organisations/" + a + "/departments", body: `{"name":""}`},
		"GET /api/v1/users":                           {path: "/api/v1/users"}, "POST /api/v1/users": {path: "/api/v1/users", body: `{"name":"","email":""}`},
		"POST /api/v1/users/{id}/grants":           {path: "/api/v1/users/" + v + "/grants", body: `{"role":"wizard"}`},
		"DELETE /api/v1/users/{id}/grants/{grant}": {path: "/api/v1/users/" + v + "/grants/" + vg},
		"POST /api/v1/users/{id}/erase":            {path: "/api/v1/users/" + v + "/erase"},
		"GET /api/v1/audit":                        {path: "/api/v1/audit"}, "GET /api/v1/outbox": {path: "/api/v1/outbox"},

		"GET /healthz": {path: "/healthz"}, "GET /readyz": {path: "/readyz"}, "GET /assets/": {path: "/assets/hcs.css"},

		"GET /applications/{id}/preferences":  {path: "/applications/" + own + "/preferences"},
		"POST /applications/{id}/preferences": {path: "/applications/" + own + "/preferences", body: "rank-1=1"},
		"GET /applications/{id}/withdraw":     {path: "/applications/" + own + "/withdraw"},
		"POST /applications/{id}/withdraw":    {path: "/applications/" + own + "/withdraw"}, // unconfirmed: asks again
		"GET /offers/{id}":                    {path: "/offers/1"},
		"POST /offers/{id}":                   {path: "/offers/1", body: "answer=accept"},
		"GET /posts/{id}":                     {path: "/posts/" + p1},
		"GET /rounds/{id}/progress":           {path: "/rounds/" + r1 + "/progress"},
		"GET /api/v1/rounds/{id}/progress":    {path: "/api/v1/rounds/" + r1 + "/progress"},
		"GET /profile":                        {path: "/profile"},
		"POST /profile":                       {path: "/profile", body: "qualifications[0].credential=nope"},
		"GET /rounds/{id}/apply":              {path: "/rounds/" + r1 + "/apply"},
		"POST /rounds/{id}/apply":             {path: "/rounds/" + r1 + "/apply", body: "specialism=&statement="},
		"GET /applications/{id}":              {path: "/applications/" + own},

		"GET /employer/rounds/{id}/posts/new":                         {path: "/employer/rounds/" + r1 + "/posts/new"},
		"POST /employer/rounds/{id}/posts":                            {path: "/employer/rounds/" + r1 + "/posts", body: "organisation_id=&specialism="},
		"GET /employer/posts/{id}":                                    {path: "/employer/posts/" + p1},
		"POST /employer/posts/{id}":                                   {path: "/employer/posts/" + p1, body: "site=&places=x"},
		"POST /employer/posts/{id}/withdraw":                          {path: "/employer/posts/" + p1b + "/withdraw"},
		"POST /employer/posts/{id}/ranking":                           {path: "/employer/posts/" + p1 + "/ranking"},
		"POST /employer/posts/{id}/nominations":                       {path: "/employer/posts/" + p1 + "/nominations", body: "email=nobody%40example.org"},
		"POST /employer/posts/{id}/nominations/{nomination}/withdraw": {path: "/employer/posts/" + p1 + "/nominations/999999/withdraw"},
		"GET /employer/posts/{id}/offers/{offer}":                     {path: "/employer/posts/" + p1 + "/offers/1"},
		"POST /employer/posts/{id}/offers/{offer}/checks":             {path: "/employer/posts/" + p1 + "/offers/1/checks", body: "kind=dbs&status=passed"},
		"GET /employer/rounds/{id}/interviews":                        {path: "/employer/rounds/" + r1 + "/interviews"},
		"POST /employer/applications/{id}/interview":                  {path: "/employer/applications/" + own + "/interview", body: "station=&score="},

		"GET /review/rounds/{id}":        {path: "/review/rounds/" + r1},
		"GET /review/applications/{id}":  {path: "/review/applications/" + own},
		"POST /review/applications/{id}": {path: "/review/applications/" + own, body: "score=50"},

		"GET /school/rounds/new":                     {path: "/school/rounds/new"},
		"POST /school/rounds":                        {path: "/school/rounds", body: "name="},
		"GET /school/rounds/{id}":                    {path: "/school/rounds/" + r1},
		"GET /school/rounds/{id}/timetable":          {path: "/school/rounds/" + r1 + "/timetable"},
		"POST /school/rounds/{id}/timetable":         {path: "/school/rounds/" + r1 + "/timetable", body: "applications_open=soon"},
		"GET /school/rounds/{id}/stations":           {path: "/school/rounds/" + r1 + "/stations"},
		"POST /school/rounds/{id}/stations":          {path: "/school/rounds/" + r1 + "/stations", body: "stations="},
		"GET /school/rounds/{id}/test":               {path: "/school/rounds/" + r1 + "/test"},
		"POST /school/rounds/{id}/test/rule":         {path: "/school/rounds/" + r1 + "/test/rule", body: "rule=sometimes"},
		"POST /school/rounds/{id}/test/scores":       {path: "/school/rounds/" + r1 + "/test/scores"},
		"POST /school/rounds/{id}/test/publish":      {path: "/school/rounds/" + r1 + "/test/publish"},
		"GET /school/rounds/{id}/shortlist":          {path: "/school/rounds/" + r1 + "/shortlist"},
		"POST /school/rounds/{id}/shortlist/publish": {path: "/school/rounds/" + r1 + "/shortlist/publish"},
		"POST /school/rounds/{id}/reviewers":         {path: "/school/rounds/" + r1 + "/reviewers", body: "email=nobody%40example.org"},
		"POST /school/rounds/{id}/assignments":       {path: "/school/rounds/" + r1 + "/assignments"},
		"POST /school/applications/{id}/moderation":  {path: "/school/applications/" + own + "/moderation", body: "score=x"},
		"POST /school/rounds/{id}/rank":              {path: "/school/rounds/" + r1 + "/rank"},
		"GET /school/rounds/{id}/what-if":            {path: "/school/rounds/" + r1 + "/what-if"},
		"GET /school/rounds/{id}/publish":            {path: "/school/rounds/" + r1 + "/publish"},
		"POST /school/rounds/{id}/publish":           {path: "/school/rounds/" + r1 + "/publish"},
		"POST /school/rounds/{id}/expire":            {path: "/school/rounds/" + r1 + "/expire"},

		"GET /training/placements/{id}":                           {path: "/training/placements/1"},
		"POST /training/placements/{id}":                          {path: "/training/placements/1", body: "department_id="},
		"GET /training/trainees/{id}":                             {path: "/training/trainees/1"},
		"POST /training/trainees/{id}/confirm":                    {path: "/training/trainees/1/confirm"},
		"GET /training/trainees/{id}/team":                        {path: "/training/trainees/1/team"},
		"POST /training/trainees/{id}/team":                       {path: "/training/trainees/1/team", body: "department_id="},
		"POST /training/trainees/{id}/changes":                    {path: "/training/trainees/1/changes", body: "kind=time-out"},
		"POST /training/invitations/{id}":                         {path: "/training/invitations/1", body: "trainee=1&decision=approve"},
		"POST /training/trainees/{id}/sign-off":                   {path: "/training/trainees/1/sign-off", body: "module=IPD"},
		"POST /training/trainees/{id}/reopen":                     {path: "/training/trainees/1/reopen", body: "module=IPD"},
		"POST /training/trainees/{id}/reviews":                    {path: "/training/trainees/1/reviews", body: "review="},
		"POST /training/trainees/{id}/records":                    {path: "/training/trainees/1/records", body: "name="},
		"POST /training/trainees/{id}/complete":                   {path: "/training/trainees/1/complete"},
		"POST /training/trainees/{id}/certificates":               {path: "/training/trainees/1/certificates"},
		"GET /training/trainees/{id}/archive.json":                {path: "/training/trainees/1/archive.json"},
		"GET /training/trainees/{id}/xapi.json":                   {path: "/training/trainees/1/xapi.json"},
		"POST /training/trainees/{id}/certificates/{cert}/revoke": {path: "/training/trainees/1/certificates/x/revoke", body: "reason=x"},
		"GET /certificates/{id}":                                  {path: "/certificates/x"},
		"GET /certificates/{id}/credential.json":                  {path: "/certificates/x/credential.json"},
		"GET /certificates/{id}/certificate.pdf":                  {path: "/certificates/x/certificate.pdf"},
		"GET /verify":                                             {path: "/verify"},
		"POST /verify":                                            {path: "/verify", body: "credential=%7B%7D"},
		"GET /.well-known/did.json":                               {path: "/.well-known/did.json"},
		"GET /credentials/status/{list}":                          {path: "/credentials/status/1"},
		"GET /achievements/{curriculum}/{specialism}":             {path: "/achievements/stp-2023/audiology"},
		"GET /school/training":                                    {path: "/school/training"},
		"GET /trainee/evidence/new":                               {path: "/trainee/evidence/new?trainee=1"},
		"POST /trainee/evidence":                                  {path: "/trainee/evidence", body: "trainee=1"},
		"GET /trainee/evidence/{id}":                              {path: "/trainee/evidence/1"},
		"POST /trainee/evidence/{id}":                             {path: "/trainee/evidence/1", body: "title="},
		"POST /trainee/evidence/{id}/resend":                      {path: "/trainee/evidence/1/resend"},
		"POST /trainee/evidence/{id}/files":                       {path: "/trainee/evidence/1/files", body: "file=x"},
		"GET /training/departments/{id}/import":                   {path: "/training/departments/1/import"},
		"POST /training/departments/{id}/import":                  {path: "/training/departments/1/import", body: "archive=x"},
		"GET /workforce/figures.csv":                              {path: "/workforce/figures.csv?by=level"},
		"GET /workforce/quarters.csv":                             {path: "/workforce/quarters.csv?region=Wales"},
		"GET /workforce/import":                                   {path: "/workforce/import"},
		"GET /workforce/forecast":                                 {path: "/workforce/forecast"},
		"GET /workforce/employer":                                 {path: "/workforce/employer"},
		"GET /workforce/employer.csv":                             {path: "/workforce/employer.csv"},
		"POST /workforce/forecast/scenarios":                      {path: "/workforce/forecast/scenarios", body: "name="},
		"GET /api/v1/workforce/forecast":                          {path: "/api/v1/workforce/forecast?region=Wales"},
		"GET /workforce/flows.csv":                                {path: "/workforce/flows.csv?years=all"},
		"GET /api/v1/workforce/flows":                             {path: "/api/v1/workforce/flows"},
		"GET /workforce/pipeline":                                 {path: "/workforce/pipeline?region=Wales"},
		"GET /workforce/pipeline.csv":                             {path: "/workforce/pipeline.csv?table=rounds"},
		"GET /api/v1/workforce/pipeline":                          {path: "/api/v1/workforce/pipeline"},
		"POST /workforce/import":                                  {path: "/workforce/import", body: "kind=staff"},
		"GET /api/v1/workforce/figures":                           {path: "/api/v1/workforce/figures?by=band"},
		"GET /api/v1/workforce/quarters":                          {path: "/api/v1/workforce/quarters"},
		"GET /api/v1/workforce/fhir/{type}":                       {path: "/api/v1/workforce/fhir/Practitioner.ndjson"},
		"GET /fhir/CodeSystem/{id}":                               {path: "/fhir/CodeSystem/healthcare-science-specialisms"},
		"GET /fhir/ValueSet/{id}":                                 {path: "/fhir/ValueSet/healthcare-science-career-levels"},
		"GET /api/v1/fhir/CodeSystem/{id}":                        {path: "/api/v1/fhir/CodeSystem/agenda-for-change-bands"},
		"GET /api/v1/fhir/ValueSet/{id}":                          {path: "/api/v1/fhir/ValueSet/healthcare-science-registers"},
		"POST /trainee/evidence/{id}/files/{file}/remove":         {path: "/trainee/evidence/1/files/1/remove"},
		"GET /training/files/{id}":                                {path: "/training/files/1"},
		"GET /assess/{token}/files/{id}":                          {path: "/assess/" + strings.Repeat("A", 43) + "/files/1"},
		"GET /assess/{token}":                                     {path: "/assess/" + strings.Repeat("A", 43)},
		"POST /assess/{token}":                                    {path: "/assess/" + strings.Repeat("A", 43), body: "judgement=satisfactory"},

		"GET /api/v1/trainees":                                  {path: "/api/v1/trainees"},
		"GET /api/v1/trainees/{id}":                             {path: "/api/v1/trainees/1"},
		"GET /api/v1/trainees/{id}/history":                     {path: "/api/v1/trainees/1/history"},
		"GET /api/v1/placements":                                {path: "/api/v1/placements"},
		"POST /api/v1/placements/{id}/trainee":                  {path: "/api/v1/placements/1/trainee", body: `{"department_id":0}`},
		"POST /api/v1/trainees/{id}/confirm":                    {path: "/api/v1/trainees/1/confirm"},
		"PUT /api/v1/trainees/{id}/team":                        {path: "/api/v1/trainees/1/team", body: `{"supervisors":[]}`},
		"POST /api/v1/trainees/{id}/changes":                    {path: "/api/v1/trainees/1/changes", body: `{"kind":"nap"}`},
		"POST /api/v1/invitations/{id}/decision":                {path: "/api/v1/invitations/1/decision", body: `{}`},
		"POST /api/v1/trainees/{id}/evidence":                   {path: "/api/v1/trainees/1/evidence", body: `{"kind":""}`},
		"GET /api/v1/evidence/{id}":                             {path: "/api/v1/evidence/1"},
		"PATCH /api/v1/evidence/{id}":                           {path: "/api/v1/evidence/1", body: `{"title":""}`},
		"POST /api/v1/evidence/{id}/submit":                     {path: "/api/v1/evidence/1/submit"},
		"POST /api/v1/evidence/{id}/files":                      {path: "/api/v1/evidence/1/files", body: `{}`},
		"POST /api/v1/departments/{id}/trainees":                {path: "/api/v1/departments/1/trainees", body: `{}`},
		"GET /api/v1/trainees/{id}/files":                       {path: "/api/v1/trainees/1/files"},
		"GET /api/v1/files/{id}":                                {path: "/api/v1/files/1"},
		"DELETE /api/v1/files/{id}":                             {path: "/api/v1/files/1"},
		"POST /api/v1/trainees/{id}/sign-offs":                  {path: "/api/v1/trainees/1/sign-offs", body: `{"module":"IPD"}`},
		"POST /api/v1/trainees/{id}/reopenings":                 {path: "/api/v1/trainees/1/reopenings", body: `{"module":"IPD"}`},
		"POST /api/v1/trainees/{id}/reviews":                    {path: "/api/v1/trainees/1/reviews", body: `{"review":""}`},
		"POST /api/v1/trainees/{id}/records":                    {path: "/api/v1/trainees/1/records", body: `{"name":""}`},
		"POST /api/v1/trainees/{id}/complete":                   {path: "/api/v1/trainees/1/complete"},
		"GET /api/v1/trainees/{id}/certificates":                {path: "/api/v1/trainees/1/certificates"},
		"GET /api/v1/trainees/{id}/archive":                     {path: "/api/v1/trainees/1/archive"},
		"GET /api/v1/trainees/{id}/statements":                  {path: "/api/v1/trainees/1/statements"},
		"POST /api/v1/trainees/{id}/certificates":               {path: "/api/v1/trainees/1/certificates"},
		"POST /api/v1/trainees/{id}/certificates/{cert}/revoke": {path: "/api/v1/trainees/1/certificates/x/revoke", body: `{"reason":"x"}`},
		"POST /api/v1/credentials/verify":                       {path: "/api/v1/credentials/verify", body: `{}`},
		"GET /api/v1/assessments/{token}":                       {path: "/api/v1/assessments/" + strings.Repeat("A", 43)},
		"POST /api/v1/assessments/{token}":                      {path: "/api/v1/assessments/" + strings.Repeat("A", 43), body: `{"judgement":"satisfactory"}`},

		"GET /api/v1/rounds":                                  {path: "/api/v1/rounds"},
		"POST /api/v1/rounds":                                 {path: "/api/v1/rounds", body: `{"programme":"stp","name":""}`},
		"GET /api/v1/rounds/{id}":                             {path: "/api/v1/rounds/" + r1},
		"PUT /api/v1/rounds/{id}/timetable":                   {path: "/api/v1/rounds/" + r1 + "/timetable", body: `{}`},
		"PUT /api/v1/rounds/{id}/stations":                    {path: "/api/v1/rounds/" + r1 + "/stations", body: `{"stations":[]}`},
		"GET /api/v1/rounds/{id}/summary":                     {path: "/api/v1/rounds/" + r1 + "/summary"},
		"GET /api/v1/rounds/{id}/reviewers":                   {path: "/api/v1/rounds/" + r1 + "/reviewers"},
		"GET /api/v1/rounds/{id}/test":                        {path: "/api/v1/rounds/" + r1 + "/test"},
		"PUT /api/v1/rounds/{id}/test/rule":                   {path: "/api/v1/rounds/" + r1 + "/test/rule", body: `{"rule":"sometimes"}`},
		"POST /api/v1/rounds/{id}/test/scores":                {path: "/api/v1/rounds/" + r1 + "/test/scores", body: `{}`},
		"POST /api/v1/rounds/{id}/test/publish":               {path: "/api/v1/rounds/" + r1 + "/test/publish"},
		"GET /api/v1/rounds/{id}/shortlist":                   {path: "/api/v1/rounds/" + r1 + "/shortlist"},
		"POST /api/v1/rounds/{id}/shortlist/publish":          {path: "/api/v1/rounds/" + r1 + "/shortlist/publish"},
		"POST /api/v1/rounds/{id}/reviewers":                  {path: "/api/v1/rounds/" + r1 + "/reviewers", body: `{"email":"nobody@example.org"}`},
		"POST /api/v1/rounds/{id}/assignments":                {path: "/api/v1/rounds/" + r1 + "/assignments"},
		"GET /api/v1/rounds/{id}/posts":                       {path: "/api/v1/rounds/" + r1 + "/posts"},
		"POST /api/v1/rounds/{id}/posts":                      {path: "/api/v1/rounds/" + r1 + "/posts", body: `{"organisation_id":` + a + `,"specialism":"audiology"}`},
		"GET /api/v1/posts/{id}":                              {path: "/api/v1/posts/" + p1},
		"PATCH /api/v1/posts/{id}":                            {path: "/api/v1/posts/" + p1, body: `{"site":"","places":0,"contact":""}`},
		"POST /api/v1/posts/{id}/withdraw":                    {path: "/api/v1/posts/" + p1b + "/withdraw"},
		"GET /api/v1/posts/{id}/offers":                       {path: "/api/v1/posts/" + p1 + "/offers"},
		"GET /api/v1/posts/{id}/nominations":                  {path: "/api/v1/posts/" + p1 + "/nominations"},
		"POST /api/v1/posts/{id}/nominations":                 {path: "/api/v1/posts/" + p1 + "/nominations", body: `{"email":"nobody@example.org"}`},
		"DELETE /api/v1/posts/{id}/nominations/{nomination}":  {path: "/api/v1/posts/" + p1 + "/nominations/999999"},
		"GET /api/v1/posts/{id}/offers/{offer}/checks":        {path: "/api/v1/posts/" + p1 + "/offers/1/checks"},
		"PUT /api/v1/posts/{id}/offers/{offer}/checks/{kind}": {path: "/api/v1/posts/" + p1 + "/offers/1/checks/dbs", body: `{"status":"passed"}`},
		"PUT /api/v1/posts/{id}/ranking":                      {path: "/api/v1/posts/" + p1 + "/ranking", body: `{"applications":[]}`},
		"GET /api/v1/me/profile":                              {path: "/api/v1/me/profile"},
		"PUT /api/v1/me/profile":                              {path: "/api/v1/me/profile", body: `{"credentials":["nope"]}`},
		"GET /api/v1/me/applications":                         {path: "/api/v1/me/applications"},
		"GET /api/v1/rounds/{id}/eligibility":                 {path: "/api/v1/rounds/" + r1 + "/eligibility"},
		"POST /api/v1/rounds/{id}/applications":               {path: "/api/v1/rounds/" + r1 + "/applications", body: `{"specialism":""}`},
		"GET /api/v1/applications/{id}":                       {path: "/api/v1/applications/" + own},
		"GET /api/v1/rounds/{id}/review":                      {path: "/api/v1/rounds/" + r1 + "/review"},
		"POST /api/v1/applications/{id}/reviews":              {path: "/api/v1/applications/" + own + "/reviews", body: `{"score":500}`},
		"POST /api/v1/applications/{id}/moderation":           {path: "/api/v1/applications/" + own + "/moderation", body: `{"score":500}`},
		"GET /api/v1/rounds/{id}/interviews":                  {path: "/api/v1/rounds/" + r1 + "/interviews"},
		"POST /api/v1/applications/{id}/interview-scores":     {path: "/api/v1/applications/" + own + "/interview-scores", body: `{"station_id":0,"score":1}`},
		"POST /api/v1/rounds/{id}/rank":                       {path: "/api/v1/rounds/" + r1 + "/rank"},
		"GET /api/v1/rounds/{id}/ranking":                     {path: "/api/v1/rounds/" + r1 + "/ranking"},
		"PUT /api/v1/applications/{id}/preferences":           {path: "/api/v1/applications/" + own + "/preferences", body: `{"posts":[]}`},
		"POST /api/v1/rounds/{id}/what-if":                    {path: "/api/v1/rounds/" + r1 + "/what-if", body: `{}`},
		"POST /api/v1/rounds/{id}/match":                      {path: "/api/v1/rounds/" + r1 + "/match", body: `{}`},
		"GET /api/v1/applications/{id}/result":                {path: "/api/v1/applications/" + own + "/result"},
		"POST /api/v1/applications/{id}/withdraw":             {path: "/api/v1/applications/999999/withdraw"}, // none: the own application stays
		"GET /api/v1/applications/{id}/feedback":              {path: "/api/v1/applications/" + own + "/feedback"},
		"GET /api/v1/applications/{id}/offers":                {path: "/api/v1/applications/" + own + "/offers"},
		"GET /api/v1/offers/{id}":                             {path: "/api/v1/offers/1"},
		"POST /api/v1/offers/{id}/answer":                     {path: "/api/v1/offers/1/answer", body: `{"answer":"accept"}`},
		"GET /api/v1/rounds/{id}/offers":                      {path: "/api/v1/rounds/" + r1 + "/offers"},
		"POST /api/v1/rounds/{id}/offers/expire":              {path: "/api/v1/rounds/" + r1 + "/offers/expire"},
	}
}

// granted reports what the permission table says for a role and action.
func granted(role auth.Role, action auth.Action) bool {
	return action == auth.ActionPublic || slices.ContainsFunc(auth.Permissions, func(p auth.Permission) bool { return p.Role == role && p.Action == action })
}

func (f *matrixFixture) do(t *testing.T, h http.Handler, rt web.Route, ex example, role auth.Role) *httptest.ResponseRecorder {
	t.Helper()
	method, _, _ := strings.Cut(rt.Pattern, " ")
	req := httptest.NewRequest(method, ex.path, strings.NewReader(ex.body))
	if ex.body != "" {
		if rt.API() {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if role != "" {
		req.AddCookie(f.cookie(t, role))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestAuthorizationMatrix checks every route for every role and for someone
// signed out: allowed where the permission table grants the route's action,
// refused everywhere else. A route without a worked example fails the test,
// so a new route cannot slip in unchecked.
func TestAuthorizationMatrix(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		f := newMatrixFixture(t, db)
		h := testkit.ServerWith(t, db)
		examples := f.examples()
		srv := testkit.ServerWith(t, db)
		routes := srv.Routes()
		seenActions := map[auth.Action]bool{}
		for _, rt := range routes {
			ex, ok := examples[rt.Pattern]
			if !ok {
				t.Errorf("route %q has no example request in the authorization matrix test: add one", rt.Pattern)
				continue
			}
			if rt.Action != auth.ActionPublic && !slices.Contains(auth.Actions(), rt.Action) {
				t.Errorf("route %q names action %q, which no role is granted", rt.Pattern, rt.Action)
			}
			seenActions[rt.Action] = true
			for _, role := range append([]auth.Role{""}, auth.Roles...) {
				who := string(role)
				if who == "" {
					who = "signed out"
				}
				rec := f.do(t, h, rt, ex, role)
				refused := rec.Code == http.StatusForbidden || rec.Code == http.StatusUnauthorized ||
					(rec.Code == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/sign-in?next="))
				allowed := role != "" && granted(role, rt.Action) || rt.Action == auth.ActionPublic
				switch {
				case rec.Code >= 500:
					t.Errorf("%s as %s: %d", rt.Pattern, who, rec.Code)
				case allowed && refused:
					t.Errorf("%s as %s: refused with %d, but the table grants %s", rt.Pattern, who, rec.Code, rt.Action)
				case !allowed && !refused:
					t.Errorf("%s as %s: answered %d, but the table does not grant %s", rt.Pattern, who, rec.Code, rt.Action)
				case !allowed && role == "" && rt.API() && rec.Code != http.StatusUnauthorized:
					t.Errorf("%s signed out: %d, want 401", rt.Pattern, rec.Code)
				case !allowed && role != "" && rec.Code != http.StatusForbidden:
					t.Errorf("%s as %s: %d, want 403", rt.Pattern, who, rec.Code)
				}
			}
		}
		// Independently of the table: administration belongs to system
		// administrators alone.
		for _, rt := range routes {
			_, path, _ := strings.Cut(rt.Pattern, " ")
			if !strings.HasPrefix(path, "/admin") && !strings.HasPrefix(path, "/api/v1/users") && path != "/api/v1/audit" && path != "/api/v1/outbox" {
				continue
			}
			for _, role := range auth.Roles {
				if granted(role, rt.Action) != (role == auth.RoleSystemAdmin) {
					t.Errorf("%s: granted to %s = %v; administration is for system administrators only", rt.Pattern, role, granted(role, rt.Action))
				}
			}
		}
		for _, a := range auth.Actions() {
			if !seenActions[a] {
				t.Errorf("the permission table grants %q but no route performs it", a)
			}
		}

		// An employer never sees another organisation's data.
		b := fmt.Sprint(f.orgB)
		for _, tc := range []struct{ pattern, path, body string }{
			{"GET /organisations/{id}", "/organisations/" + b, ""},
			{"POST /organisations/{id}/departments", "/organisations/" + b + "/departments", "name=Intrusion"},
			{"GET /api/v1/organisations/{id}", "/api/v1/organisations/" + b, ""},
			{"POST /api/v1/organisations/{id}/departments", "/api/v1/organisations/" + b + "/departments", `{"name":"Intrusion"}`},
			{"POST /api/v1/rounds/{id}/posts", "/api/v1/rounds/" + fmt.Sprint(f.round1) + "/posts", `{"organisation_id":` + b + `,"specialism":"audiology","site":"x","places":1,"contact":"x"}`},
		} {
			rt := web.Route{Pattern: tc.pattern}
			rec := f.do(t, h, rt, example{path: tc.path, body: tc.body}, auth.RoleEmployer)
			if rec.Code != http.StatusForbidden {
				t.Errorf("employer of trust A: %s %s answered %d, want 403", tc.pattern, tc.path, rec.Code)
			}
			if strings.Contains(rec.Body.String(), "Secret") {
				t.Errorf("employer of trust A saw trust B's data at %s", tc.path)
			}
		}
		for _, path := range []string{"/api/v1/organisations", "/employer"} {
			method := "GET " + path
			rec := f.do(t, h, web.Route{Pattern: method}, example{path: path}, auth.RoleEmployer)
			if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "Secret") || !strings.Contains(rec.Body.String(), "Trust A") {
				t.Errorf("employer's %s: %d, shows trust A: %v, shows trust B: %v", path, rec.Code,
					strings.Contains(rec.Body.String(), "Trust A"), strings.Contains(rec.Body.String(), "Secret"))
			}
		}
		_, depts, _ := db.Organisation(context.Background(), f.orgB)
		if len(depts) != 1 {
			t.Errorf("trust B has %d departments after refused additions, want 1", len(depts))
		}
		f.checkOtherRecords(t, h)
	})
}

// checkOtherRecords asks for records of another person, department,
// organisation or round, by the record's own id alone, as a person whose
// grant covers only their own: each is refused (or not found, where
// saying "forbidden" would confirm the record exists), and the person's
// own record is served.
func (f *matrixFixture) checkOtherRecords(t *testing.T, h http.Handler) {
	t.Helper()
	id := func(n int64) string { return fmt.Sprint(n) }
	for _, tc := range []struct {
		role          auth.Role
		method, path  string
		body          string
		want          int
		whose, reason string
	}{
		{auth.RoleTrainingOfficer, "GET", "/departments/" + id(f.deptA), "", 200, "own", "their department"},
		{auth.RoleTrainingOfficer, "GET", "/departments/" + id(f.deptA2), "", 404, "other", "another department of their organisation"},
		{auth.RoleTrainingOfficer, "GET", "/departments/" + id(f.deptB), "", 404, "other", "another organisation's department"},
		{auth.RoleTrainingOfficer, "GET", "/organisations/" + id(f.orgA), "", 403, "other", "their organisation: a department grant is not an organisation grant"},
		{auth.RoleEmployer, "GET", "/departments/" + id(f.deptA2), "", 200, "own", "a department of their organisation"},
		{auth.RoleEmployer, "GET", "/departments/" + id(f.deptB), "", 404, "other", "another organisation's department"},
		{auth.RoleEmployer, "GET", "/departments/999999", "", 404, "other", "a department that does not exist, answered alike"},
		{auth.RoleReviewer, "GET", "/api/v1/rounds/" + id(f.round1) + "/review", "", 200, "own", "the round they are appointed to"},
		{auth.RoleReviewer, "GET", "/api/v1/rounds/" + id(f.round2) + "/review", "", 403, "other", "another round"},
		{auth.RoleReviewer, "POST", "/api/v1/applications/" + id(f.victimApp) + "/reviews", `{"score":50}`, 404, "other", "an application in another round"},
		{auth.RoleEmployer, "POST", "/api/v1/applications/" + id(f.victimApp) + "/interview-scores", `{"station":"one","score":50}`, 404, "other", "an application where their trust has no post"},
		{auth.RoleApplicant, "GET", "/api/v1/applications/" + id(f.victimApp) + "/offers", "", 404, "other", "another person's application"},
		{auth.RoleApplicant, "GET", "/api/v1/applications/" + id(f.ownApp) + "/offers", "", 200, "own", "their application"},
		{auth.RoleApplicant, "GET", "/applications/" + id(f.victimApp) + "/preferences", "", 404, "other", "another person's application"},
		{auth.RoleApplicant, "GET", "/applications/" + id(f.victimApp), "", 404, "other", "another person's application"},
		{auth.RoleReviewer, "GET", "/review/applications/" + id(f.victimApp), "", 404, "other", "an application in another round"},
		{auth.RoleReviewer, "GET", "/review/rounds/" + id(f.round2), "", 404, "other", "another round's queue"},
		{auth.RoleReviewer, "GET", "/review/applications/" + id(f.ownApp), "", 200, "own", "an application assigned to them"},
		{auth.RoleEmployer, "GET", "/employer/posts/" + id(f.post1), "", 200, "own", "their trust's post"},
		{auth.RoleEmployer, "POST", "/employer/applications/" + id(f.victimApp) + "/interview", "station=1&score=50", 404, "other", "an application where their trust has no post"},
		{auth.RoleApplicant, "PUT", "/api/v1/applications/" + id(f.victimApp) + "/preferences", `{"posts":[]}`, 404, "other", "another person's application"},
		{auth.RoleApplicant, "POST", "/api/v1/applications/" + id(f.victimApp) + "/withdraw", "", 404, "other", "another person's application"},
		{auth.RoleApplicant, "POST", "/applications/" + id(f.victimApp) + "/withdraw", "confirm=yes", 404, "other", "another person's application"},
		{auth.RoleApplicant, "GET", "/applications/" + id(f.victimApp) + "/withdraw", "", 404, "other", "another person's application"},
	} {
		rt := web.Route{Pattern: tc.method + " " + tc.path}
		rec := f.do(t, h, rt, example{path: tc.path, body: tc.body}, tc.role)
		if rec.Code != tc.want {
			t.Errorf("%s: %s %s (%s) answered %d, want %d: %s", tc.role, tc.method, tc.path, tc.reason, rec.Code, tc.want, excerpt(rec.Body.String()))
		}
		if tc.whose == "other" && strings.Contains(rec.Body.String(), "Secret") {
			t.Errorf("%s saw another's data at %s", tc.role, tc.path)
		}
	}
}
