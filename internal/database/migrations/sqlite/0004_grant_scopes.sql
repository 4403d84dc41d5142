-- Grants name every field their scope compares. A reviewer's grant names
-- the recruitment round they are appointed to; a department grant always
-- names the department's own organisation, so that organisation-scoped
-- and department-scoped checks agree. SQLite cannot add constraints to a
-- table, so grants is rebuilt; nothing refers to it.
CREATE UNIQUE INDEX departments_id_organisation ON departments (id, organisation_id);

CREATE TABLE grants_scoped (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    role            TEXT NOT NULL,
    organisation_id INTEGER REFERENCES organisations (id),
    department_id   INTEGER REFERENCES departments (id),
    round_id        INTEGER REFERENCES rounds (id),
    created_at      TIMESTAMP NOT NULL,
    CHECK (department_id IS NULL OR organisation_id IS NOT NULL),
    -- Each role carries exactly the scope fields it needs.
    CHECK (role <> 'employer-recruiter' OR (organisation_id IS NOT NULL AND department_id IS NULL AND round_id IS NULL)),
    CHECK (role <> 'training-officer' OR (department_id IS NOT NULL AND round_id IS NULL)),
    CHECK (role <> 'reviewer' OR (round_id IS NOT NULL AND organisation_id IS NULL AND department_id IS NULL)),
    CHECK (role NOT IN ('applicant', 'national-school-admin', 'workforce-planner', 'system-admin')
        OR (organisation_id IS NULL AND department_id IS NULL AND round_id IS NULL)),
    FOREIGN KEY (department_id, organisation_id) REFERENCES departments (id, organisation_id)
);
INSERT INTO grants_scoped (id, user_id, role, organisation_id, department_id, round_id, created_at)
    SELECT g.id, g.user_id, g.role, COALESCE(d.organisation_id, g.organisation_id), g.department_id, NULL, g.created_at
    FROM grants g LEFT JOIN departments d ON d.id = g.department_id;
DROP TABLE grants;
ALTER TABLE grants_scoped RENAME TO grants;
CREATE UNIQUE INDEX grants_unique ON grants (user_id, role, COALESCE(organisation_id, 0), COALESCE(department_id, 0), COALESCE(round_id, 0));
