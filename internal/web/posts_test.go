package web_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"hcs/internal/auth"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// TestOpenPostsInExplorer: posts in a round that is taking applications
// show on their specialism's page, in the posts search with its filters,
// and in the API; posts of rounds not taking applications do not.
func TestOpenPostsInExplorer(t *testing.T) {
	db := testkit.SQLiteDB(t)
	ctx := context.Background()
	now := time.Now().UTC()
	open := &recruit.Round{Programme: "stp", Name: "STP open", ApplicationsOpen: now.AddDate(0, 0, -1), ShortlistingOpen: now.AddDate(0, 0, 10),
		InterviewsOpen: now.AddDate(0, 0, 20), PreferencesOpen: now.AddDate(0, 0, 30), OffersOpen: now.AddDate(0, 0, 40), StartDate: now.AddDate(0, 0, 200),
		TieBreakSeed: "s", ScoreMargin: 10, ShortlistWeight: 1, InterviewWeight: 1, OfferWorkingDays: 2}
	later := *open
	later.Name, later.ApplicationsOpen = "STP later", now.AddDate(0, 0, 5)
	valley := &auth.Organisation{Kind: auth.OrgTrust, Name: "Valley Trust", Region: "Wales"}
	harbour := &auth.Organisation{Kind: auth.OrgTrust, Name: "Harbour Trust", Region: "South West"}
	svc := testkit.Recruit(t, db)
	for _, err := range []error{db.CreateOrganisation(ctx, auth.Actor{}, valley), db.CreateOrganisation(ctx, auth.Actor{}, harbour),
		svc.OpenRound(ctx, auth.Actor{}, open, nil), svc.OpenRound(ctx, auth.Actor{}, &later, nil)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []*recruit.Post{
		{RoundID: open.ID, OrganisationID: valley.ID, Specialism: "audiology", Site: "Valley Hospital", Places: 2, Contact: "c"},
		{RoundID: open.ID, OrganisationID: harbour.ID, Specialism: "audiology", Site: "Harbour Clinic", Places: 1, Contact: "c"},
		{RoundID: later.ID, OrganisationID: valley.ID, Specialism: "audiology", Site: "Future Hospital", Places: 1, Contact: "c"},
	} {
		if err := svc.PublishPost(ctx, auth.Actor{}, p); err != nil {
			t.Fatal(err)
		}
	}
	h := testkit.ServerWith(t, db)
	get := func(url string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		return rec.Code, rec.Body.String()
	}
	code, body := get("/specialisms/audiology")
	if code != 200 || !strings.Contains(body, "Valley Hospital") || !strings.Contains(body, "Harbour Clinic") || strings.Contains(body, "Future Hospital") {
		t.Errorf("specialism page: %d, open posts shown: %v %v, future shown: %v", code, strings.Contains(body, "Valley Hospital"),
			strings.Contains(body, "Harbour Clinic"), strings.Contains(body, "Future Hospital"))
	}
	if code, body = get("/posts?region=Wales"); code != 200 || !strings.Contains(body, "Valley Hospital") || strings.Contains(body, "Harbour Clinic") {
		t.Errorf("posts in Wales: %d", code)
	}
	if code, body = get("/posts?programme=ptp"); code != 200 || strings.Contains(body, "Valley Hospital") {
		t.Errorf("PTP posts: %d", code)
	}
	if code, body = get("/posts?region=Atlantis"); code != 400 || !strings.Contains(body, `href="#region"`) {
		t.Errorf("bad region: %d", code)
	}
	if code, body = get("/api/v1/posts?specialism=audiology&region=South+West"); code != 200 || !strings.Contains(body, "Harbour Clinic") || strings.Contains(body, "Valley Hospital") {
		t.Errorf("API: %d %s", code, body)
	}
	if code, body = get("/api/v1/posts?programme=a-levels"); code != 400 || !strings.Contains(body, `"field":"programme"`) {
		t.Errorf("API bad programme: %d %s", code, body)
	}
}
