-- Files attached to e-portfolio entries: scans of signed forms, photos,
-- reports. The bytes live here, so that a backup carries them; the size
-- and the SHA-256 (hex) are checked when a file is read.
CREATE TABLE evidence_files (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    evidence_id BIGINT NOT NULL REFERENCES evidence (id),
    trainee_id  BIGINT NOT NULL REFERENCES trainees (id),
    name        TEXT NOT NULL CHECK (name <> ''),
    media_type  TEXT NOT NULL CHECK (media_type IN ('application/pdf',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'image/png', 'image/jpeg', 'text/plain')),
    size        BIGINT NOT NULL CHECK (size > 0 AND size <= 10000000),
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    content     BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    CHECK (octet_length(content) = size)
);
CREATE INDEX evidence_files_evidence ON evidence_files (evidence_id);
CREATE INDEX evidence_files_trainee ON evidence_files (trainee_id);
