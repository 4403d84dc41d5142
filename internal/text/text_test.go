package text_test

import (
	"strings"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/text"
)

func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		rule func(field, label, s string, max int) (string, error)
		in   string
		want string // "" with ok false: refused
		ok   bool
	}{
		{"trimmed", text.Line, "  Ada  ", "Ada", true},
		{"zero-width at the ends trimmed", text.Line, "\u200bAda\ufeff", "Ada", true},
		{"empty line allowed", text.Line, "   ", "", true},
		{"NUL", text.Line, "a\x00b", "", false},
		{"line break in a line", text.Line, "a\nb", "", false},
		{"carriage return", text.Line, "a\rb", "", false},
		{"tab in a line", text.Line, "a\tb", "", false},
		{"escape", text.Line, "a\x1b[31mb", "", false},
		{"delete", text.Line, "a\x7fb", "", false},
		{"C1 control", text.Line, "a\u0085b", "", false},
		{"line separator", text.Line, "a\u2028b", "", false},
		{"right-to-left override", text.Line, "invoice\u202egnp.exe", "", false},
		{"override at the start", text.Line, "\u202etxt", "", false},
		{"isolate", text.Line, "a\u2066b", "", false},
		{"not UTF-8", text.Line, "a\xffb", "", false},
		{"at the limit", text.Line, strings.Repeat("é", 10), strings.Repeat("é", 10), true},
		{"over the limit", text.Line, strings.Repeat("é", 11), "", false},
		{"joiner inside a name kept", text.Name, "Ann\u200dMarie", "Ann\u200dMarie", true},
		{"invisible name", text.Name, "\u200b\u200c\u2060\u00ad", "", false},
		{"blank name", text.Name, " \t ", "", false},
		{"filler name", text.Name, "\u3164", "", false},
		{"paragraphs", text.Para, "one\r\ntwo\n\tt", "one\ntwo\n\tt", true},
		{"NUL in a paragraph", text.Para, "one\x00", "", false},
		{"CR alone in a paragraph", text.Para, "one\rtwo", "", false},
	} {
		got, err := tc.rule("field", "The field", tc.in, 10)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%s: %q → %q, %v", tc.name, tc.in, got, err)
		}
		if err != nil && apperr.Field(err) != "field" {
			t.Errorf("%s: the error names %q", tc.name, apperr.Field(err))
		}
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+44": "'+44", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"plain": "plain", "": "", "a=b": "a=b", " =x": " =x",
	} {
		if got := text.CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCapitalise(t *testing.T) {
	for in, want := range map[string]string{"": "", "module S-C1 is signed off": "Module S-C1 is signed off", "élan": "Élan", "Already": "Already"} {
		if got := text.Capitalise(in); got != want {
			t.Errorf("text.Capitalise(%q) = %q, want %q", in, got, want)
		}
	}
}
