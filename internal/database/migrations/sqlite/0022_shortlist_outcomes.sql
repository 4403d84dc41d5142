-- Shortlisting outcomes: a round may allocate interviews per post, with a
-- reserve list. The outcomes are published once, when shortlisting has
-- closed; a reserve promoted when an interview place frees keeps its
-- reserve place and the time it was promoted.
ALTER TABLE rounds ADD COLUMN interviews_per_place INTEGER NOT NULL DEFAULT 0 CHECK (interviews_per_place BETWEEN 0 AND 20);
ALTER TABLE rounds ADD COLUMN reserves_per_place INTEGER NOT NULL DEFAULT 0 CHECK (reserves_per_place BETWEEN 0 AND 50);
ALTER TABLE rounds ADD COLUMN shortlist_published_at TIMESTAMP;
CREATE TABLE shortlist_outcomes (
    application_id INTEGER PRIMARY KEY REFERENCES applications (id),
    round_id       INTEGER NOT NULL REFERENCES rounds (id),
    specialism     TEXT NOT NULL,
    score          INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    outcome        TEXT NOT NULL CHECK (outcome IN ('interview', 'reserve', 'unsuccessful')),
    position       INTEGER NOT NULL CHECK (position >= 0),
    reserve_place  INTEGER CHECK (reserve_place >= 1),
    decided_by     TEXT NOT NULL,
    interviews     INTEGER NOT NULL CHECK (interviews >= 0),
    reserves       INTEGER NOT NULL CHECK (reserves >= 0),
    published_at   TIMESTAMP NOT NULL,
    promoted_at    TIMESTAMP,
    CHECK (promoted_at IS NULL OR (outcome = 'interview' AND reserve_place IS NOT NULL))
);
CREATE INDEX shortlist_outcomes_round ON shortlist_outcomes (round_id, specialism);
-- A reserve place is held by one application in its specialism.
CREATE UNIQUE INDEX shortlist_outcomes_reserve ON shortlist_outcomes (round_id, specialism, reserve_place);
