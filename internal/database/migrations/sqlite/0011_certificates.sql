-- Completion certificates: each an Open Badges 3.0 credential signed with
-- the issuer's key, with its place in a Bitstring Status List through
-- which it is revoked. The keys that have signed are kept so that the
-- issuer's DID document goes on listing them.
CREATE TABLE issuer_keys (
    public_key TEXT PRIMARY KEY, -- a multikey, z6Mk…
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE certificates (
    id             TEXT PRIMARY KEY, -- a UUID, in the certificate's address
    trainee_id     INTEGER NOT NULL REFERENCES trainees (id),
    award          TEXT NOT NULL,
    status_list    INTEGER NOT NULL CHECK (status_list >= 1),
    status_index   INTEGER NOT NULL CHECK (status_index >= 0 AND status_index < 131072),
    credential     TEXT NOT NULL,
    issued_at      TIMESTAMP NOT NULL,
    issued_by      INTEGER REFERENCES users (id),
    revoked_at     TIMESTAMP,
    revoked_by     INTEGER REFERENCES users (id),
    revoked_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (status_list, status_index)
);
-- One certificate in force per trainee.
CREATE UNIQUE INDEX certificates_live ON certificates (trainee_id) WHERE revoked_at IS NULL;
CREATE INDEX certificates_revoked ON certificates (status_list) WHERE revoked_at IS NOT NULL;
