-- The online test stage: a round's rule for longlisting by an external
-- test (none, a threshold, or the best scores in each specialism, kept in
-- hundredths), when its outcomes were published, and each application's
-- imported score. A correction replaces a score; the audit log keeps the
-- score it replaced.
ALTER TABLE rounds ADD COLUMN test_rule TEXT NOT NULL DEFAULT '' CHECK (test_rule IN ('', 'threshold', 'top'));
ALTER TABLE rounds ADD COLUMN test_threshold INTEGER NOT NULL DEFAULT 0 CHECK (test_threshold BETWEEN 0 AND 100000);
ALTER TABLE rounds ADD COLUMN test_top INTEGER NOT NULL DEFAULT 0 CHECK (test_top BETWEEN 0 AND 10000);
ALTER TABLE rounds ADD COLUMN test_published_at TIMESTAMPTZ;

CREATE TABLE test_scores (
    application_id BIGINT PRIMARY KEY REFERENCES applications (id),
    round_id       BIGINT NOT NULL REFERENCES rounds (id),
    score          INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100000),
    taken_on       TEXT NOT NULL,
    imported_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX test_scores_round ON test_scores (round_id);
