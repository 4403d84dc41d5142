-- Grants name every field their scope compares. A reviewer's grant names
-- the recruitment round they are appointed to; a department grant always
-- names the department's own organisation, so that organisation-scoped
-- and department-scoped checks agree.
ALTER TABLE grants ADD COLUMN round_id BIGINT REFERENCES rounds (id);

UPDATE grants SET organisation_id = d.organisation_id
    FROM departments d WHERE d.id = grants.department_id;

CREATE UNIQUE INDEX departments_id_organisation ON departments (id, organisation_id);
ALTER TABLE grants ADD CONSTRAINT grants_department_has_organisation
    CHECK (department_id IS NULL OR organisation_id IS NOT NULL);
-- Each role carries exactly the scope fields it needs.
ALTER TABLE grants ADD CONSTRAINT grants_scope_fits_role CHECK (
    (role <> 'employer-recruiter' OR (organisation_id IS NOT NULL AND department_id IS NULL AND round_id IS NULL))
    AND (role <> 'training-officer' OR (department_id IS NOT NULL AND round_id IS NULL))
    AND (role <> 'reviewer' OR (round_id IS NOT NULL AND organisation_id IS NULL AND department_id IS NULL))
    AND (role NOT IN ('applicant', 'national-school-admin', 'workforce-planner', 'system-admin')
        OR (organisation_id IS NULL AND department_id IS NULL AND round_id IS NULL)));
ALTER TABLE grants ADD CONSTRAINT grants_department_in_organisation
    FOREIGN KEY (department_id, organisation_id) REFERENCES departments (id, organisation_id);

DROP INDEX grants_unique;
CREATE UNIQUE INDEX grants_unique ON grants (user_id, role, COALESCE(organisation_id, 0), COALESCE(department_id, 0), COALESCE(round_id, 0));
