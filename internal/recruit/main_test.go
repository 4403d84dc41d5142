package recruit_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs the property tests on 5,000 random instances each unless
// -rapid.checks, or HCS_RAPID_CHECKS (for tools that run the tests for
// each of many mutants), says otherwise.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	if !set {
		checks := "5000"
		if n := os.Getenv("HCS_RAPID_CHECKS"); n != "" {
			checks = n
		}
		flag.Set("rapid.checks", checks)
	}
	os.Exit(m.Run())
}
