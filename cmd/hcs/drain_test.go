package main

import (
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// On SIGTERM hcs drains: /readyz turns 503 at once while every other
// request is still answered (on kept-alive and new connections alike),
// for the drain period; then it stops and exits 0. Clients that stop
// sending when /readyz fails, as a balancer does, see no failed request.
func TestSIGTERMDrainsWithoutDroppingRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hcs as a process")
	}
	const drain = 1500 * time.Millisecond
	p := startHCS(t, filepath.Join(t.TempDir(), "hcs.db"), "--drain", drain.String(), "--shutdown-timeout", "5s")
	base := "http://" + p.addr
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 5 * time.Second}

	var out atomic.Bool // the balancer has taken the server out
	var sent, failed atomic.Int64
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			paths := []string{"/api/v1/search?q=heart", "/specialisms/audiology", "/healthz"}
			for n := 0; !out.Load(); n++ {
				resp, err := client.Get(base + paths[(i+n)%len(paths)])
				sent.Add(1)
				if err != nil {
					failed.Add(1)
					t.Errorf("request failed: %v", err)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
					t.Errorf("status %d", resp.StatusCode)
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	signalled := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The balancer's health check.
	for {
		resp, err := client.Get(base + "/readyz")
		if err != nil {
			t.Fatalf("/readyz after SIGTERM: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Since(signalled) > drain/2 {
			t.Fatalf("/readyz still %d %v after SIGTERM", resp.StatusCode, time.Since(signalled))
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Still serving during the drain, on a new connection too.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	if resp, err := fresh.Get(base + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("a new connection while draining: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	out.Store(true)
	wg.Wait()

	err := p.cmd.Wait()
	took := time.Since(signalled)
	if err != nil {
		t.Errorf("hcs exited with %v after SIGTERM; want 0\n%s", err, p.stdout)
	}
	if took < drain {
		t.Errorf("hcs stopped %v after SIGTERM, before its %v drain", took, drain)
	}
	if sent.Load() < 50 || failed.Load() != 0 {
		t.Errorf("%d requests sent, %d failed", sent.Load(), failed.Load())
	}
}
