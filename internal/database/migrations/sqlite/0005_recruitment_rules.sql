-- Recruitment's rules held by the schema. Reviewers are appointed to a
-- round and assigned applications in two slots; a review fills its
-- assignment's slot, so an application has at most two. Interview stations
-- belong to the round; each is scored once per application, and each
-- assessor scores one station of an application. Each live offer holds one
-- seat of its post, and an application holds at most one live offer.
-- System processes (the offer expiry, the cascade) are named in the audit
-- log. SQLite cannot add constraints to a table, so reviews and
-- interview_scores are rebuilt; nothing refers to them.
ALTER TABLE audit_log ADD COLUMN process TEXT NOT NULL DEFAULT '';

ALTER TABLE rounds ADD COLUMN shortlist_criteria TEXT NOT NULL DEFAULT '';
ALTER TABLE rounds ADD COLUMN shortlist_pass_mark INTEGER NOT NULL DEFAULT 0 CHECK (shortlist_pass_mark BETWEEN 0 AND 100);
ALTER TABLE rounds ADD COLUMN employer_ranking INTEGER NOT NULL DEFAULT 0;

CREATE TABLE round_stations (
    id       INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    name     TEXT NOT NULL,
    weight   INTEGER NOT NULL CHECK (weight BETWEEN 1 AND 10),
    UNIQUE (round_id, name)
);

ALTER TABLE posts ADD COLUMN status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'withdrawn'));

-- Profiles: structured qualifications (JSON) in place of a list of
-- credential ids; the old free text stays as notes.
ALTER TABLE profiles RENAME COLUMN qualifications TO notes;
ALTER TABLE profiles ADD COLUMN qualifications TEXT NOT NULL DEFAULT '[]';
ALTER TABLE profiles ADD COLUMN registrations TEXT NOT NULL DEFAULT '[]';
ALTER TABLE profiles ADD COLUMN employer_id INTEGER REFERENCES organisations (id);
WITH RECURSIVE split (user_id, credential, rest) AS (
    SELECT user_id, '', credentials || ',' FROM profiles
    UNION ALL
    SELECT user_id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1) FROM split WHERE rest <> ''
)
UPDATE profiles SET qualifications = COALESCE((
    SELECT json_group_array(json_object('credential', credential, 'subject', '', 'grade', '', 'year', 0))
    FROM split WHERE split.user_id = profiles.user_id AND credential <> '' HAVING COUNT(*) > 0), '[]');
ALTER TABLE profiles DROP COLUMN credentials;

-- An application keeps the profile it was made with: reviewers score what
-- was submitted, not what the applicant has changed since.
ALTER TABLE applications ADD COLUMN submitted TEXT NOT NULL DEFAULT '{}';
UPDATE applications SET submitted = COALESCE((
    SELECT json_object('qualifications', json(p.qualifications), 'registrations', json(p.registrations), 'notes', p.notes,
        'employer_id', COALESCE(p.employer_id, 0))
    FROM profiles p WHERE p.user_id = applications.user_id), '{}');

CREATE TABLE reviewers (
    round_id        INTEGER NOT NULL REFERENCES rounds (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    organisation_id INTEGER REFERENCES organisations (id),
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (round_id, user_id)
);

CREATE TABLE review_assignments (
    application_id INTEGER NOT NULL REFERENCES applications (id),
    reviewer_id    INTEGER NOT NULL REFERENCES users (id),
    slot           INTEGER NOT NULL CHECK (slot IN (1, 2)),
    created_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (application_id, slot),
    UNIQUE (application_id, reviewer_id),
    UNIQUE (application_id, reviewer_id, slot)
);
CREATE INDEX review_assignments_reviewer ON review_assignments (reviewer_id);

-- Reviews made before assignments existed are carried over as
-- assignments in the order they were made.
CREATE TABLE reviews_slotted (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    reviewer_id    INTEGER NOT NULL REFERENCES users (id),
    slot           INTEGER NOT NULL,
    score          INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (application_id, reviewer_id),
    UNIQUE (application_id, slot),
    FOREIGN KEY (application_id, reviewer_id, slot) REFERENCES review_assignments (application_id, reviewer_id, slot)
);
INSERT INTO review_assignments (application_id, reviewer_id, slot, created_at)
    SELECT application_id, reviewer_id, (SELECT COUNT(*) FROM reviews r2 WHERE r2.application_id = r.application_id AND r2.id <= r.id), created_at
    FROM reviews r;
INSERT INTO reviews_slotted (id, application_id, reviewer_id, slot, score, created_at)
    SELECT id, application_id, reviewer_id, (SELECT COUNT(*) FROM reviews r2 WHERE r2.application_id = r.application_id AND r2.id <= r.id), score, created_at
    FROM reviews r;
DROP TABLE reviews;
ALTER TABLE reviews_slotted RENAME TO reviews;

-- Interview scores name one of the round's stations.
INSERT INTO round_stations (round_id, name, weight)
    SELECT DISTINCT a.round_id, i.station, 1 FROM interview_scores i JOIN applications a ON a.id = i.application_id;
CREATE TABLE interview_scores_by_station (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    station_id     INTEGER NOT NULL REFERENCES round_stations (id),
    score          INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    assessor_id    INTEGER NOT NULL REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (application_id, station_id),
    UNIQUE (application_id, assessor_id)
);
INSERT INTO interview_scores_by_station (id, application_id, station_id, score, assessor_id, created_at)
    SELECT i.id, i.application_id, s.id, i.score, i.assessor_id, i.created_at
    FROM interview_scores i JOIN applications a ON a.id = i.application_id JOIN round_stations s ON s.round_id = a.round_id AND s.name = i.station;
DROP TABLE interview_scores;
ALTER TABLE interview_scores_by_station RENAME TO interview_scores;

-- Offers: live offers hold distinct seats of their post; an application
-- holds one live offer at most.
ALTER TABLE offers ADD COLUMN seat INTEGER NOT NULL DEFAULT 1 CHECK (seat >= 1);
UPDATE offers SET seat = (SELECT n.seat FROM (
    SELECT id, ROW_NUMBER() OVER (PARTITION BY post_id ORDER BY id) AS seat
    FROM offers WHERE status IN ('offered', 'held', 'accepted')) n WHERE n.id = offers.id)
    WHERE status IN ('offered', 'held', 'accepted');
CREATE UNIQUE INDEX offers_live_seat ON offers (post_id, seat) WHERE status IN ('offered', 'held', 'accepted');
CREATE UNIQUE INDEX offers_live_application ON offers (application_id) WHERE status IN ('offered', 'held', 'accepted');
CREATE INDEX offers_application ON offers (application_id);
CREATE INDEX applications_round ON applications (round_id, specialism);
