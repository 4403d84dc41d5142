// Command startup measures how long `hcs serve` takes from being started to
// answering its first request, over several runs.
//
//	go run ./bench/startup -bin ./bin/hcs -runs 20
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"time"
)

func main() {
	bin := flag.String("bin", "./bin/hcs", "the hcs binary")
	runs := flag.Int("runs", 20, "number of start-ups to time")
	flag.Parse()
	var times []time.Duration
	for range *runs {
		d, err := once(*bin)
		if err != nil {
			fmt.Fprintln(os.Stderr, "startup:", err)
			os.Exit(1)
		}
		times = append(times, d)
	}
	slices.Sort(times)
	fmt.Printf("runs=%d min=%s median=%s p90=%s max=%s\n", len(times),
		times[0].Round(time.Millisecond/10), times[len(times)/2].Round(time.Millisecond/10),
		times[len(times)*9/10].Round(time.Millisecond/10), times[len(times)-1].Round(time.Millisecond/10))
}

func once(bin string) (time.Duration, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	addr := ln.Addr().String()
	ln.Close()
	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	cmd := exec.Command(bin, "serve", "--addr", addr, "--log-level", "error")
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	for time.Since(start) < 10*time.Second {
		resp, err := client.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		time.Sleep(500 * time.Microsecond)
	}
	return 0, fmt.Errorf("no answer from %s within 10s", addr)
}
