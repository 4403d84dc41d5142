package workforce

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/framework"
	"hcs/internal/text"
)

// StaffColumns are the columns of a staff extract, in order: an ESR-like
// layout with one row per assignment.
var StaffColumns = []string{
	"Assignment Number", "Person Reference", "Organisation Code", "Staff Group", "Occupation Code",
	"Area of Work", "Career Level", "AfC Band", "FTE", "Contract Type",
	"Assignment Start Date", "Assignment End Date", "Leaving Reason", "Year of Birth",
	"Registration Body", "Registration Number", "Training Certificate",
}

// staffColumnsBefore is how many columns a staff extract had before
// Training Certificate: a file of those columns alone still reads.
const staffColumnsBefore = 16

// EmployerColumns are the columns of an employers file.
var EmployerColumns = []string{"Organisation Code", "Organisation Name", "Region"}

// Problem is one fault in a file: the spreadsheet row it is on (the
// header is row 1) and the column, where there is one.
type Problem struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	switch {
	case p.Row == 0:
		return p.Message
	case p.Column == "":
		return fmt.Sprintf("row %d: %s", p.Row, p.Message)
	}
	return fmt.Sprintf("row %d, column %q: %s", p.Row, p.Column, p.Message)
}

// maxProblems is how many problems a file's error lists before it
// counts the rest.
const maxProblems = 20

// FileError is every problem found in a file. Nothing from a file with
// problems is saved.
type FileError struct {
	File     string
	Problems []Problem
	// More counts problems found beyond those listed.
	More int
}

func (e *FileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s has %d problem", e.File, len(e.Problems)+e.More)
	if len(e.Problems)+e.More != 1 {
		b.WriteString("s")
	}
	b.WriteString(" and nothing was imported: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "; and %d more", e.More)
	}
	return b.String()
}

func (e *FileError) add(p Problem) {
	if len(e.Problems) < maxProblems {
		e.Problems = append(e.Problems, p)
	} else {
		e.More++
	}
}

// err returns the file's error as an invalid-input error, or nil when
// the file has no problem.
func (e *FileError) err() error {
	if len(e.Problems) == 0 {
		return nil
	}
	return &apperr.Error{Code: apperr.Invalid, Field: "file", Message: e.Error(), Err: e}
}

// AsFileError returns the problems of a file's error, if err is one.
func AsFileError(err error) (*FileError, bool) {
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Field == "file" {
		if fe, ok := ae.Err.(*FileError); ok {
			return fe, true
		}
	}
	fe, ok := errors.AsType[*FileError](err)
	return fe, ok
}

// Row is an assignment with the spreadsheet row it came from.
type Row struct {
	Line int
	// KeepsCertificate says the file has no Training Certificate column
	// (an extract of the columns before it): the certificate held for the
	// assignment, if any, stays while the assignment's person does.
	KeepsCertificate bool
	Assignment
}

// vocabulary resolves the names an extract may use for specialisms and
// levels to the framework's ids.
type vocabulary struct {
	specialisms map[string]string
	levels      map[string]string
}

func newVocabulary(f *framework.Framework) *vocabulary {
	v := &vocabulary{specialisms: map[string]string{}, levels: map[string]string{}}
	for _, s := range f.Specialisms {
		v.specialisms[s.ID] = s.ID
		v.specialisms[strings.ToLower(s.Name)] = s.ID
	}
	for _, l := range f.Levels {
		v.levels[l.ID] = l.ID
		v.levels[strings.ToLower(l.Name)] = l.ID
	}
	return v
}

