// Package privacy is hcs's data-protection room. Each capability registers
// the personal data its tables hold (which rows are about a person, and
// what each column is), so that one subject access export and one erasure
// cover every table, today's and those still to come. A test reads the
// tables and columns from the database's own catalogue and fails when one
// is neither registered nor declared free of personal data.
//
// Erasure keeps what anonymised statistics need (counts, scores, ranks,
// dates) and the audit trail's shape: the person's account row stays, with
// their name and address replaced by a pseudonym, so the records that
// point at it point at nobody. Their words (statements, qualifications,
// messages), their secrets and the network addresses they acted from go.
package privacy

import (
	"fmt"
	"slices"
	"strings"
)

// Treatment is what a column is, for export and erasure.
type Treatment int

const (
	// Kept is not personal once the person is a pseudonym: ids, dates,
	// scores, statuses, choices from lists. Exported; kept on erasure.
	Kept Treatment = iota
	// Identity names or reaches the person: a name, an email address.
	// Exported; replaced by a pseudonym on erasure.
	Identity
	// Content is what the person wrote or sent, or where they acted from:
	// a statement, qualifications, a message, an IP address. Exported;
	// blanked on erasure.
	Content
	// Secret is a hash of a password or a token. Never exported; blanked
	// on erasure.
	Secret
	// Other points at another person, such as the reviewer of the
	// subject's application. Never exported; kept on erasure (it is the
	// other person's).
	Other
)

var treatmentNames = map[Treatment]string{Kept: "kept", Identity: "identity", Content: "content", Secret: "secret", Other: "another person"}

func (t Treatment) String() string { return treatmentNames[t] }

// Exported reports whether a subject access export shows the column.
func (t Treatment) Exported() bool { return t != Secret && t != Other }

// Column is one column of a registered table.
type Column struct {
	Name  string
	Treat Treatment
	// Erased is the value the column gets on erasure when it is not ''
	// (what Identity, Content and Secret columns otherwise get): "{}" for
	// a JSON column, a pseudonym such as "erased-{id}" with {id} the
	// person's id, or "{now}" for the time of erasure.
	Erased string
}

// Erasure is what erasing a person does to the rows about them.
type Erasure int

const (
	// Scrub blanks Content and Secret columns and replaces Identity
	// columns with a pseudonym, keeping the row.
	Scrub Erasure = iota
	// Delete removes the rows.
	Delete
	// Keep leaves the rows: they hold nothing personal once the person is
	// a pseudonym.
	Keep
)

// Table registers one way a table holds personal data. A table can hold a
// person in more than one way (the applicant an application is about, and
// the reviewer who scored it), and then has a registration for each.
type Table struct {
	Name string
	// As names the person's part in the rows, for the export: "applicant",
	// "reviewer", "account".
	As string
	// About is the SQL condition selecting the rows about the person, with
	// $1 their user id, $2 their email address, $3 their sign-in counter's
	// key (auth.AccountKey) and $4 their user id as text.
	About string
	// Describe says what the rows are, for the person reading the export.
	Describe string
	// AuditType is the record type the audit log uses for the table's
	// rows (with their id column), when it has one: the audit entries
	// about those records are about the person too.
	AuditType string
	Erase     Erasure
	Columns   []Column
	// Log marks the audit log: its erasure is registered here, but an
	// export shows it through AuditView rather than as rows.
	Log bool
}

// Column returns the named column's registration.
func (t Table) Column(name string) (Column, bool) {
	i := slices.IndexFunc(t.Columns, func(c Column) bool { return c.Name == name })
	if i < 0 {
		return Column{}, false
	}
	return t.Columns[i], true
}

// Free declares a table free of personal data, with the reason.
type Free struct {
	Table  string
	Reason string
}

// Register is everything the capabilities have registered.
type Register struct {
	Personal []Table
	Free     []Free
}

// Check compares the register with the tables and columns the database's
// catalogue lists, and returns every problem: a table neither registered
// nor declared free, a column left unclassified, a registration naming
// what does not exist, or one that contradicts itself.
func (r Register) Check(catalogue map[string][]string) []string {
	var problems []string
	personal := map[string]bool{}
	for _, t := range r.Personal {
		personal[t.Name] = true
		columns, ok := catalogue[t.Name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s (as %s) is registered, but the database has no such table", t.Name, t.As))
			continue
		}
		for _, c := range columns {
			if _, ok := t.Column(c); !ok {
				problems = append(problems, fmt.Sprintf("column %s.%s is not classified in its registration as %s: say whether it is kept, identity, content, secret or another person's", t.Name, c, t.As))
			}
		}
		for _, c := range t.Columns {
			if !slices.Contains(columns, c.Name) {
				problems = append(problems, fmt.Sprintf("%s (as %s) classifies column %s, which the table does not have", t.Name, t.As, c.Name))
			}
			if t.Erase == Keep && (c.Treat == Identity || c.Treat == Content || c.Treat == Secret) {
				problems = append(problems, fmt.Sprintf("%s (as %s) keeps its rows on erasure, but column %s is %s", t.Name, t.As, c.Name, c.Treat))
			}
		}
		if t.About == "" || t.As == "" || t.Describe == "" {
			problems = append(problems, fmt.Sprintf("%s needs a condition (About), a part (As) and a description", t.Name))
		}
	}
	for _, f := range r.Free {
		if personal[f.Table] {
			problems = append(problems, fmt.Sprintf("%s is declared free of personal data and registered as holding it", f.Table))
		}
		if _, ok := catalogue[f.Table]; !ok {
			problems = append(problems, fmt.Sprintf("%s is declared free of personal data, but the database has no such table", f.Table))
		}
		if strings.TrimSpace(f.Reason) == "" {
			problems = append(problems, fmt.Sprintf("%s is declared free of personal data without saying why", f.Table))
		}
		personal[f.Table] = true
	}
	names := make([]string, 0, len(catalogue))
	for name := range catalogue {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !personal[name] {
			problems = append(problems, fmt.Sprintf("table %s is neither registered as holding personal data nor declared free of it", name))
		}
	}
	return problems
}
