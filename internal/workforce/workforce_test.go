package workforce_test

import (
	"bytes"
	"strings"
	"testing"

	"hcs/internal/apperr"
	"hcs/internal/testkit"
	"hcs/internal/workforce"
)

var today = workforce.Date(2026, 12, 1)

func synth(t testing.TB, employers, staff int) ([]workforce.Employer, []workforce.Assignment) {
	return workforce.Synthesize(testkit.Framework(t), workforce.SynthOptions{Employers: employers, Staff: staff, Years: 10, Today: today, Seed: 7})
}

const header = "Assignment Number,Person Reference,Organisation Code,Staff Group,Occupation Code,Area of Work,Career Level,AfC Band,FTE,Contract Type,Assignment Start Date,Assignment End Date,Leaving Reason,Year of Birth,Registration Body,Registration Number\n"

// withCertificate is the header with the optional last column.
var withCertificate = strings.Replace(header, "\n", ",Training Certificate\n", 1)

const goodRow = "10000001-1,S10000001,ZZ001,06,,Audiology,practitioner,5,1.00,permanent,2020-04-01,,,1990,HCPC,PR12345\n"

func TestReadStaffNamesRowAndColumn(t *testing.T) {
	f := testkit.Framework(t)
	cases := []struct {
		name, file, want string
	}{
		{"empty", "", "the file is empty"},
		{"wrong header", strings.Replace(header, "FTE", "WTE", 1) + goodRow, `column 9 should be "FTE", not "WTE"`},
		{"no rows", header, "no rows below its header"},
		{"short row", header + "a,b\n", "row 2: the row has 2 cells"},
		{"bad fte", header + strings.Replace(goodRow, "1.00", "1.5", 1), `row 2, column "FTE": "1.5" is not a whole-time equivalent`},
		{"three decimals", header + strings.Replace(goodRow, "1.00", "0.805", 1), `column "FTE"`},
		{"an FTE that overflows", header + strings.Replace(goodRow, "1.00", "4294967296.5", 1), `column "FTE": "4294967296.5" is not a whole-time equivalent`},
		{"bad band", header + strings.Replace(goodRow, ",5,", ",10,", 1), `column "AfC Band": "10" is not an Agenda for Change band`},
		{"bad specialism", header + strings.Replace(goodRow, "Audiology", "Astrology", 1), `column "Area of Work": "Astrology" is not a specialism`},
		{"bad level", header + strings.Replace(goodRow, "practitioner", "wizard", 1), `column "Career Level"`},
		{"bad date", header + strings.Replace(goodRow, "2020-04-01", "2020-13-01", 1), `column "Assignment Start Date": "2020-13-01" is not a date`},
		{"ends before start", header + strings.Replace(goodRow, "2020-04-01,,", "2020-04-01,2019-01-01,", 1), `column "Assignment End Date": the assignment ends on 2019-01-01, before it starts`},
		{"reason without end", header + strings.Replace(goodRow, ",,,1990", ",,retirement,1990", 1), `column "Leaving Reason": a leaving reason needs the assignment's end date`},
		{"too young", header + strings.Replace(goodRow, "1990", "2015", 1), `column "Year of Birth"`},
		{"register without number", header + strings.Replace(goodRow, "HCPC,PR12345", "HCPC,", 1), `column "Registration Number": a registration with HCPC needs its number`},
		{"staff group", header + strings.Replace(goodRow, ",06,", ",03,", 1), `column "Staff Group": "03" is not a staff group`},
		{"duplicate", header + goodRow + goodRow, `row 3, column "Assignment Number": assignment 10000001-1 is also on row 2`},
		{"organisation code", header + strings.Replace(goodRow, "ZZ001", "Z!", 1), `column "Organisation Code"`},
		{"quote", header + goodRow + "\"unterminated,\n", "row 3"},
		{"certificate", withCertificate + strings.Replace(goodRow, "\n", ",STP-2024-17\n", 1), `row 2, column "Training Certificate": "STP-2024-17" is not a training certificate's id`},
		{"certificate column missing from a row", withCertificate + goodRow, "row 2: the row has 16 cells, and should have 17"},
		{"a column after the certificate", strings.Replace(withCertificate, "\n", ",Notes\n", 1) + goodRow, "there are 18 columns, and the file should have 17"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := workforce.ReadStaff(strings.NewReader(c.file), f, workforce.ReadOptions{File: "staff.csv", Year: 2026})
			if err == nil {
				t.Fatalf("read %d rows, want an error naming %q", len(rows), c.want)
			}
			if apperr.Code(err) != apperr.Invalid || !strings.Contains(apperr.Message(err), c.want) || !strings.HasPrefix(apperr.Message(err), "staff.csv has ") {
				t.Fatalf("error %q (%s), want it to name %q", apperr.Message(err), apperr.Code(err), c.want)
			}
			if _, ok := workforce.AsFileError(err); !ok {
				t.Errorf("error is not a file's error")
			}
		})
	}
	// Every problem is listed, up to twenty, then counted.
	var b strings.Builder
	b.WriteString(header)
	for range 25 {
		b.WriteString(strings.Replace(goodRow, "1.00", "2", 1))
	}
	_, err := workforce.ReadStaff(strings.NewReader(b.String()), f, workforce.ReadOptions{File: "staff.csv", Year: 2026})
	fe, _ := workforce.AsFileError(err)
	if fe == nil || len(fe.Problems) != 20 || fe.More != 5 || !strings.Contains(err.Error(), "and 5 more") {
		t.Fatalf("25 bad rows gave %v", err)
	}
}