// readHeader checks a file's header row against the columns expected,
// of which the first least must be there and the rest may be left off,
// and returns how many the file has.
func readHeader(r *csv.Reader, file string, want []string, least int) (int, error) {
	header, err := r.Read()
	if err == io.EOF {
		return 0, &FileError{File: file, Problems: []Problem{{Message: "the file is empty; its first row must name the columns: " + strings.Join(want, ", ")}}}
	}
	if err != nil {
		return 0, &FileError{File: file, Problems: []Problem{{Row: 1, Message: csvMessage(err)}}}
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	if len(header) >= least && len(header) < len(want) {
		want = want[:len(header)]
	}
	fe := &FileError{File: file}
	for i, name := range want {
		switch {
		case i >= len(header):
			fe.add(Problem{Row: 1, Message: fmt.Sprintf("column %d should be %q, and is missing", i+1, name)})
		case !strings.EqualFold(strings.TrimSpace(header[i]), name):
			fe.add(Problem{Row: 1, Message: fmt.Sprintf("column %d should be %q, not %q", i+1, name, header[i])})
		}
	}
	if len(header) > len(want) {
		fe.add(Problem{Row: 1, Message: fmt.Sprintf("there are %d columns, and the file should have %d: %s", len(header), len(want), strings.Join(want, ", "))})
	}
	if len(fe.Problems) > 0 {
		return 0, fe
	}
	return len(header), nil
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// ReadOptions say what a staff file is read against.
type ReadOptions struct {
	// File names the file in messages.
	File string
	// Year is the current year: nobody in the file is born less than 16
	// years before it, and no assignment starts after its end.
	Year int
}

// ReadStaff reads a staff extract strictly: the header must name the
// columns of StaffColumns in order, and every row must be a valid
// assignment. All the problems found are returned together, each with
// its row and column; the rows are returned only when there are none.
func ReadStaff(r io.Reader, f *framework.Framework, opt ReadOptions) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	columns, err := readHeader(cr, opt.File, StaffColumns, staffColumnsBefore)
	if err != nil {
		return nil, err.(*FileError).err()
	}
	v := newVocabulary(f)
	fe := &FileError{File: opt.File}
	var rows []Row
	seen := map[string]int{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			fe.add(Problem{Row: line, Message: csvMessage(err)})
			if pe == nil || !errors.Is(pe.Err, csv.ErrFieldCount) {
				break
			}
			continue
		}
		if len(rec) != columns {
			fe.add(Problem{Row: line, Message: fmt.Sprintf("the row has %d cells, and should have %d", len(rec), columns)})
			continue
		}
		row := Row{Line: line, KeepsCertificate: columns < len(StaffColumns)}
		if p := v.parse(rec, &row.Assignment, opt.Year); p != nil {
			p.Row = line
			fe.add(*p)
			continue
		}
		if first, ok := seen[row.Number]; ok {
			fe.add(Problem{Row: line, Column: "Assignment Number", Message: fmt.Sprintf("assignment %s is also on row %d", row.Number, first)})
			continue
		}
		seen[row.Number] = line
		rows = append(rows, row)
	}
	if len(rows) == 0 && len(fe.Problems) == 0 {
		fe.add(Problem{Message: "the file has no rows below its header"})
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	return rows, nil
}

// cellProblem is a problem in one column of a row.
func cellProblem(column, format string, args ...any) *Problem {
	return &Problem{Column: column, Message: fmt.Sprintf(format, args...)}
}

// parse reads one row into a, or returns its first problem.
func (v *vocabulary) parse(rec []string, a *Assignment, year int) *Problem {
	get := func(i int) string { return strings.TrimSpace(rec[i]) }
	var err error
	if a.Number, err = identifier(get(0)); err != nil {
		return cellProblem(StaffColumns[0], "%v", err)
	}
	if a.Person, err = identifier(get(1)); err != nil {
		return cellProblem(StaffColumns[1], "%v", err)
	}
	if a.Employer, err = OrganisationCode(get(2)); err != nil {
		return cellProblem(StaffColumns[2], "%v", err)
	}
	group, _, _ := strings.Cut(get(3), " ")
	if _, ok := StaffGroups[group]; !ok {
		return cellProblem(StaffColumns[3], "%q is not a staff group healthcare scientists are recorded in (06 Healthcare Scientists or 07 Additional Clinical Services)", get(3))
	}
	a.StaffGroup = group
	if a.Occupation = strings.ToUpper(get(4)); a.Occupation != "" && !code(a.Occupation, 3, 3) {
		return cellProblem(StaffColumns[4], "%q is not an occupation code (three letters or digits, such as UAA), and may be left empty", get(4))
	}
	if a.Specialism = v.specialisms[strings.ToLower(get(5))]; a.Specialism == "" {
		return cellProblem(StaffColumns[5], "%q is not a specialism of the framework (write its name or id, such as Audiology)", get(5))
	}
	if a.Level = v.levels[strings.ToLower(get(6))]; a.Level == "" {
		return cellProblem(StaffColumns[6], "%q is not a career level (write one of: associate-assistant, practitioner, clinical-scientist, consultant)", get(6))
	}
	band := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(get(7), "Band "), "band "))
	if !framework.IsBand(band) {
		return cellProblem(StaffColumns[7], "%q is not an Agenda for Change band (1 to 9, with 8a to 8d)", get(7))
	}
	a.Band = band
	if a.FTE, err = ParseFTE(get(8)); err != nil {
		return cellProblem(StaffColumns[8], "%v", err)
	}
	if a.Contract = keyword(get(9)); !slices.Contains(Contracts, a.Contract) {
		return cellProblem(StaffColumns[9], "%q is not a contract type (%s)", get(9), strings.Join(Contracts, " or "))
	}
	if a.Start, err = ParseDay(get(10)); err != nil {
		return cellProblem(StaffColumns[10], "%v", err)
	}
	if a.Start.Year() > year {
		return cellProblem(StaffColumns[10], "%s is after this year", get(10))
	}
	a.End = NoEnd
	if s := get(11); s != "" {
		if a.End, err = ParseDay(s); err != nil {
			return cellProblem(StaffColumns[11], "%v", err)
		}
		if a.End < a.Start {
			return cellProblem(StaffColumns[11], "the assignment ends on %s, before it starts on %s", a.End, a.Start)
		}
	}
	if a.LeavingReason = keyword(get(12)); a.LeavingReason != "" {
		if !slices.Contains(LeavingReasons, a.LeavingReason) {
			return cellProblem(StaffColumns[12], "%q is not a leaving reason (%s)", get(12), strings.Join(LeavingReasons, ", "))
		}
		if a.End == NoEnd {
			return cellProblem(StaffColumns[12], "a leaving reason needs the assignment's end date")
		}
	}
	by, err := strconv.Atoi(get(13))
	if err != nil || len(get(13)) != 4 || by < year-100 || by > year-16 {
		return cellProblem(StaffColumns[13], "%q is not a year of birth for someone of working age (a year from %d to %d)", get(13), year-100, year-16)
	}
	a.BirthYear = by
	a.RegBody, a.RegNumber = strings.ToUpper(get(14)), strings.ToUpper(get(15))
	switch {
	case a.RegBody != "" && !slices.Contains(RegistrationBodies, a.RegBody):
		return cellProblem(StaffColumns[14], "%q is not a register (%s), and may be left empty", get(14), strings.Join(RegistrationBodies, ", "))
	case a.RegBody != "" && a.RegNumber == "":
		return cellProblem(StaffColumns[15], "a registration with %s needs its number", a.RegBody)
	case a.RegBody == "" && a.RegNumber != "":
		return cellProblem(StaffColumns[14], "registration number %s needs the register it is on", a.RegNumber)
	case a.RegNumber != "" && !code(a.RegNumber, 2, 16):
		return cellProblem(StaffColumns[15], "%q is not a registration number (letters and digits)", get(15))
	}
	if len(rec) > 16 {
		if a.Certificate = strings.ToLower(get(16)); a.Certificate != "" && !isUUID(a.Certificate) {
			return cellProblem(StaffColumns[16], "%q is not a training certificate's id (the last part of its address, such as 0b7c6a52-3f0e-4e47-9d3a-5c2f1e8d9a10), and may be left empty", get(16))
		}
	}
	return nil
}

