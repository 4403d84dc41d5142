package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"regexp"
	"testing"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// TestOfferProgressAgreesWithDatabase: as offers are accepted, declined,
// withdrawn after a failed check and expire, every figure the public
// offer-progress API shows equals a count taken from the database with
// SQL of its own, a figure it reads as fewer than 5 holds 1 to 4, and the
// page shows no figure from 1 to 4. On both databases, with every
// response checked against the OpenAPI document.
func TestOfferProgressAgreesWithDatabase(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 18, Places: []int{6, 3, 5}, Reviewers: 2, Until: testkit.UntilRanked})
		w := &roundWorld{t: t, h: testkit.ServerWith(t, db), db: db, cookies: map[string]string{}, users: map[string]int64{}, spec: loadSpec(t)}
		path := fmt.Sprintf("/api/v1/rounds/%d/progress", sr.Round.ID)
		if p := w.call("", "GET", path, nil, 200); p["matched"] != false || len(p["specialisms"].([]any)) != 0 {
			t.Errorf("before the match: %v", p)
		}
		if _, err := sr.Service.PublishMatch(ctx, auth.Actor{UserID: sr.School.ID}, sr.Round.ID); err != nil {
			t.Fatal(err)
		}
		step := 0
		check := func(what string) {
			t.Helper()
			step++
			rid := sr.Round.ID
			want := map[string]int{
				"posts":       testkit.Count(t, db, "SELECT COUNT(*) FROM posts WHERE round_id = $1 AND status = 'open'", rid),
				"places":      testkit.Count(t, db, "SELECT COALESCE(SUM(places), 0) FROM posts WHERE round_id = $1 AND status = 'open'", rid),
				"offers_made": testkit.Count(t, db, "SELECT COUNT(*) FROM offers WHERE round_id = $1", rid),
				"accepted":    testkit.Count(t, db, "SELECT COUNT(*) FROM offers WHERE round_id = $1 AND status IN ('accepted', 'unconditional')", rid),
				"awaiting":    testkit.Count(t, db, "SELECT COUNT(*) FROM offers WHERE round_id = $1 AND status IN ('offered', 'held')", rid),
			}
			want["unfilled"] = want["places"] - want["accepted"] - want["awaiting"]
			p := w.call("", "GET", fmt.Sprintf("%s?fresh=%d", path, step), nil, 200)
			rows := p["specialisms"].([]any)
			if len(rows) != 1 || rows[0].(map[string]any)["specialism"] != "audiology" {
				t.Fatalf("%s: rows %v", what, rows)
			}
			for _, row := range []map[string]any{rows[0].(map[string]any), p["total"].(map[string]any)} {
				for name, n := range want {
					f := row[name].(map[string]any)
					switch f["shown"] {
					case "count":
						if num(f["count"]) != int64(n) || n > 0 && n < 5 {
							t.Errorf("%s: %s shows %v, the database holds %d", what, name, f["count"], n)
						}
					case "fewer":
						if n < 1 || n > 4 {
							t.Errorf("%s: %s reads fewer than 5, the database holds %d", what, name, n)
						}
					}
				}
			}
			rec := httptest.NewRecorder()
			w.h.ServeHTTP(rec, httptest.NewRequest("GET", fmt.Sprintf("/rounds/%d/progress?fresh=%d", sr.Round.ID, step), nil))
			body, _ := io.ReadAll(rec.Body)
			table := regexp.MustCompile(`(?s)<table class="nhsuk-table" id="progress">.*?</table>`).Find(body)
			if rec.Code != 200 || table == nil {
				t.Fatalf("%s: the page answered %d without its table", what, rec.Code)
			}
			if small := regexp.MustCompile(`<td[^>]*>\s*[1-4]\s*</td>`).Find(table); small != nil {
				t.Errorf("%s: the page shows %s", what, small)
			}
		}
		check("the match")
		offers, err := sr.Service.Offers(ctx, recruit.OfferFilter{RoundID: sr.Round.ID, Live: true})
		if err != nil {
			t.Fatal(err)
		}
		owner := map[int64]*auth.User{}
		for i, a := range sr.Apps {
			owner[a.ID] = sr.Applicants[i]
		}
		for i, o := range offers {
			answer := recruit.AnswerAccept
			if i%4 == 3 {
				answer = recruit.AnswerDecline
			}
			if _, err := sr.Service.AnswerOffer(ctx, auth.Actor{UserID: owner[o.ApplicationID].ID}, o.ID, answer, false); err != nil {
				t.Fatal(err)
			}
			check(fmt.Sprintf("answer %d", i))
		}
		for i, o := range offers[:3] {
			if o, err := sr.Service.Offer(ctx, o.ID); err != nil || o.Status != recruit.OfferAccepted {
				continue
			}
			if _, _, err := sr.Service.RecordCheck(ctx, auth.Actor{UserID: sr.Employer.ID}, o.PostID, o.ID,
				recruit.Check{Kind: recruit.CheckDBS, Status: recruit.CheckFailed, Note: "Barred."}); err != nil {
				t.Fatal(err)
			}
			check(fmt.Sprintf("withdrawal %d", i))
		}
		sr.Clock.Set(testkit.Day(60))
		if _, err := sr.Service.ExpireOffers(ctx, sr.Round.ID); err != nil {
			t.Fatal(err)
		}
		check("the expiries")
	})
}
