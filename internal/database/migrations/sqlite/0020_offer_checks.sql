-- Conditional offers: an accepted offer waits on six pre-employment
-- checks, becomes unconditional when all pass and is withdrawn, with a
-- reason its applicant reads, when one fails. Both new statuses need the
-- status check widened, which SQLite does by rebuilding the table: a copy
-- of the rows, the table dropped and made again, the rows put back.
-- Trainees refer to offers; with the checks deferred to the commit, the
-- rows put back satisfy them again.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE offers_copy AS SELECT * FROM offers;
DROP TABLE offers;
CREATE TABLE offers (
    id             INTEGER PRIMARY KEY,
    round_id       INTEGER NOT NULL REFERENCES rounds (id),
    application_id INTEGER NOT NULL REFERENCES applications (id),
    post_id        INTEGER NOT NULL REFERENCES posts (id),
    status         TEXT NOT NULL CHECK (status IN ('offered', 'held', 'accepted', 'unconditional', 'declined', 'expired', 'withdrawn', 'superseded')),
    deadline       TIMESTAMP NOT NULL,
    upgrades       INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL,
    answered_at    TIMESTAMP,
    seat           INTEGER NOT NULL DEFAULT 1 CHECK (seat >= 1),
    reason         TEXT NOT NULL DEFAULT '',
    CHECK (status = 'withdrawn' OR reason = '')
);
INSERT INTO offers (id, round_id, application_id, post_id, status, deadline, upgrades, created_at, answered_at, seat)
    SELECT id, round_id, application_id, post_id, status, deadline, upgrades, created_at, answered_at, seat FROM offers_copy;
DROP TABLE offers_copy;
CREATE INDEX offers_round ON offers (round_id, status);
CREATE UNIQUE INDEX offers_live_seat ON offers (post_id, seat) WHERE status IN ('offered', 'held', 'accepted', 'unconditional');
CREATE UNIQUE INDEX offers_live_application ON offers (application_id) WHERE status IN ('offered', 'held', 'accepted', 'unconditional');
CREATE INDEX offers_application ON offers (application_id);
CREATE INDEX offers_post ON offers (post_id);

-- One row per check recorded; a check never recorded is not started.
CREATE TABLE offer_checks (
    offer_id   INTEGER NOT NULL REFERENCES offers (id),
    kind       TEXT NOT NULL CHECK (kind IN ('identity', 'right_to_work', 'registration', 'references', 'dbs', 'health')),
    status     TEXT NOT NULL CHECK (
        (kind = 'references' AND status IN ('not_started', 'in_progress', 'success', 'refused', 'indeterminate', 'fail'))
        OR (kind <> 'references' AND status IN ('not_started', 'in_progress', 'passed', 'failed'))),
    next_actor TEXT NOT NULL CHECK (next_actor IN ('applicant', 'employer', 'third_party', 'nobody')),
    note       TEXT NOT NULL DEFAULT '',
    changed_at TIMESTAMP NOT NULL,
    changed_by INTEGER REFERENCES users (id),
    PRIMARY KEY (offer_id, kind)
);
