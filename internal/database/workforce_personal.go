package database

import "hcs/internal/privacy"

// workforcePersonal registers the personal data the workforce holds. Staff
// assignments are pseudonymous: an employer's extract names each person
// by a reference that links their assignments and nothing here, so no
// account's export or erasure can find them; the employer that sends the
// extract answers for them. The person who imported a file is named on
// its import.
var workforcePersonal = privacy.Register{
	Personal: []privacy.Table{
		{Name: "workforce_imports", As: "importer", About: "imported_by = $1", Describe: "Staff and employer files you imported",
			Erase: privacy.Keep, Columns: []privacy.Column{{Name: "id"}, {Name: "kind"}, {Name: "file"}, {Name: "sha256"}, {Name: "row_count"},
				{Name: "added"}, {Name: "changed"}, {Name: "unchanged"}, {Name: "imported_by"}, {Name: "imported_at"},
				{Name: "organisation_id"}}},
		{Name: "workforce_scenarios", As: "planner", About: "created_by = $1", Describe: "Forecast scenarios you saved",
			Erase: privacy.Keep, Columns: []privacy.Column{{Name: "id"}, {Name: "name"}, {Name: "region"}, {Name: "specialism"}, {Name: "assumptions"},
				{Name: "created_by"}, {Name: "created_at"}}},
	},
	Free: []privacy.Free{
		{Table: "workforce_employers", Reason: "organisation codes of employers"},
		{Table: "workforce_assignments", Reason: "pseudonymous staff assignments from employers' extracts, which no account here can be linked to"},
		{Table: "workforce_state", Reason: "the version of the workforce figures"},
	},
}
