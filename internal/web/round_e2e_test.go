package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/testkit"
)

// clock is a settable time source for the database.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// roundWorld holds the people of a round and a way to call the API as them.
type roundWorld struct {
	t       *testing.T
	h       http.Handler
	db      *database.DB
	clock   *clock
	mu      sync.Mutex
	cookies map[string]string
	users   map[string]int64
	// spec validates every API response against openapi.json.
	spec *apiSpec
}

// person creates someone with a grant (none when its role is empty) and
// a session.
func (w *roundWorld) person(name string, g auth.Grant) {
	w.t.Helper()
	ctx := context.Background()
	u := &auth.User{Name: "Person " + name, Email: name + "@example.org"}
	var grants []auth.Grant
	if g.Role != "" {
		grants = append(grants, g)
	}
	if err := w.db.CreateUser(ctx, auth.Actor{}, u, "", grants); err != nil {
		w.t.Fatal(err)
	}
	token, hash, _ := auth.NewToken()
	if err := w.db.CreateSession(ctx, auth.Actor{}, u.ID, hash, 24*365*time.Hour); err != nil {
		w.t.Fatal(err)
	}
	w.mu.Lock()
	w.cookies[name], w.users[name] = token, u.ID
	w.mu.Unlock()
}

// send sends a request as a person ("" for nobody) and returns the status.
// It is safe to call from several goroutines.
func (w *roundWorld) send(who, method, path string, body any) int {
	return w.do(who, method, path, body).Code
}

func (w *roundWorld) do(who, method, path string, body any) *httptest.ResponseRecorder {
	var buf bytes.Buffer
	if body != nil {
		json.NewEncoder(&buf).Encode(body)
	}
	req := httptest.NewRequest(method, path, &buf)
	req.Header.Set("Content-Type", "application/json")
	if who != "" {
		w.mu.Lock()
		token := w.cookies[who]
		w.mu.Unlock()
		req.AddCookie(&http.Cookie{Name: "hcs_session", Value: token})
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	if w.spec != nil && strings.HasPrefix(path, "/api/v1/") {
		w.spec.validate(w.t, req, rec)
	}
	return rec
}

// call sends a request as a person ("" for nobody) and decodes the JSON
// answer. It fails the test when the status is not the one wanted.
func (w *roundWorld) call(who, method, path string, body any, want int) map[string]any {
	w.t.Helper()
	rec := w.do(who, method, path, body)
	if rec.Code != want {
		w.t.Fatalf("%s %s as %s: %d, want %d: %s", method, path, who, rec.Code, want, rec.Body)
	}
	out := map[string]any{}
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			w.t.Fatalf("%s %s: not JSON: %s", method, path, rec.Body)
		}
	}
	return out
}

func num(v any) int64 { f, _ := v.(float64); return int64(f) }

// newRoundWorld gives a database a settable clock starting at t0, a
// server, and two trusts.
func newRoundWorld(t *testing.T, db *database.DB, t0 time.Time) (*roundWorld, *auth.Organisation, *auth.Organisation) {
	t.Helper()
	ctx := context.Background()
	clk := &clock{now: t0}
	db.Now = clk.Now
	w := &roundWorld{t: t, h: testkit.ServerWith(t, db), db: db, clock: clk, cookies: map[string]string{}, users: map[string]int64{}, spec: loadSpec(t)}
	trustA := &auth.Organisation{Kind: auth.OrgTrust, Name: "Trust A", Region: "London"}
	trustB := &auth.Organisation{Kind: auth.OrgTrust, Name: "Trust B", Region: "Wales"}
	for _, o := range []*auth.Organisation{trustA, trustB} {
		if err := db.CreateOrganisation(ctx, auth.Actor{}, o); err != nil {
			t.Fatal(err)
		}
	}
	return w, trustA, trustB
}

