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

-- A message about a trainee sent to someone else (their training officer,
-- an assessor) names the trainee: erasing the trainee removes it.
ALTER TABLE outbox ADD COLUMN about_user_id INTEGER REFERENCES users (id);
CREATE INDEX outbox_about ON outbox (about_user_id) WHERE about_user_id IS NOT NULL;

-- The audit log stays append-only, except that erasing a person blanks
-- the addresses they acted from and what entries about their training
-- records said (evidence titles, reasons), keeping each entry's action,
-- time and record.
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.actor_id IS NOT OLD.actor_id
    OR NEW.process IS NOT OLD.process OR NEW.action IS NOT OLD.action OR NEW.record_type IS NOT OLD.record_type
    OR NEW.record_id IS NOT OLD.record_id
    OR (NEW.address IS NOT OLD.address AND NEW.address <> '')
    OR (NEW.detail IS NOT OLD.detail AND NEW.detail <> '')
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only; erasure may only blank an address or a detail');
END;
