-- The workforce: employers by their organisation code, staff assignments
-- from ESR-like extracts, and the imports that brought them.
CREATE TABLE workforce_employers (
    organisation_id INTEGER PRIMARY KEY REFERENCES organisations (id),
    code            TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 3 AND 6 AND code = upper(code))
);

-- One row per assignment: a pseudonymous person's job with an employer
-- for a period. Dates are YYYY-MM-DD; an assignment that lasts has no end.
CREATE TABLE workforce_assignments (
    id                  INTEGER PRIMARY KEY,
    assignment_number   TEXT NOT NULL UNIQUE CHECK (assignment_number <> ''),
    person_ref          TEXT NOT NULL CHECK (person_ref <> ''),
    organisation_id     INTEGER NOT NULL REFERENCES workforce_employers (organisation_id),
    staff_group         TEXT NOT NULL CHECK (staff_group IN ('06', '07')),
    occupation_code     TEXT NOT NULL DEFAULT '',
    specialism          TEXT NOT NULL,
    career_level        TEXT NOT NULL,
    band                TEXT NOT NULL CHECK (band IN ('1', '2', '3', '4', '5', '6', '7', '8a', '8b', '8c', '8d', '9')),
    fte_hundredths      INTEGER NOT NULL CHECK (fte_hundredths BETWEEN 1 AND 100),
    contract            TEXT NOT NULL CHECK (contract IN ('permanent', 'fixed-term')),
    start_date          TEXT NOT NULL,
    end_date            TEXT,
    leaving_reason      TEXT NOT NULL DEFAULT '' CHECK (leaving_reason IN ('', 'retirement', 'resignation', 'end-of-contract', 'dismissal', 'death', 'other')),
    birth_year          INTEGER NOT NULL,
    registration_body   TEXT NOT NULL DEFAULT '' CHECK (registration_body IN ('', 'HCPC', 'AHCS', 'RCCP')),
    registration_number TEXT NOT NULL DEFAULT '',
    CHECK (end_date IS NULL OR end_date >= start_date),
    CHECK (leaving_reason = '' OR end_date IS NOT NULL),
    CHECK ((registration_body = '') = (registration_number = ''))
);

CREATE TABLE workforce_imports (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('staff', 'employers')),
    file        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    row_count   INTEGER NOT NULL,
    added       INTEGER NOT NULL,
    changed     INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    imported_by INTEGER REFERENCES users (id),
    imported_at TIMESTAMP NOT NULL
);

-- At most one row, made by the first import: the lock imports take, and
-- the version figures are read at (0 while there is no row).
CREATE TABLE workforce_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