// TestRoundEndToEnd runs a whole recruitment round through the HTTP API:
// posts, eligibility, applications, blind double scoring with moderation,
// interviews, the national rank, preferences, a what-if, the match and its
// explanation, offers declined, upgraded, expired and accepted, with the
// cascade, checking every state and the audit trail. It runs on SQLite
// and PostgreSQL.
func TestRoundEndToEnd(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		t0 := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC) // a Monday
		w, trustA, trustB := newRoundWorld(t, db, t0)
		clk := w.clock
		w.person("school", auth.Grant{Role: auth.RoleSchoolAdmin})
		w.person("employerA", auth.Grant{Role: auth.RoleEmployer, OrganisationID: trustA.ID})
		for _, name := range []string{"ada", "ben", "cat", "dev"} {
			w.person(name, auth.Grant{Role: auth.RoleApplicant})
		}
		day := func(n int) time.Time { return t0.AddDate(0, 0, n) }

		// The national school opens the round.
		round := w.call("school", "POST", "/api/v1/rounds", map[string]any{
			"programme": "stp", "name": "STP 2027", "applications_open": day(1), "shortlisting_open": day(10), "interviews_open": day(20),
			"preferences_open": day(30), "offers_open": day(40), "start_date": day(200),
			"tie_break_seed": "published-seed-2027", "score_margin": 10, "shortlist_weight": 1, "interview_weight": 1, "offer_working_days": 2,
			"shortlist_criteria": "Scientific curiosity; communication; commitment to patients.",
			"stations":           []map[string]any{{"name": "communication", "weight": 1}, {"name": "science", "weight": 1}},
		}, 201)
		rid := fmt.Sprint(num(round["id"]))
		station := map[string]int64{}
		for _, st := range round["stations"].([]any) {
			station[st.(map[string]any)["name"].(string)] = num(st.(map[string]any)["id"])
		}
		w.call("employerA", "POST", "/api/v1/rounds", map[string]any{"programme": "stp"}, 403)
		w.person("employerA2", auth.Grant{Role: auth.RoleEmployer, OrganisationID: trustA.ID})
		w.person("employerB", auth.Grant{Role: auth.RoleEmployer, OrganisationID: trustB.ID})
		for _, name := range []string{"reviewer", "reviewer2"} {
			w.person(name, auth.Grant{})
			w.call("school", "POST", "/api/v1/rounds/"+rid+"/reviewers", map[string]any{"email": name + "@example.org"}, 201)
		}
		w.call("school", "POST", "/api/v1/rounds/"+rid+"/reviewers", map[string]any{"email": "reviewer@example.org"}, 409)
		if n := len(w.call("", "GET", "/api/v1/rounds", nil, 200)["rounds"].([]any)); n != 1 {
			t.Errorf("%d rounds listed", n)
		}
		if st := w.call("", "GET", "/api/v1/rounds/"+rid, nil, 200)["stage"]; st != "" {
			t.Errorf("before applications open the stage is %q", st)
		}
		// The school reweights a station and moves the start date; both audited.
		w.call("school", "PUT", "/api/v1/rounds/"+rid+"/stations", map[string]any{
			"stations": []map[string]any{{"name": "communication", "weight": 1}, {"name": "science", "weight": 1}}}, 200)
		w.call("school", "PUT", "/api/v1/rounds/"+rid+"/stations", map[string]any{"stations": []map[string]any{}}, 400)
		w.call("school", "PUT", "/api/v1/rounds/"+rid+"/timetable", map[string]any{
			"applications_open": day(1), "shortlisting_open": day(10), "interviews_open": day(20), "preferences_open": day(30), "offers_open": day(40), "start_date": day(210)}, 200)
		w.call("school", "PUT", "/api/v1/rounds/"+rid+"/timetable", map[string]any{
			"applications_open": day(11), "shortlisting_open": day(10), "interviews_open": day(20), "preferences_open": day(30), "offers_open": day(40), "start_date": day(210)}, 400)

		// Employers publish posts: trust A's employer for trust A only.
		postA := w.call("employerA", "POST", "/api/v1/rounds/"+rid+"/posts", map[string]any{
			"organisation_id": trustA.ID, "specialism": "audiology", "site": "St Elsewhere", "places": 1, "contact": "audiology@trust-a.example"}, 201)
		w.call("employerA", "POST", "/api/v1/rounds/"+rid+"/posts", map[string]any{
			"organisation_id": trustB.ID, "specialism": "audiology", "site": "X", "places": 1, "contact": "x"}, 403)
		postB := w.call("school", "POST", "/api/v1/rounds/"+rid+"/posts", map[string]any{
			"organisation_id": trustB.ID, "specialism": "audiology", "site": "Valley Hospital", "places": 1, "contact": "audiology@trust-b.example"}, 201)
		if postB["region"] != "Wales" {
			t.Errorf("post B's region is %v, want its trust's (Wales)", postB["region"])
		}
		pA, pB := num(postA["id"]), num(postB["id"])
		w.call("employerA", "PATCH", fmt.Sprintf("/api/v1/posts/%d", pA), map[string]any{"site": "St Elsewhere", "places": 1, "contact": "recruitment@trust-a.example"}, 200)
		if c := w.call("", "GET", fmt.Sprintf("/api/v1/posts/%d", pA), nil, 200)["contact"]; c != "recruitment@trust-a.example" {
			t.Errorf("the edited post's contact is %v", c)
		}
		spare := num(w.call("employerA", "POST", "/api/v1/rounds/"+rid+"/posts", map[string]any{
			"organisation_id": trustA.ID, "specialism": "audiology", "site": "Spare", "places": 1, "contact": "x"}, 201)["id"])
		if st := w.call("employerA", "POST", fmt.Sprintf("/api/v1/posts/%d/withdraw", spare), nil, 200)["status"]; st != "withdrawn" {
			t.Errorf("withdrawn post's status: %v", st)
		}
		w.call("employerB", "PATCH", fmt.Sprintf("/api/v1/posts/%d", pA), map[string]any{"site": "X", "places": 1, "contact": "x"}, 404)
		posts := w.call("", "GET", "/api/v1/rounds/"+rid+"/posts?region=Wales", nil, 200)["posts"].([]any)
		if len(posts) != 1 || num(posts[0].(map[string]any)["id"]) != pB {
			t.Fatalf("posts in Wales: %v", posts)
		}

		// Profiles and eligibility.
		for _, name := range []string{"ada", "ben", "cat"} {
			w.call(name, "PUT", "/api/v1/me/profile", map[string]any{"qualifications": qualifications("gcse", "a-levels-science", "degree-21"), "right_to_work": true}, 200)
		}
		w.call("dev", "PUT", "/api/v1/me/profile", map[string]any{"qualifications": qualifications("gcse", "degree-22"), "right_to_work": true}, 200)
		if q := w.call("ada", "GET", "/api/v1/me/profile", nil, 200)["qualifications"].([]any); len(q) != 3 {
			t.Errorf("ada's profile has %d qualifications", len(q))
		}
		el := w.call("dev", "GET", "/api/v1/rounds/"+rid+"/eligibility", nil, 200)
		if el["eligible"] != false || !strings.Contains(el["reason"].(string), "master's") {
			t.Errorf("dev's eligibility: %v", el)
		}

		// Applying before the window opens is refused with the opening date.
		apply := map[string]any{"specialism": "audiology", "statement": "I want to help people hear."}
		early := w.call("ada", "POST", "/api/v1/rounds/"+rid+"/applications", apply, 409)
		if !strings.Contains(fmt.Sprint(early), "Applying opens on 5 January 2027") {
			t.Errorf("early application: %v", early)
		}
		clk.Set(day(2))
		apps := map[string]string{}
		for _, name := range []string{"ada", "ben", "cat"} {
			apps[name] = fmt.Sprint(num(w.call(name, "POST", "/api/v1/rounds/"+rid+"/applications", apply, 201)["id"]))
		}
		w.call("ada", "POST", "/api/v1/rounds/"+rid+"/applications", apply, 409)
		mine := w.call("ada", "GET", "/api/v1/me/applications", nil, 200)["applications"].([]any)
		if len(mine) != 1 || mine[0].(map[string]any)["standing"].(map[string]any)["step"] != "submitted" {
			t.Errorf("ada's applications: %v", mine)
		}
		w.call("ada", "GET", "/api/v1/applications/"+apps["ada"], nil, 200)
		w.call("ben", "GET", "/api/v1/applications/"+apps["ada"], nil, 404)
		refused := w.call("dev", "POST", "/api/v1/rounds/"+rid+"/applications", apply, 400)
		if !strings.Contains(fmt.Sprint(refused), "master's") {
			t.Errorf("dev's application: %v", refused)
		}

		// Blind shortlisting: two reviewers, moderation when they differ.
		clk.Set(day(11))
		if res := w.call("school", "POST", "/api/v1/rounds/"+rid+"/assignments", nil, 200); num(res["assigned"]) != 6 {
			t.Fatalf("assigning reviewers: %v, want 6 assignments (3 applications × 2)", res)
		}
		w.call("employerA", "GET", "/api/v1/rounds/"+rid+"/review", nil, 403) // employers are not reviewers
		review := w.call("reviewer", "GET", "/api/v1/rounds/"+rid+"/review", nil, 200)
		if n := len(review["applications"].([]any)); n != 3 {
			t.Errorf("the reviewer's queue has %d applications, want 3", n)
		}
		if rv := w.call("school", "GET", "/api/v1/rounds/"+rid+"/reviewers", nil, 200)["reviewers"].([]any); len(rv) != 2 || num(rv[0].(map[string]any)["assigned"]) != 3 {
			t.Errorf("reviewers: %v", rv)
		}
		blob, _ := json.Marshal(review)
		for _, secret := range []string{"Person ada", "ada@example.org", "user_id"} {
			if strings.Contains(string(blob), secret) {
				t.Errorf("the reviewers' view shows %q: %s", secret, blob)
			}
		}
		scores := map[string][2]int{"ada": {80, 84}, "ben": {70, 90}, "cat": {60, 62}}
		for name, s := range scores {
			w.call("reviewer", "POST", "/api/v1/applications/"+apps[name]+"/reviews", map[string]any{"score": s[0]}, 201)
			w.call("reviewer2", "POST", "/api/v1/applications/"+apps[name]+"/reviews", map[string]any{"score": s[1]}, 201)
		}
		w.call("reviewer", "POST", "/api/v1/applications/"+apps["ada"]+"/reviews", map[string]any{"score": 50}, 409)
		w.call("school", "POST", "/api/v1/applications/"+apps["ada"]+"/moderation", map[string]any{"score": 80}, 409) // within the margin
		w.call("school", "POST", "/api/v1/applications/"+apps["ben"]+"/moderation", map[string]any{"score": 75}, 201)

		// Ranking before interviews are scored is refused, and outside its window.
		w.call("school", "POST", "/api/v1/rounds/"+rid+"/rank", nil, 409)
		clk.Set(day(21))
		for name, s := range map[string][2]int{"ada": {40, 45}, "ben": {40, 40}, "cat": {35, 35}} {
			w.call("employerA", "POST", "/api/v1/applications/"+apps[name]+"/interview-scores", map[string]any{"station_id": station["communication"], "score": s[0]}, 201)
			w.call("employerA", "POST", "/api/v1/applications/"+apps[name]+"/interview-scores", map[string]any{"station_id": station["science"], "score": s[1]}, 409) // one station each
			w.call("employerA2", "POST", "/api/v1/applications/"+apps[name]+"/interview-scores", map[string]any{"station_id": station["science"], "score": s[1]}, 201)
		}
		if q := w.call("employerA", "GET", "/api/v1/rounds/"+rid+"/interviews", nil, 200)["applications"].([]any); len(q) != 3 {
			t.Errorf("the interview queue has %d applications", len(q))
		}
		sum := w.call("school", "GET", "/api/v1/rounds/"+rid+"/summary", nil, 200)
		if num(sum["applications"]) != 3 || num(sum["reviewed"]) != 3 || num(sum["interviewed"]) != 3 || num(sum["need_moderation"]) != 0 {
			t.Errorf("summary: %v", sum)
		}
		clk.Set(day(31))
		ranked := w.call("school", "POST", "/api/v1/rounds/"+rid+"/rank", nil, 200)["ranked"].([]any)
		if rk := w.call("school", "GET", "/api/v1/rounds/"+rid+"/ranking", nil, 200)["ranking"].([]any); len(rk) != 3 {
			t.Errorf("ranking: %v", rk)
		}
		w.call("employerA", "PUT", fmt.Sprintf("/api/v1/posts/%d/ranking", pA), map[string]any{"applications": []int64{}}, 409) // this round has no own lists
		rankOf := map[string]int64{}
		for _, r := range ranked {
			r := r.(map[string]any)
			for name, id := range apps {
				if fmt.Sprint(num(r["application_id"])) == id {
					rankOf[name] = num(r["rank"])
				}
			}
		}
		if rankOf["ada"] != 1 || rankOf["ben"] != 2 || rankOf["cat"] != 3 {
			t.Fatalf("national rank %v; want ada 1 (82+43), ben 2 (75+40), cat 3 (61+35)", rankOf)
		}

		// Applicants rank the posts they would accept.
		w.call("ada", "PUT", "/api/v1/applications/"+apps["ada"]+"/preferences", map[string]any{"posts": []int64{pA, pB}}, 200)
		w.call("ben", "PUT", "/api/v1/applications/"+apps["ben"]+"/preferences", map[string]any{"posts": []int64{pA, pB}}, 200)
		w.call("cat", "PUT", "/api/v1/applications/"+apps["cat"]+"/preferences", map[string]any{"posts": []int64{pB, pA}}, 200)
		w.call("ben", "PUT", "/api/v1/applications/"+apps["ada"]+"/preferences", map[string]any{"posts": []int64{pB}}, 404) // not ben's

		// What-if with two places at trust A: reported, not published.
		clk.Set(day(41))
		whatIf := w.call("school", "POST", "/api/v1/rounds/"+rid+"/what-if", map[string]any{"capacities": map[string]int{fmt.Sprint(pA): 2}}, 200)
		if changes := whatIf["changes"].([]any); len(changes) != 2 {
			t.Errorf("what-if changes: %v", changes)
		}
		if offers := w.call("school", "GET", "/api/v1/rounds/"+rid+"/offers", nil, 200)["offers"].([]any); len(offers) != 0 {
			t.Fatal("a what-if made offers")
		}

		// The match: ada → A, ben → B, cat unmatched; verified stable.
		w.call("school", "POST", "/api/v1/rounds/"+rid+"/match", map[string]any{"publish": false}, 400) // no quiet what-if
		outcome := w.call("school", "POST", "/api/v1/rounds/"+rid+"/match", nil, 201)
		if num(outcome["matched"]) != 2 || num(outcome["verification"].(map[string]any)["blocking_pairs"]) != 0 {
			t.Fatalf("match: %v", outcome)
		}
		w.call("school", "POST", "/api/v1/rounds/"+rid+"/match", nil, 409)
		result := w.call("cat", "GET", "/api/v1/applications/"+apps["cat"]+"/result", nil, 200)
		reasons := result["reasons"].([]any)
		if num(result["post_id"]) != 0 || len(reasons) != 2 {
			t.Fatalf("cat's result: %v", result)
		}
		first := reasons[0].(map[string]any)
		if num(first["post_id"]) != pB || num(first["your_rank"]) != 3 || num(first["cut_off_rank"]) != 2 {
			t.Errorf("cat's reason for post B: %v", first)
		}
		resultBlob, _ := json.Marshal(result)
		if strings.Contains(string(resultBlob), "ben") || strings.Contains(string(resultBlob), apps["ben"]+`"`) {
			t.Errorf("cat's result reveals another applicant: %s", resultBlob)
		}
		// Cat's feedback: every stage, and where the posts cat ranked stand.
		fb := w.call("cat", "GET", "/api/v1/applications/"+apps["cat"]+"/feedback", nil, 200)
		if sh := fb["shortlisting"].(map[string]any); len(sh["reviews"].([]any)) != 2 || sh["shortlisted"] != true ||
			len(fb["interview"].(map[string]any)["stations"].([]any)) != 2 || num(fb["national_rank"]) != 3 || len(fb["posts"].([]any)) != 2 {
			t.Errorf("cat's feedback: %v", fb)
		}
		for _, p := range fb["posts"].([]any) {
			if p := p.(map[string]any); num(p["your_rank"]) != 3 || p["holding"] != false || num(p["last_placed_rank"]) > 2 {
				t.Errorf("cat's feedback on post %v: %v", p["post_id"], p)
			}
		}
		w.call("ben", "GET", "/api/v1/applications/"+apps["cat"]+"/feedback", nil, 404)

		offerOf := func(name string) map[string]any {
			offers := w.call(name, "GET", "/api/v1/applications/"+apps[name]+"/offers", nil, 200)["offers"].([]any)
			if len(offers) == 0 {
				return nil
			}
			return offers[len(offers)-1].(map[string]any)
		}
		adaOffer, benOffer := offerOf("ada"), offerOf("ben")
		if d := w.call("ada", "GET", fmt.Sprintf("/api/v1/offers/%d", num(adaOffer["id"])), nil, 200); d["specialism"] != "Audiology" || d["band"].([]any)[0] != "6" {
			t.Errorf("ada's offer in detail: %v", d)
		}
		if po := w.call("employerA", "GET", fmt.Sprintf("/api/v1/posts/%d/offers", pA), nil, 200)["offers"].([]any); len(po) != 1 {
			t.Errorf("post A's offers: %v", po)
		}
		if num(adaOffer["post_id"]) != pA || num(benOffer["post_id"]) != pB || adaOffer["status"] != "offered" {
			t.Fatalf("offers: ada %v, ben %v", adaOffer, benOffer)
		}
		// Deadline: 2 working days from Sunday 14 February 2027 is Tuesday 16th.
		if d := adaOffer["deadline"].(string); !strings.HasPrefix(d, "2027-02-16") {
			t.Errorf("deadline %s", d)
		}
		w.call("cat", "POST", fmt.Sprintf("/api/v1/offers/%d/answer", num(adaOffer["id"])), map[string]any{"answer": "accept"}, 404) // not cat's

		// Ben accepts and opts in to upgrades; ada declines; the place at A
		// cascades to ben (an upgrade), and ben's place at B to cat.
		w.call("ben", "POST", fmt.Sprintf("/api/v1/offers/%d/answer", num(benOffer["id"])), map[string]any{"answer": "accept", "upgrades": true}, 200)
		w.call("ada", "POST", fmt.Sprintf("/api/v1/offers/%d/answer", num(adaOffer["id"])), map[string]any{"answer": "decline"}, 200)
		benNew, catOffer := offerOf("ben"), offerOf("cat")
		if num(benNew["post_id"]) != pA || benNew["status"] != "accepted" {
			t.Fatalf("ben's upgrade (keeping his acceptance): %v", benNew)
		}
		if catOffer == nil || num(catOffer["post_id"]) != pB {
			t.Fatalf("cat's cascaded offer: %v", catOffer)
		}
		all := w.call("school", "GET", "/api/v1/rounds/"+rid+"/offers", nil, 200)["offers"].([]any)
		status := map[int64]string{}
		for _, o := range all {
			status[num(o.(map[string]any)["id"])] = o.(map[string]any)["status"].(string)
		}
		if status[num(benOffer["id"])] != "superseded" || status[num(adaOffer["id"])] != "declined" {
			t.Errorf("statuses after the cascade: %v", status)
		}

		// Cat does not answer; after the deadline the offer expires and
		// nobody is left who would take post B. Ben, having accepted, may
		// not hold.
		w.call("ben", "POST", fmt.Sprintf("/api/v1/offers/%d/answer", num(benNew["id"])), map[string]any{"answer": "hold", "upgrades": true}, 409)
		clk.Set(day(60))
		if n := num(w.call("school", "POST", "/api/v1/rounds/"+rid+"/offers/expire", nil, 200)["expired"]); n != 1 {
			t.Errorf("expired %d offers, want cat's alone (a held offer has been answered)", n)
		}
		if o := offerOf("ben"); o["status"] != "accepted" || num(o["post_id"]) != pA {
			t.Errorf("ben's accepted offer after the deadline: %v", o)
		}
		late := w.call("cat", "POST", fmt.Sprintf("/api/v1/offers/%d/answer", num(catOffer["id"])), map[string]any{"answer": "accept"}, 409)
		if !strings.Contains(fmt.Sprint(late), "expired") {
			t.Errorf("late answer: %v", late)
		}

		// Ben's accepted offer is conditional until the employer has passed
		// all six pre-employment checks.
		checks := fmt.Sprintf("/api/v1/posts/%d/offers/%d/checks", pA, num(benNew["id"]))
		if c := w.call("employerA", "GET", checks, nil, 200); c["offer"].(map[string]any)["status"] != "accepted" || len(c["checks"].([]any)) != 6 ||
			c["checks"].([]any)[0].(map[string]any)["status"] != "not_started" {
			t.Errorf("ben's checks before any is recorded: %v", c)
		}
		if e := w.call("employerA", "PUT", checks+"/dbs", map[string]any{"status": "failed"}, 400); !strings.Contains(fmt.Sprint(e), "Say why the check failed") {
			t.Errorf("a failed check without a reason: %v", e)
		}
		w.call("employerA", "PUT", checks+"/dbs", map[string]any{"status": "success"}, 400) // a reference's outcome
		w.call("employerA", "PUT", checks+"/credit", map[string]any{"status": "passed"}, 404)
		w.call("employerA", "PUT", fmt.Sprintf("/api/v1/posts/%d/offers/%d/checks/dbs", pB, num(benNew["id"])), map[string]any{"status": "passed"}, 404)
		w.call("ben", "PUT", checks+"/dbs", map[string]any{"status": "passed"}, 403)
		w.call("school", "GET", checks, nil, 403) // checks are the employer's alone
		w.call("employerA", "PUT", checks+"/references", map[string]any{"status": "refused", "next_actor": "employer", "note": "The referee would not give one."}, 200)
		var last map[string]any
		for _, kind := range []string{"identity", "right_to_work", "registration", "references", "dbs", "health"} {
			st := "passed"
			if kind == "references" {
				st = "success"
			}
			last = w.call("employerA", "PUT", checks+"/"+kind, map[string]any{"status": st}, 200)
		}
		if o := last["offer"].(map[string]any); o["status"] != "unconditional" || o["upgrades"] != false {
			t.Errorf("after the sixth check: %v", o)
		}
		w.call("employerA", "PUT", checks+"/dbs", map[string]any{"status": "failed", "note": "late"}, 409)
		if d := w.call("ben", "GET", fmt.Sprintf("/api/v1/offers/%d", num(benNew["id"])), nil, 200); len(d["checks"].([]any)) != 6 ||
			d["offer"].(map[string]any)["status"] != "unconditional" {
			t.Errorf("ben's offer once unconditional: %v", d)
		}

		// The audit trail holds every step.
		entries, err := db.Audit(ctx, auth.AuditFilter{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, e := range entries {
			count[e.Action]++
			if e.ActorID != 0 && e.Address == "" { // people acting through HTTP
				t.Errorf("audit entry without an address: %+v", e)
			}
			if e.ActorID == 0 && e.Process == "" && e.Address != "" {
				t.Errorf("audit entry names neither a person nor a process: %+v", e)
			}
			switch {
			case e.Action == "offer.expire" && e.Process != "offer expiry":
				t.Errorf("an expiry was made by %d/%q, not the offer expiry: %+v", e.ActorID, e.Process, e)
			case (e.Action == "offer.supersede" || e.Action == "offer.create" && !strings.Contains(e.Detail, "by match")) && e.Process != "cascade":
				t.Errorf("a cascade's %s was made by %d/%q, not the cascade: %+v", e.Action, e.ActorID, e.Process, e)
			case e.Action == "offer.create" && strings.Contains(e.Detail, "by match") && e.ActorID != w.users["school"]:
				t.Errorf("the match's offers were made by %d, not the school who published it", e.ActorID)
			}
		}
		for action, want := range map[string]int{
			"round.create": 1, "round.reviewer": 2, "round.assign": 1, "round.stations": 1, "round.timetable": 1,
			"post.create": 3, "post.update": 1, "post.withdraw": 1, "profile.save": 4, "application.submit": 3,
			"application.review": 6, "application.moderate": 1, "application.interview": 6, "round.rank": 1, "preferences.set": 3, "round.match": 1,
			"offer.create": 4, "offer.accept": 1, "offer.decline": 1, "offer.supersede": 1, "offer.hold": 0, "offer.expire": 1,
			"offer.check": 7, "offer.unconditional": 1, "offer.withdraw": 0,
		} {
			if count[action] != want {
				t.Errorf("audit: %d × %s, want %d", count[action], action, want)
			}
		}
		w.spec.checkExercised(t, "Recruitment", "Recruitment: pre-employment checks")
	})
}

