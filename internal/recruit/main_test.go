package recruit_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs the property tests on 5,000 random instances each unless
// -rapid.checks says otherwise.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	if !set {
		flag.Set("rapid.checks", "5000")
	}
	os.Exit(m.Run())
}
