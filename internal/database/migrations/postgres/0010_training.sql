-- Training to registration: trainees' records, the changes that move their
-- expected end, e-portfolio evidence, assessor invitations, sign-offs,
-- progress reviews and records. Every write locks the trainee's row
-- first; the constraints below hold what must never happen whatever a
-- rule says.
CREATE TABLE trainees (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id             BIGINT NOT NULL REFERENCES users (id),
    offer_id            BIGINT UNIQUE REFERENCES offers (id),
    programme           TEXT NOT NULL,
    specialism          TEXT NOT NULL,
    curriculum          TEXT NOT NULL,
    organisation_id     BIGINT NOT NULL REFERENCES organisations (id),
    department_id       BIGINT NOT NULL,
    training_officer_id BIGINT NOT NULL REFERENCES users (id),
    start_date          TEXT NOT NULL,
    expected_end        TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('pending', 'active', 'completed', 'left')),
    confirmed_at        TIMESTAMPTZ,
    completed_at        TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (department_id, organisation_id) REFERENCES departments (id, organisation_id)
);
CREATE INDEX trainees_user ON trainees (user_id);
CREATE INDEX trainees_department ON trainees (organisation_id, department_id);
CREATE INDEX trainees_training_officer ON trainees (training_officer_id);

CREATE TABLE trainee_supervisors (
    trainee_id BIGINT NOT NULL REFERENCES trainees (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (trainee_id, user_id)
);
CREATE INDEX trainee_supervisors_user ON trainee_supervisors (user_id);

CREATE TABLE training_changes (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trainee_id       BIGINT NOT NULL REFERENCES trainees (id),
    kind             TEXT NOT NULL CHECK (kind IN ('time-out', 'part-time', 'transfer')),
    from_date        TEXT NOT NULL,
    to_date          TEXT NOT NULL,
    percent          INTEGER NOT NULL DEFAULT 0,
    to_department_id BIGINT REFERENCES departments (id),
    reason           TEXT NOT NULL,
    recorded_by      BIGINT REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX training_changes_trainee ON training_changes (trainee_id);

CREATE TABLE evidence (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trainee_id     BIGINT NOT NULL REFERENCES trainees (id),
    kind           TEXT NOT NULL CHECK (kind IN ('cbd', 'dops', 'oce', 'reflection', 'rotation', 'msf')),
    module         TEXT NOT NULL,
    competencies   TEXT NOT NULL,
    title          TEXT NOT NULL,
    occurred_on    TEXT NOT NULL,
    body           TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'awaiting-assessor', 'assessed')),
    shared         INTEGER NOT NULL DEFAULT 0,
    assessor_name  TEXT NOT NULL DEFAULT '',
    assessor_email TEXT NOT NULL DEFAULT '',
    judgement      TEXT NOT NULL DEFAULT '',
    feedback       TEXT NOT NULL DEFAULT '',
    assessed_at    TIMESTAMPTZ,
    submitted_at   TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX evidence_trainee ON evidence (trainee_id);
-- Assessments waiting for their assessor, for the oldest one's age.
CREATE INDEX evidence_awaiting ON evidence (trainee_id, submitted_at) WHERE status = 'awaiting-assessor';

-- Each trainee's evidence counted by module, as the training rules count
-- it (entries the supervisors see, entries that count towards sign-off,
-- satisfactory assessments by kind): the service adds each change to an
-- entry here in the same transaction, so that the national school's
-- overview of every trainee reads a row per module instead of every entry.
CREATE TABLE evidence_tallies (
    trainee_id BIGINT NOT NULL REFERENCES trainees (id),
    module     TEXT NOT NULL,
    visible    INTEGER NOT NULL CHECK (visible >= 0),
    counting   INTEGER NOT NULL CHECK (counting >= 0),
    cbd        INTEGER NOT NULL CHECK (cbd >= 0),
    dops       INTEGER NOT NULL CHECK (dops >= 0),
    oce        INTEGER NOT NULL CHECK (oce >= 0),
    PRIMARY KEY (trainee_id, module)
);

CREATE TABLE sign_offs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trainee_id    BIGINT NOT NULL REFERENCES trainees (id),
    module        TEXT NOT NULL,
    competency    TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('signed', 'reopened')),
    signed_by     BIGINT NOT NULL REFERENCES users (id),
    signed_at     TIMESTAMPTZ NOT NULL,
    reopened_by   BIGINT REFERENCES users (id),
    reopened_at   TIMESTAMPTZ,
    reopen_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (trainee_id, module, competency)
);

CREATE TABLE training_reviews (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trainee_id  BIGINT NOT NULL REFERENCES trainees (id),
    review      TEXT NOT NULL,
    month       INTEGER NOT NULL,
    held_on     TEXT NOT NULL,
    met         INTEGER NOT NULL,
    missing     TEXT NOT NULL,
    outcome     INTEGER NOT NULL DEFAULT 0,
    panel       TEXT NOT NULL,
    notes       TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (trainee_id, review, month)
);

CREATE TABLE training_records (
    trainee_id  BIGINT NOT NULL REFERENCES trainees (id),
    name        TEXT NOT NULL,
    recorded_on TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (trainee_id, name)
);

CREATE TABLE assessor_invitations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    evidence_id BIGINT NOT NULL REFERENCES evidence (id),
    trainee_id  BIGINT NOT NULL REFERENCES trainees (id),
    email       TEXT NOT NULL,
    name        TEXT NOT NULL,
    token_hash  TEXT UNIQUE,
    status      TEXT NOT NULL CHECK (status IN ('awaiting-approval', 'sent', 'used', 'cancelled')),
    expires_at  TIMESTAMPTZ NOT NULL,
    approved_by BIGINT REFERENCES users (id),
    used_at     TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL
);
-- One live invitation per assessment.
CREATE UNIQUE INDEX assessor_invitations_live ON assessor_invitations (evidence_id) WHERE status IN ('awaiting-approval', 'sent');
CREATE INDEX assessor_invitations_trainee ON assessor_invitations (trainee_id);

CREATE TABLE approved_assessors (
    department_id BIGINT NOT NULL REFERENCES departments (id),
    email         TEXT NOT NULL,
    approved_by   BIGINT REFERENCES users (id),
    approved_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (department_id, email)
);

-- The two new roles carry the scope fields they need: a supervisor's grant
-- names a department (and, as every department grant does, its
-- organisation); a trainee's is national.
ALTER TABLE grants ADD CONSTRAINT grants_supervisor_scope
    CHECK (role <> 'supervisor' OR (department_id IS NOT NULL AND round_id IS NULL));
ALTER TABLE grants ADD CONSTRAINT grants_trainee_scope
    CHECK (role <> 'trainee' OR (organisation_id IS NULL AND department_id IS NULL AND round_id IS NULL));
