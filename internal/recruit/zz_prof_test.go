package recruit_test

import (
	"hcs/internal/recruit"
	"os"
	"testing"
)

func BenchmarkReadMatch200k(b *testing.B) {
	for b.Loop() {
		var src [3]recruit.Source
		for i, n := range []string{"posts.csv", "applicants.csv", "rankings.csv"} {
			f, _ := os.Open("/tmp/m200k/" + n)
			defer f.Close()
			src[i] = recruit.Source{Name: n, R: f}
		}
		in, err := recruit.ReadMatchInput(src[0], src[1], src[2], nil)
		if err != nil {
			b.Fatal(err)
		}
		in.Market.Verify(in.Market.Match())
	}
}
