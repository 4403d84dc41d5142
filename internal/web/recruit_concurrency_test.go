package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// The rules that must hold when many requests arrive at once, sent through
// the HTTP API with a connection pool as large as the number of requests
// and every request released together. The same rules are tested through
// the service in internal/recruit.

type request struct {
	who          int64 // user id, 0 for nobody
	method, path string
	body         any
}

// concurrentHTTP sends the requests all at once and returns each status.
func concurrentHTTP(t *testing.T, db *database.DB, h http.Handler, reqs []request) []int {
	t.Helper()
	testkit.PoolSize(t, db, len(reqs)+4)
	tokens := map[int64]string{}
	for _, rq := range reqs {
		if _, ok := tokens[rq.who]; ok || rq.who == 0 {
			continue
		}
		token, hash, _ := auth.NewToken()
		if err := db.CreateSession(context.Background(), system, rq.who, hash, 24*365*time.Hour); err != nil {
			t.Fatal(err)
		}
		tokens[rq.who] = token
	}
	testkit.WarmPool(t, db, len(reqs))
	codes := make([]int, len(reqs))
	testkit.Together(len(reqs), func(i int) {
		rq := reqs[i]
		var buf bytes.Buffer
		if rq.body != nil {
			json.NewEncoder(&buf).Encode(rq.body)
		}
		req := httptest.NewRequest(rq.method, rq.path, &buf)
		req.Header.Set("Content-Type", "application/json")
		if rq.who != 0 {
			req.AddCookie(&http.Cookie{Name: "hcs_session", Value: tokens[rq.who]})
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		codes[i] = rec.Code
	})
	for i, c := range codes {
		if c >= 500 {
			t.Errorf("%s %s failed with %d", reqs[i].method, reqs[i].path, c)
		}
	}
	return codes
}

func count(codes []int, want int) int {
	n := 0
	for _, c := range codes {
		if c == want {
			n++
		}
	}
	return n
}

// TestConcurrentReviewsStoreTwo: twenty reviewers appointed to the round
// score one application at the same moment, and its two assigned
// reviewers each try again and again: exactly two reviews are stored, one
// from each, and the audit log records exactly those.
func TestConcurrentReviewsStoreTwo(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 1, Places: []int{1}, Reviewers: 20, Until: testkit.UntilApplied})
		h := testkit.ServerWith(t, db)
		app := sr.Apps[0].ID
		var reqs []request
		for i, rv := range sr.Reviewers {
			reqs = append(reqs, request{rv.ID, "POST", fmt.Sprintf("/api/v1/applications/%d/reviews", app), map[string]any{"score": 50 + i}})
		}
		codes := concurrentHTTP(t, db, h, reqs)
		stored := testkit.Count(t, db, "SELECT COUNT(*) FROM reviews WHERE application_id = $1", app)
		if created := count(codes, http.StatusCreated); stored != 2 || created != 2 || testkit.AuditCount(t, db, "application.review") != 2 {
			t.Errorf("20 reviewers at once: %d answered 201, %d stored, %d audited; want 2 of each", created, stored, testkit.AuditCount(t, db, "application.review"))
		}
		if refused := count(codes, http.StatusForbidden); refused != 18 {
			t.Errorf("%d reviewers were refused, want the 18 it is not assigned to", refused)
		}
	})
}

// TestConcurrentPublishesMatchOnce: ten publishes of the match at the same
// moment give one match: one success, one set of offers, one audit entry.
func TestConcurrentPublishesMatchOnce(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 4, Places: []int{1, 1}, Reviewers: 2, Until: testkit.UntilRanked})
		h := testkit.ServerWith(t, db)
		var reqs []request
		for range 10 {
			reqs = append(reqs, request{sr.School.ID, "POST", fmt.Sprintf("/api/v1/rounds/%d/match", sr.Round.ID), nil})
		}
		codes := concurrentHTTP(t, db, h, reqs)
		offers := testkit.Count(t, db, "SELECT COUNT(*) FROM offers WHERE round_id = $1", sr.Round.ID)
		if ok := count(codes, http.StatusCreated); ok != 1 || offers != 2 || testkit.AuditCount(t, db, "round.match") != 1 || testkit.AuditCount(t, db, "offer.create") != 2 {
			t.Errorf("10 publishes at once: %d succeeded, %d offers, %d round.match and %d offer.create audited; want 1, 2, 1, 2",
				ok, offers, testkit.AuditCount(t, db, "round.match"), testkit.AuditCount(t, db, "offer.create"))
		}
		if conflicts := count(codes, http.StatusConflict); conflicts != 9 {
			t.Errorf("%d publishes were refused as a conflict, want 9", conflicts)
		}
	})
}

