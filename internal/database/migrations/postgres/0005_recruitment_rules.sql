-- Recruitment's rules held by the schema. Reviewers are appointed to a
-- round and assigned applications in two slots; a review fills its
-- assignment's slot, so an application has at most two. Interview stations
-- belong to the round; each is scored once per application, and each
-- assessor scores one station of an application. Each live offer holds one
-- seat of its post, and an application holds at most one live offer.
-- System processes (the offer expiry, the cascade) are named in the audit
-- log.
ALTER TABLE audit_log ADD COLUMN process TEXT NOT NULL DEFAULT '';

ALTER TABLE rounds ADD COLUMN shortlist_criteria TEXT NOT NULL DEFAULT '';
ALTER TABLE rounds ADD COLUMN shortlist_pass_mark INTEGER NOT NULL DEFAULT 0 CHECK (shortlist_pass_mark BETWEEN 0 AND 100);
ALTER TABLE rounds ADD COLUMN employer_ranking INTEGER NOT NULL DEFAULT 0;

CREATE TABLE round_stations (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds (id),
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
ALTER TABLE profiles ADD COLUMN employer_id BIGINT REFERENCES organisations (id);
UPDATE profiles SET qualifications = COALESCE((
    SELECT json_agg(json_build_object('credential', c, 'subject', '', 'grade', '', 'year', 0))::text
    FROM unnest(string_to_array(credentials, ',')) AS c WHERE c <> ''), '[]');
ALTER TABLE profiles DROP COLUMN credentials;

-- An application keeps the profile it was made with: reviewers score what
-- was submitted, not what the applicant has changed since.
ALTER TABLE applications ADD COLUMN submitted TEXT NOT NULL DEFAULT '{}';
UPDATE applications SET submitted = COALESCE((
    SELECT json_build_object('qualifications', p.qualifications::json, 'registrations', p.registrations::json, 'notes', p.notes,
        'employer_id', COALESCE(p.employer_id, 0))::text
    FROM profiles p WHERE p.user_id = applications.user_id), '{}');

CREATE TABLE reviewers (
    round_id        BIGINT NOT NULL REFERENCES rounds (id),
    user_id         BIGINT NOT NULL REFERENCES users (id),
    organisation_id BIGINT REFERENCES organisations (id),
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (round_id, user_id)
);

CREATE TABLE review_assignments (
    application_id BIGINT NOT NULL REFERENCES applications (id),
    reviewer_id    BIGINT NOT NULL REFERENCES users (id),
    slot           INTEGER NOT NULL CHECK (slot IN (1, 2)),
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (application_id, slot),
    UNIQUE (application_id, reviewer_id),
    UNIQUE (application_id, reviewer_id, slot)
);
CREATE INDEX review_assignments_reviewer ON review_assignments (reviewer_id);

-- Reviews made before assignments existed are carried over as
-- assignments in the order they were made.
ALTER TABLE reviews ADD COLUMN slot INTEGER;
UPDATE reviews SET slot = (SELECT COUNT(*) FROM reviews r2 WHERE r2.application_id = reviews.application_id AND r2.id <= reviews.id);
INSERT INTO review_assignments (application_id, reviewer_id, slot, created_at)
    SELECT application_id, reviewer_id, slot, created_at FROM reviews;
ALTER TABLE reviews ALTER COLUMN slot SET NOT NULL;
ALTER TABLE reviews ADD CONSTRAINT reviews_fill_an_assignment
    FOREIGN KEY (application_id, reviewer_id, slot) REFERENCES review_assignments (application_id, reviewer_id, slot);
ALTER TABLE reviews ADD CONSTRAINT reviews_one_per_slot UNIQUE (application_id, slot);

-- Interview scores name one of the round's stations.
INSERT INTO round_stations (round_id, name, weight)
    SELECT DISTINCT a.round_id, i.station, 1 FROM interview_scores i JOIN applications a ON a.id = i.application_id;
ALTER TABLE interview_scores ADD COLUMN station_id BIGINT REFERENCES round_stations (id);
UPDATE interview_scores SET station_id = (SELECT s.id FROM round_stations s JOIN applications a ON a.round_id = s.round_id
    WHERE a.id = interview_scores.application_id AND s.name = interview_scores.station);
ALTER TABLE interview_scores ALTER COLUMN station_id SET NOT NULL;
ALTER TABLE interview_scores DROP COLUMN station;
ALTER TABLE interview_scores ADD CONSTRAINT interview_scores_one_per_station UNIQUE (application_id, station_id);
ALTER TABLE interview_scores ADD CONSTRAINT interview_scores_one_per_assessor UNIQUE (application_id, assessor_id);

-- Offers: live offers hold distinct seats of their post; an application
-- holds one live offer at most.
ALTER TABLE offers ADD COLUMN seat INTEGER NOT NULL DEFAULT 1 CHECK (seat >= 1);
UPDATE offers SET seat = n.seat FROM (
    SELECT id, ROW_NUMBER() OVER (PARTITION BY post_id ORDER BY id) AS seat
    FROM offers WHERE status IN ('offered', 'held', 'accepted')) n WHERE n.id = offers.id;
CREATE UNIQUE INDEX offers_live_seat ON offers (post_id, seat) WHERE status IN ('offered', 'held', 'accepted');
CREATE UNIQUE INDEX offers_live_application ON offers (application_id) WHERE status IN ('offered', 'held', 'accepted');
CREATE INDEX offers_application ON offers (application_id);
CREATE INDEX applications_round ON applications (round_id, specialism);
