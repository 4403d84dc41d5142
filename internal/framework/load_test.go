package framework_test

import (
	"testing"

	"hcs/data"
	"hcs/internal/framework"
	"io/fs"
)

func TestLoadEmbedded(t *testing.T) {
	sub, _ := fs.Sub(data.Framework, "framework")
	f, err := framework.Load(sub)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d specialisms", len(f.Specialisms))
}
