-- National recruitment: rounds, posts, applications, scoring, preferences
-- and offers.
CREATE TABLE rounds (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme          TEXT NOT NULL,
    name               TEXT NOT NULL UNIQUE,
    applications_open  TIMESTAMPTZ NOT NULL,
    shortlisting_open  TIMESTAMPTZ NOT NULL,
    interviews_open    TIMESTAMPTZ NOT NULL,
    preferences_open   TIMESTAMPTZ NOT NULL,
    offers_open        TIMESTAMPTZ NOT NULL,
    start_date         TIMESTAMPTZ NOT NULL,
    tie_break_seed     TEXT NOT NULL,
    score_margin       INTEGER NOT NULL,
    shortlist_weight   INTEGER NOT NULL,
    interview_weight   INTEGER NOT NULL,
    offer_working_days INTEGER NOT NULL,
    matched_at         TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE posts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id        BIGINT NOT NULL REFERENCES rounds (id),
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    specialism      TEXT NOT NULL,
    site            TEXT NOT NULL,
    region          TEXT NOT NULL,
    places          INTEGER NOT NULL CHECK (places >= 0),
    contact         TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX posts_round ON posts (round_id, specialism);

CREATE TABLE profiles (
    user_id        BIGINT PRIMARY KEY REFERENCES users (id),
    credentials    TEXT NOT NULL,
    qualifications TEXT NOT NULL,
    right_to_work  INTEGER NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE applications (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id        BIGINT NOT NULL REFERENCES rounds (id),
    user_id         BIGINT NOT NULL REFERENCES users (id),
    specialism      TEXT NOT NULL,
    statement       TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    shortlist_score INTEGER,
    interview_score INTEGER,
    national_rank   INTEGER,
    decided_by      TEXT NOT NULL DEFAULT '',
    UNIQUE (round_id, user_id)
);

CREATE TABLE reviews (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    reviewer_id    BIGINT NOT NULL REFERENCES users (id),
    score          INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    created_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (application_id, reviewer_id)
);

CREATE TABLE moderations (
    application_id BIGINT PRIMARY KEY REFERENCES applications (id),
    moderator_id   BIGINT NOT NULL REFERENCES users (id),
    score          INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE interview_scores (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    station        TEXT NOT NULL,
    score          INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    assessor_id    BIGINT NOT NULL REFERENCES users (id),
    created_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (application_id, station)
);

CREATE TABLE preferences (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    post_id        BIGINT NOT NULL REFERENCES posts (id),
    rank           INTEGER NOT NULL,
    UNIQUE (application_id, post_id),
    UNIQUE (application_id, rank)
);

CREATE TABLE offers (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id       BIGINT NOT NULL REFERENCES rounds (id),
    application_id BIGINT NOT NULL REFERENCES applications (id),
    post_id        BIGINT NOT NULL REFERENCES posts (id),
    status         TEXT NOT NULL CHECK (status IN ('offered', 'held', 'accepted', 'declined', 'expired', 'superseded')),
    deadline       TIMESTAMPTZ NOT NULL,
    upgrades       INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ NOT NULL,
    answered_at    TIMESTAMPTZ
);
CREATE INDEX offers_round ON offers (round_id, status);