// TestEmployerOwnRanking: a post ranked by its employer's own list accepts
// only those listed, in that order, whatever the national rank; another
// trust's employer cannot set it.
func TestEmployerOwnRanking(t *testing.T) {
	t0 := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	w, trustA, trustB := newRoundWorld(t, testkit.SQLiteDB(t), t0)
	clk := w.clock
	w.person("school", auth.Grant{Role: auth.RoleSchoolAdmin})
	w.person("employerA", auth.Grant{Role: auth.RoleEmployer, OrganisationID: trustA.ID})
	w.person("employerB", auth.Grant{Role: auth.RoleEmployer, OrganisationID: trustB.ID})
	for _, name := range []string{"ada", "ben"} {
		w.person(name, auth.Grant{Role: auth.RoleApplicant})
	}
	day := func(n int) time.Time { return t0.AddDate(0, 0, n) }
	rid := fmt.Sprint(num(w.call("school", "POST", "/api/v1/rounds", map[string]any{
		"programme": "stp", "name": "STP own lists", "applications_open": day(1), "shortlisting_open": day(10), "interviews_open": day(20),
		"preferences_open": day(30), "offers_open": day(40), "start_date": day(200),
		"tie_break_seed": "s", "score_margin": 50, "shortlist_weight": 1, "interview_weight": 1, "offer_working_days": 2,
		"employer_ranking": true, "stations": []map[string]any{{"name": "one", "weight": 1}}}, 201)["id"]))
	pA := num(w.call("employerA", "POST", "/api/v1/rounds/"+rid+"/posts", map[string]any{
		"organisation_id": trustA.ID, "specialism": "genomics", "site": "Lab A", "places": 1, "contact": "a"}, 201)["id"])
	for _, name := range []string{"reviewer", "reviewer2"} {
		w.person(name, auth.Grant{})
		w.call("school", "POST", "/api/v1/rounds/"+rid+"/reviewers", map[string]any{"email": name + "@example.org"}, 201)
	}
	stationID := num(w.call("", "GET", "/api/v1/rounds/"+rid, nil, 200)["stations"].([]any)[0].(map[string]any)["id"])
	clk.Set(day(2))
	apps := map[string]string{}
	for _, name := range []string{"ada", "ben"} {
		w.call(name, "PUT", "/api/v1/me/profile", map[string]any{"qualifications": qualifications("degree-21"), "right_to_work": true}, 200)
		apps[name] = fmt.Sprint(num(w.call(name, "POST", "/api/v1/rounds/"+rid+"/applications", map[string]any{"specialism": "genomics", "statement": "DNA"}, 201)["id"]))
	}
	clk.Set(day(11))
	w.call("school", "POST", "/api/v1/rounds/"+rid+"/assignments", nil, 200)
	for name, s := range map[string]int{"ada": 90, "ben": 50} {
		w.call("reviewer", "POST", "/api/v1/applications/"+apps[name]+"/reviews", map[string]any{"score": s}, 201)
		w.call("reviewer2", "POST", "/api/v1/applications/"+apps[name]+"/reviews", map[string]any{"score": s}, 201)
	}
	clk.Set(day(21))
	for name := range apps {
		w.call("employerA", "POST", "/api/v1/applications/"+apps[name]+"/interview-scores", map[string]any{"station_id": stationID, "score": 50}, 201)
	}
	clk.Set(day(31))
	w.call("school", "POST", "/api/v1/rounds/"+rid+"/rank", nil, 200) // ada is first nationally
	for name := range apps {
		w.call(name, "PUT", "/api/v1/applications/"+apps[name]+"/preferences", map[string]any{"posts": []int64{pA}}, 200)
	}
	w.call("employerB", "PUT", fmt.Sprintf("/api/v1/posts/%d/ranking", pA), map[string]any{"applications": []string{}}, 404) // not their post
	w.call("employerA", "PUT", fmt.Sprintf("/api/v1/posts/%d/ranking", pA), map[string]any{"applications": []int64{999}}, 400)
	w.call("employerA", "PUT", fmt.Sprintf("/api/v1/posts/%d/ranking", pA), map[string]any{"applications": []int64{mustInt(apps["ben"])}}, 200)
	clk.Set(day(41))
	out := w.call("school", "POST", "/api/v1/rounds/"+rid+"/match", nil, 201)
	assignments := out["assignments"].(map[string]any)
	if num(assignments[apps["ben"]]) != pA || num(assignments[apps["ada"]]) != 0 {
		t.Fatalf("with trust A's own list (ben only), assignments are %v", assignments)
	}
	reasons := w.call("ada", "GET", "/api/v1/applications/"+apps["ada"]+"/result", nil, 200)["reasons"].([]any)
	if len(reasons) != 0 {
		t.Errorf("ada was not on the post's list, so it never ranked her; reasons %v", reasons)
	}
}

// qualifications lists framework credentials as a profile's
// qualifications.
func qualifications(credentials ...string) []map[string]any {
	var out []map[string]any
	for _, c := range credentials {
		out = append(out, map[string]any{"credential": c})
	}
	return out
}

func mustInt(s string) int64 {
	var n int64
	fmt.Sscan(s, &n)
	return n
}
