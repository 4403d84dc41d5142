package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"hcs/internal/testkit"
)

// A post published through one of three servers shows on every server's
// pages within a second of its acknowledgement, though each server had
// the pages in its cache.
func TestPublishedPostShowsOnEveryProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hcs processes")
	}
	testkit.ManyConnections(t)
	dbURL := testkit.PostgresURL(t)
	servers := make([]*process, 3)
	var wg sync.WaitGroup
	for i := range servers {
		wg.Go(func() { servers[i] = startHCS(t, dbURL, "--demo") })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	var password string
	for _, p := range servers {
		if a := printedAccounts(p.stdout.Bytes()); a["employer@demo.hcs.test"] != "" {
			password = a["employer@demo.hcs.test"]
		}
	}
	cookie := servers[0].signIn(t, "employer@demo.hcs.test", password)
	call := func(p *process, method, path, body string, out any) int {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+p.addr+path, strings.NewReader(body))
		req.Header.Set("Cookie", cookie)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
		return resp.StatusCode
	}
	var me struct {
		User struct {
			Grants []struct {
				OrganisationID int64 `json:"organisation_id"`
			} `json:"grants"`
		} `json:"user"`
	}
	call(servers[0], "GET", "/api/v1/me", "", &me)
	var rounds struct {
		Rounds []struct {
			ID    int64  `json:"id"`
			Stage string `json:"stage"`
		} `json:"rounds"`
	}
	call(servers[0], "GET", "/api/v1/rounds", "", &rounds)
	var round int64
	for _, r := range rounds.Rounds {
		if r.Stage == "applications" {
			round = r.ID
		}
	}
	if round == 0 || len(me.User.Grants) == 0 {
		t.Fatalf("no round taking applications (%v) or no organisation (%v)", rounds, me)
	}
	page := func(p *process) string {
		resp, err := http.Get("http://" + p.addr + "/specialisms/genomics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	for _, p := range servers {
		if strings.Contains(page(p), "Harbourside Genomics Unit") {
			t.Fatal("the post shows before it is published")
		}
	}
	body := fmt.Sprintf(`{"organisation_id":%d,"specialism":"genomics","site":"Harbourside Genomics Unit","places":1,"contact":"recruitment@example.org"}`, me.User.Grants[0].OrganisationID)
	if code := call(servers[1], "POST", fmt.Sprintf("/api/v1/rounds/%d/posts", round), body, &struct{}{}); code != http.StatusCreated {
		t.Fatalf("publishing the post: %d", code)
	}
	acknowledged := time.Now()
	for i, p := range servers {
		for !strings.Contains(page(p), "Harbourside Genomics Unit") {
			if time.Since(acknowledged) > time.Second {
				t.Fatalf("server %d does not show the post a second after it was published", i)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
