// Package text holds the one rule every piece of text people type into hcs
// follows, on SQLite and PostgreSQL alike: valid UTF-8, trimmed, within a
// maximum length, without control characters (PostgreSQL cannot store a
// NUL, and a line break in a name would reach the headers of a message),
// without the invisible characters that reorder or hide text, and, for
// names, something visible left once zero-width characters are removed.
// It also makes text safe to put in a CSV cell that a spreadsheet opens.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"hcs/internal/apperr"
)

// Line checks one line of text, such as an email address or a title, and
// returns it trimmed. An empty line is allowed; Name requires one.
// label is the field as people read it, for the error.
func Line(field, label, s string, max int) (string, error) {
	return check(field, label, s, max, false)
}

// Para checks text that may run over several lines, such as a personal
// statement. Line breaks are kept (CR LF becomes LF) and tabs allowed.
func Para(field, label, s string, max int) (string, error) {
	return check(field, label, strings.ReplaceAll(s, "\r\n", "\n"), max, true)
}

// Name checks a name: a line that must hold something visible.
func Name(field, label, s string, max int) (string, error) {
	s, err := Line(field, label, s, max)
	if err != nil {
		return "", err
	}
	if !Visible(s) {
		return "", apperr.Invalidf(field, "Enter %s", article(label))
	}
	return s, nil
}

// Visible reports whether s has a character that shows: something other
// than spaces and zero-width or formatting characters.
func Visible(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) && !invisible(r) }) >= 0
}

func check(field, label, s string, max int, multiline bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", apperr.Invalidf(field, "%s is not valid text (it is not UTF-8)", label)
	}
	if i := strings.IndexFunc(s, reorders); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return "", apperr.Invalidf(field, "%s must not contain characters that change the direction of text (found U+%04X)", label, r)
	}
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || invisible(r) })
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\t'):
		case r == 0:
			return "", apperr.Invalidf(field, "%s must not contain a NUL character", label)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return "", apperr.Invalidf(field, "%s must not contain control characters such as line breaks or tabs (found U+%04X)", label, r)
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", apperr.Invalidf(field, "%s must be %d characters or fewer (it has %d)", label, max, n)
	}
	return s, nil
}

// invisible is a zero-width or formatting character: it takes no space.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || r == '\u115F' || r == '\u1160' || r == '\u3164' || r == '\uFFA0'
}

// reorders is a bidirectional override or isolate, which can make text
// read differently from how it is stored.
func reorders(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

func article(label string) string {
	l := strings.ToLower(label)
	if strings.HasPrefix(l, "the ") || strings.HasPrefix(l, "your ") {
		return l
	}
	return "the " + l
}

// CSVCell makes a value safe for a cell a spreadsheet will open: a value
// that a spreadsheet would read as a formula (starting with =, +, -, @, a
// tab or a carriage return) is prefixed with an apostrophe, which
// spreadsheets show as text. Numbers hcs itself writes are not passed
// through here.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Capitalise starts a sentence with a capital letter.
func Capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
