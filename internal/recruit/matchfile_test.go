package recruit_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

func readSample(t testing.TB, edit map[string]func(string) string) (*recruit.MatchInput, error) {
	t.Helper()
	var src [3]recruit.Source
	for i, name := range []string{"posts.csv", "applicants.csv", "rankings.csv"} {
		b, err := os.ReadFile("testdata/match/" + name)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if f := edit[name]; f != nil {
			s = f(s)
		}
		src[i] = recruit.Source{Name: name, R: strings.NewReader(s)}
	}
	return recruit.ReadMatchInput(src[0], src[1], src[2], nil)
}

func TestMatchFilesWorkedExample(t *testing.T) {
	in, err := readSample(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	assign := in.Market.Match()
	var out bytes.Buffer
	if err := in.WriteMatches(&out, assign); err != nil {
		t.Fatal(err)
	}
	want := "applicant_id,post_id\n1,P1\n2,\n3,P3\n4,P2\n5,\n"
	if out.String() != want {
		t.Fatalf("matches.csv:\n%s\nwant:\n%s", out.String(), want)
	}
	s := in.Summarise(assign, in.Market.Verify(assign))
	if s.Matched != 3 || s.Unmatched != 2 || s.UnfilledPlaces != 1 || s.Places != 4 || s.Preferences != 9 || s.AcceptablePair != 9 || !s.Verification.OK() {
		t.Errorf("summary %+v", s)
	}
}

func TestMatchFilesRejectBadInput(t *testing.T) {
	replace := func(old, new string) func(string) string {
		return func(s string) string {
			if !strings.Contains(s, old) {
				panic("test edit does not apply: " + old)
			}
			return strings.Replace(s, old, new, 1)
		}
	}
	for _, tc := range []struct {
		name string
		edit map[string]func(string) string
		want []string
	}{
		{"unknown post in applicants", map[string]func(string) string{"applicants.csv": replace("2,7,P3", "2,7,P9")}, []string{"applicants.csv line 6", `"P9"`, "not in posts.csv"}},
		{"unknown post in rankings", map[string]func(string) string{"rankings.csv": replace("P3,75,2", "PX,75,2")}, []string{"rankings.csv line 9", `"PX"`}},
		{"duplicate preference", map[string]func(string) string{"applicants.csv": replace("3,9,P2", "3,9,P3")}, []string{"applicants.csv line 8", `applicant "3" lists post "P3" twice`}},
		{"duplicate applicant rank", map[string]func(string) string{"applicants.csv": replace("3,9,P2", "3,3,P2")}, []string{"applicants.csv line 8", `applicant "3" gives rank 3 twice`}},
		{"duplicate post rank", map[string]func(string) string{"rankings.csv": replace("P1,2,2", "P1,1,2")}, []string{"rankings.csv line 4", `post "P1" gives rank 1 twice`}},
		{"post ranks applicant twice", map[string]func(string) string{"rankings.csv": replace("P1,3,4", "P1,3,2")}, []string{"rankings.csv", `post "P1" ranks applicant "2" twice`}},
		{"negative capacity", map[string]func(string) string{"posts.csv": replace("P3,1,", "P3,-2,")}, []string{"posts.csv line 4", "capacity -2"}},
		{"non-numeric capacity", map[string]func(string) string{"posts.csv": replace("P3,1,", "P3,one,")}, []string{"posts.csv line 4", `capacity "one"`}},
		{"non-numeric rank", map[string]func(string) string{"applicants.csv": replace("5,1,P3", "5,first,P3")}, []string{"applicants.csv line 10", `rank "first" is not a whole number`}},
		{"wrong header", map[string]func(string) string{"rankings.csv": replace("post_id,rank,applicant_id", "post,rank,applicant_id")}, []string{"rankings.csv line 1", "no post_id column"}},
		{"duplicate post", map[string]func(string) string{"posts.csv": replace("P3,1,", "P2,1,")}, []string{"posts.csv line 4", `post "P2" is listed twice`}},
		{"empty file", map[string]func(string) string{"applicants.csv": func(string) string { return "" }}, []string{"applicants.csv line 1", "empty"}},
		{"broken quotes", map[string]func(string) string{"posts.csv": replace(`"Bristol, Southmead"`, `"Bristol`)}, []string{"posts.csv line 3", "not valid CSV"}},
		{"huge rank", map[string]func(string) string{"rankings.csv": replace("P3,100,5", "P3,99999999999,5")}, []string{"rankings.csv line 5", "too large"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readSample(t, tc.edit)
			if apperr.Code(err) != apperr.Invalid {
				t.Fatalf("got %v, want an invalid-input error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// FuzzReadMatchInput: any three files are either rejected as invalid input
// or give a market whose match the verifier accepts.
func FuzzReadMatchInput(f *testing.F) {
	var files [3]string
	for i, name := range []string{"posts.csv", "applicants.csv", "rankings.csv"} {
		b, _ := os.ReadFile("testdata/match/" + name)
		files[i] = string(b)
	}
	f.Add(files[0], files[1], files[2])
	f.Add("post_id,capacity\nP,0\n", "applicant_id,rank,post_id\na,1,P\n", "post_id,rank,applicant_id\nP,1,a\n")
	f.Add("capacity,post_id\n2,X\n", "post_id,applicant_id,rank\nX,a,-5\nX,b,-7\n", "applicant_id,post_id,rank\na,X,3\nb,X,2\n")
	f.Fuzz(func(t *testing.T, posts, applicants, rankings string) {
		in, err := recruit.ReadMatchInput(
			recruit.Source{Name: "posts.csv", R: strings.NewReader(posts)},
			recruit.Source{Name: "applicants.csv", R: strings.NewReader(applicants)},
			recruit.Source{Name: "rankings.csv", R: strings.NewReader(rankings)}, nil)
		if err != nil {
			if apperr.Code(err) != apperr.Invalid || !strings.Contains(err.Error(), ".csv line ") {
				t.Fatalf("error without file and line: %v", err)
			}
			return
		}
		assign := in.Market.Match()
		if v := in.Market.Verify(assign); !v.OK() {
			t.Fatalf("verifier: %+v", v)
		}
		var out bytes.Buffer
		if err := in.WriteMatches(&out, assign); err != nil {
			t.Fatal(err)
		}
		if lines := strings.Count(out.String(), "\n"); lines != len(in.ApplicantIDs)+1 {
			t.Fatalf("%d lines for %d applicants", lines, len(in.ApplicantIDs))
		}
	})
}