// TestConcurrentOfferAnswersKeepPlaces: fifty answers and expiries at the
// same moment, past the first offers' deadline, then every holder
// declining at once, never put more people in a post than its places, and
// the audit log accounts for every offer.
func TestConcurrentOfferAnswersKeepPlaces(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: 16, Places: []int{2, 2}, Reviewers: 2, Until: testkit.UntilRanked})
		h := testkit.ServerWith(t, db)
		ctx := context.Background()
		if _, err := sr.Service.PublishMatch(ctx, auth.Actor{UserID: sr.School.ID}, sr.Round.ID); err != nil {
			t.Fatal(err)
		}
		sr.Clock.Set(testkit.Day(47))
		reqs := answersAndExpiries(t, sr, 50, []string{"decline", "accept", "decline", "hold"}, true)
		concurrentHTTP(t, db, h, reqs)
		sr.Clock.Set(testkit.Day(48))
		concurrentHTTP(t, db, h, answersAndExpiries(t, sr, 0, []string{"decline"}, false))
		checkOffers(t, sr)
	})
}

// answersAndExpiries makes requests from every live offer's holder, with
// the answers in turn, and (when expire is set) as many expiry runs by
// the school, until there are at least n (or one round of answers when n
// is 0).
func answersAndExpiries(t *testing.T, sr *testkit.StagedRound, n int, answers []string, expire bool) []request {
	t.Helper()
	offers, err := sr.Service.Offers(context.Background(), recruit.OfferFilter{RoundID: sr.Round.ID, Live: true})
	if err != nil {
		t.Fatal(err)
	}
	owner := map[int64]int64{}
	for i, a := range sr.Apps {
		owner[a.ID] = sr.Applicants[i].ID
	}
	var reqs []request
	for i := 0; ; i++ {
		if n > 0 && len(reqs) >= n || n == 0 && i >= 2*len(offers) {
			break
		}
		o := offers[i%len(offers)]
		reqs = append(reqs, request{owner[o.ApplicationID], "POST", fmt.Sprintf("/api/v1/offers/%d/answer", o.ID), map[string]any{"answer": answers[i%len(answers)]}})
		if expire {
			reqs = append(reqs, request{sr.School.ID, "POST", fmt.Sprintf("/api/v1/rounds/%d/offers/expire", sr.Round.ID), nil})
		}
	}
	if n > 0 {
		reqs = reqs[:n]
	}
	return reqs
}

// checkOffers checks that no post holds more live offers than places, no
// applicant holds two, and the audit log has one entry for every offer
// made and every change of status.
func checkOffers(t *testing.T, sr *testkit.StagedRound) {
	t.Helper()
	offers, err := sr.Service.Offers(context.Background(), recruit.OfferFilter{RoundID: sr.Round.ID})
	if err != nil {
		t.Fatal(err)
	}
	live, held, status := map[int64]int{}, map[int64]int{}, map[string]int{}
	for _, o := range offers {
		status[o.Status]++
		if o.Live() {
			live[o.PostID]++
			held[o.ApplicationID]++
		}
	}
	for _, p := range sr.Posts {
		if live[p.ID] > p.Places {
			t.Errorf("post %d holds %d live offers for %d places", p.ID, live[p.ID], p.Places)
		}
	}
	for app, n := range held {
		if n > 1 {
			t.Errorf("application %d holds %d live offers", app, n)
		}
	}
	if status[recruit.OfferDeclined] == 0 || status[recruit.OfferExpired] == 0 {
		t.Errorf("offers by status %v: the test meant to decline and expire some", status)
	}
	for action, st := range map[string]string{"offer.create": "", "offer.decline": recruit.OfferDeclined, "offer.expire": recruit.OfferExpired,
		"offer.supersede": recruit.OfferSuperseded} {
		want := status[st]
		if st == "" {
			want = len(offers)
		}
		if got := testkit.AuditCount(t, sr.DB, action); got != want {
			t.Errorf("the audit log has %d × %s, but %d offers are %s", got, action, want, st)
		}
	}
}
