-- National recruitment: rounds, posts, applications, scoring, preferences
-- and offers.
CREATE TABLE rounds (
    id                 INTEGER PRIMARY KEY,
    programme          TEXT NOT NULL,
    name               TEXT NOT NULL UNIQUE,
    applications_open  TIMESTAMP NOT NULL,
    shortlisting_open  TIMESTAMP NOT NULL,
    interviews_open    TIMESTAMP NOT NULL,
    preferences_open   TIMESTAMP NOT NULL,
    offers_open        TIMESTAMP NOT NULL,
    start_date         TIMESTAMP NOT NULL,
    tie_break_seed     TEXT NOT NULL,
    score_margin       INTEGER NOT NULL,
    shortlist_weight   INTEGER NOT NULL,
    interview_weight   INTEGER NOT NULL,
    offer_working_days INTEGER NOT NULL,
    matched_at         TIMESTAMP,
    created_at         TIMESTAMP NOT NULL
);

CREATE TABLE posts (
    id              INTEGER PRIMARY KEY,
    round_id        INTEGER NOT NULL REFERENCES rounds (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    specialism      TEXT NOT NULL,
    site            TEXT NOT NULL,
    region          TEXT NOT NULL,
    places          INTEGER NOT NULL CHECK (places >= 0),
    contact         TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX posts_round ON posts (round_id, specialism);

CREATE TABLE profiles (
    user_id        INTEGER PRIMARY KEY REFERENCES users (id),
    credentials    TEXT NOT NULL,
    qualifications TEXT NOT NULL,
    right_to_work  INTEGER NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);

CREATE TABLE applications (
    id              INTEGER PRIMARY KEY,
    round_id        INTEGER NOT NULL REFERENCES rounds (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    specialism      TEXT NOT NULL,
    statement       TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    shortlist_score INTEGER,
    interview_score INTEGER,
    national_rank   INTEGER,
    decided_by      TEXT NOT NULL DEFAULT '',
    UNIQUE (round_id, user_id)
);

CREATE TABLE reviews (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    reviewer_id    INTEGER NOT NULL REFERENCES users (id),
    score          INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (application_id, reviewer_id)
);

CREATE TABLE moderations (
    application_id INTEGER PRIMARY KEY REFERENCES applications (id),
    moderator_id   INTEGER NOT NULL REFERENCES users (id),
    score          INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE interview_scores (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    station        TEXT NOT NULL,
    score          INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    assessor_id    INTEGER NOT NULL REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (application_id, station)
);

CREATE TABLE preferences (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    post_id        INTEGER NOT NULL REFERENCES posts (id),
    rank           INTEGER NOT NULL,
    UNIQUE (application_id, post_id),
    UNIQUE (application_id, rank)
);

CREATE TABLE offers (
    id             INTEGER PRIMARY KEY,
    round_id       INTEGER NOT NULL REFERENCES rounds (id),
    application_id INTEGER NOT NULL REFERENCES applications (id),
    post_id        INTEGER NOT NULL REFERENCES posts (id),
    status         TEXT NOT NULL CHECK (status IN ('offered', 'held', 'accepted', 'declined', 'expired', 'superseded')),
    deadline       TIMESTAMP NOT NULL,
    upgrades       INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL,
    answered_at    TIMESTAMP
);
CREATE INDEX offers_round ON offers (round_id, status);
