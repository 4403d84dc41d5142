-- Conditional offers: an accepted offer waits on six pre-employment
-- checks, becomes unconditional when all pass and is withdrawn, with a
-- reason its applicant reads, when one fails.
ALTER TABLE offers DROP CONSTRAINT offers_status_check;
ALTER TABLE offers ADD CONSTRAINT offers_status_check
    CHECK (status IN ('offered', 'held', 'accepted', 'unconditional', 'declined', 'expired', 'withdrawn', 'superseded'));
ALTER TABLE offers ADD COLUMN reason TEXT NOT NULL DEFAULT '';
-- Only a withdrawn offer has a reason (erasure blanks it).
ALTER TABLE offers ADD CONSTRAINT offers_withdrawn_reason CHECK (status = 'withdrawn' OR reason = '');
DROP INDEX offers_live_seat;
DROP INDEX offers_live_application;
CREATE UNIQUE INDEX offers_live_seat ON offers (post_id, seat) WHERE status IN ('offered', 'held', 'accepted', 'unconditional');
CREATE UNIQUE INDEX offers_live_application ON offers (application_id) WHERE status IN ('offered', 'held', 'accepted', 'unconditional');
CREATE INDEX offers_post ON offers (post_id);

-- One row per check recorded; a check never recorded is not started.
CREATE TABLE offer_checks (
    offer_id   BIGINT NOT NULL REFERENCES offers (id),
    kind       TEXT NOT NULL CHECK (kind IN ('identity', 'right_to_work', 'registration', 'references', 'dbs', 'health')),
    status     TEXT NOT NULL CHECK (
        (kind = 'references' AND status IN ('not_started', 'in_progress', 'success', 'refused', 'indeterminate', 'fail'))
        OR (kind <> 'references' AND status IN ('not_started', 'in_progress', 'passed', 'failed'))),
    next_actor TEXT NOT NULL CHECK (next_actor IN ('applicant', 'employer', 'third_party', 'nobody')),
    note       TEXT NOT NULL DEFAULT '',
    changed_at TIMESTAMPTZ NOT NULL,
    changed_by BIGINT REFERENCES users (id),
    PRIMARY KEY (offer_id, kind)
);