func TestReadStaffAcceptsESRForms(t *testing.T) {
	row := "10000001-1,S10000001,zz001,06 Healthcare Scientists,uaa,Clinical Biochemistry,Clinical scientist,Band 8a,0.8,Fixed Term,01/04/2020,31/03/2023,End of contract,1980,hcpc,cs12345\n"
	rows, err := workforce.ReadStaff(strings.NewReader("\ufeff"+header+row), testkit.Framework(t), workforce.ReadOptions{File: "staff.csv", Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	a := rows[0].Assignment
	want := workforce.Assignment{Number: "10000001-1", Person: "S10000001", Employer: "ZZ001", StaffGroup: "06", Occupation: "UAA",
		Specialism: "clinical-biochemistry", Level: "clinical-scientist", Band: "8a", FTE: 80, Contract: "fixed-term",
		Start: workforce.Date(2020, 4, 1), End: workforce.Date(2023, 3, 31), LeavingReason: "end-of-contract", BirthYear: 1980, RegBody: "HCPC", RegNumber: "CS12345"}
	if a != want || rows[0].Line != 2 {
		t.Fatalf("read %+v on row %d,\nwant %+v", a, rows[0].Line, want)
	}
	// With the training certificate's column, as its address writes it.
	row = strings.Replace(row, "\n", ",0B7C6A52-3F0E-4E47-9D3A-5C2F1E8D9A10\n", 1)
	rows, err = workforce.ReadStaff(strings.NewReader(withCertificate+row), testkit.Framework(t), workforce.ReadOptions{File: "staff.csv", Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	if want.Certificate = "0b7c6a52-3f0e-4e47-9d3a-5c2f1e8d9a10"; rows[0].Assignment != want {
		t.Fatalf("read %+v,\nwant %+v", rows[0].Assignment, want)
	}
}

func TestSyntheticWorkforceReadsBack(t *testing.T) {
	f := testkit.Framework(t)
	employers, as := synth(t, 20, 3000)
	var buf bytes.Buffer
	if err := workforce.WriteStaff(&buf, as); err != nil {
		t.Fatal(err)
	}
	rows, err := workforce.ReadStaff(&buf, f, workforce.ReadOptions{File: "staff.csv", Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(as) {
		t.Fatalf("read %d rows of %d", len(rows), len(as))
	}
	for i := range rows {
		if rows[i].Assignment != as[i] {
			t.Fatalf("row %d read as %+v, written as %+v", i+2, rows[i].Assignment, as[i])
		}
	}
	buf.Reset()
	if err := workforce.WriteEmployers(&buf, employers); err != nil {
		t.Fatal(err)
	}
	back, err := workforce.ReadEmployers(&buf, "employers.csv")
	if err != nil || len(back) != len(employers) {
		t.Fatalf("employers read back as %d, %v", len(back), err)
	}
}

func TestSyntheticWorkforceIsShapedAsAsked(t *testing.T) {
	_, as := synth(t, 20, 3000)
	inPost, assistants := map[string]bool{}, 0
	byPerson := map[string][]workforce.Assignment{}
	specialisms := map[string]bool{}
	for _, a := range as {
		byPerson[a.Person] = append(byPerson[a.Person], a)
		if a.ActiveOn(today) {
			if inPost[a.Person] {
				t.Fatalf("%s holds two assignments today", a.Person)
			}
			inPost[a.Person] = true
			specialisms[a.Specialism] = true
			if a.Level == "associate-assistant" {
				assistants++
			}
		}
	}
	if n := len(inPost); n < 2900 || n > 3100 {
		t.Errorf("%d in post today, want about 3,000", n)
	}
	if share := float64(assistants) / float64(len(inPost)); share < 0.40 || share > 0.50 {
		t.Errorf("assistants and associates are %.2f of staff, want about 0.45", share)
	}
	if len(specialisms) < 25 {
		t.Errorf("staff in %d specialisms, want nearly all 30", len(specialisms))
	}
	for p, list := range byPerson {
		for i := range list {
			for j := i + 1; j < len(list); j++ {
				a, b := list[i], list[j]
				if a.Start <= b.End && b.Start <= a.End {
					t.Fatalf("%s: assignments %s and %s overlap", p, a.Number, b.Number)
				}
			}
		}
	}
	if len(byPerson) < 4000 {
		t.Errorf("%d people over ten years: too few leavers and joiners", len(byPerson))
	}
}