// isUUID reports whether s is a UUID in lower-case hex: 8-4-4-4-12.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range []byte(s) {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// keyword folds a word people type ("Fixed Term") to the form the
// package uses ("fixed-term").
func keyword(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.Join(strings.Fields(s), " ")), " ", "-")
}

// code reports whether s is min to max upper-case letters and digits.
func code(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// identifier checks a reference: 1 to 32 letters, digits, hyphens and
// underscores.
func identifier(s string) (string, error) {
	if s == "" {
		return "", errors.New("is empty")
	}
	if len(s) > 32 {
		return "", fmt.Errorf("%q is longer than 32 characters", s)
	}
	for _, c := range []byte(s) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "", fmt.Errorf("%q may hold only letters, digits, hyphens and underscores", s)
		}
	}
	return s, nil
}

// OrganisationCode checks an organisation code: 3 to 6 letters and
// digits, as NHS organisation codes are, in upper case.
func OrganisationCode(s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if !code(s, 3, 6) {
		return "", fmt.Errorf("%q is not an organisation code (3 to 6 letters and digits, such as RXX)", s)
	}
	return s, nil
}

// ReadEmployers reads an employers file: code, name and region of each.
func ReadEmployers(r io.Reader, file string) ([]Employer, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	if _, err := readHeader(cr, file, EmployerColumns, len(EmployerColumns)); err != nil {
		return nil, err.(*FileError).err()
	}
	fe := &FileError{File: file}
	var out []Employer
	seen := map[string]int{}
	names := map[string]int{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fe.add(Problem{Row: line, Message: csvMessage(err)})
			break
		}
		if len(rec) != len(EmployerColumns) {
			fe.add(Problem{Row: line, Message: fmt.Sprintf("the row has %d cells, and should have %d", len(rec), len(EmployerColumns))})
			continue
		}
		var e Employer
		if e.Code, err = OrganisationCode(rec[0]); err != nil {
			fe.add(Problem{Row: line, Column: EmployerColumns[0], Message: err.Error()})
			continue
		}
		if e.Name, err = text.Name("name", "name", rec[1], 200); err != nil {
			fe.add(Problem{Row: line, Column: EmployerColumns[1], Message: apperr.Message(err)})
			continue
		}
		if e.Region = strings.TrimSpace(rec[2]); !slices.Contains(auth.Regions, e.Region) {
			fe.add(Problem{Row: line, Column: EmployerColumns[2], Message: fmt.Sprintf("%q is not a region (%s)", rec[2], strings.Join(auth.Regions, ", "))})
			continue
		}
		if first, ok := seen[e.Code]; ok {
			fe.add(Problem{Row: line, Column: EmployerColumns[0], Message: fmt.Sprintf("%s is also on row %d", e.Code, first)})
			continue
		}
		if first, ok := names[strings.ToLower(e.Name)]; ok {
			fe.add(Problem{Row: line, Column: EmployerColumns[1], Message: fmt.Sprintf("%s is also on row %d", e.Name, first)})
			continue
		}
		seen[e.Code], names[strings.ToLower(e.Name)] = line, line
		out = append(out, e)
	}
	if len(out) == 0 && len(fe.Problems) == 0 {
		fe.add(Problem{Message: "the file has no rows below its header"})
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// WriteStaff writes assignments as a staff extract that ReadStaff reads.
func WriteStaff(w io.Writer, rows []Assignment) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(StaffColumns); err != nil {
		return err
	}
	rec := make([]string, len(StaffColumns))
	for i := range rows {
		a := &rows[i]
		rec[0], rec[1], rec[2], rec[3], rec[4] = a.Number, a.Person, a.Employer, a.StaffGroup, a.Occupation
		rec[5], rec[6], rec[7], rec[8], rec[9] = a.Specialism, a.Level, a.Band, a.FTE.String(), a.Contract
		rec[10], rec[11], rec[12], rec[13] = a.Start.String(), a.End.String(), a.LeavingReason, strconv.Itoa(a.BirthYear)
		rec[14], rec[15], rec[16] = a.RegBody, a.RegNumber, a.Certificate
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteEmployers writes an employers file that ReadEmployers reads.
func WriteEmployers(w io.Writer, es []Employer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(EmployerColumns); err != nil {
		return err
	}
	for _, e := range es {
		if err := cw.Write([]string{e.Code, e.Name, e.Region}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
