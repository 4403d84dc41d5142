-- Completion certificates: each an Open Badges 3.0 credential signed with
-- the issuer's key, with its place in a Bitstring Status List through
-- which it is revoked. The keys that have signed are kept so that the
-- issuer's DID document goes on listing them.
CREATE TABLE issuer_keys (
    public_key TEXT PRIMARY KEY, -- a multikey, z6Mk…
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE certificates (
    id             TEXT PRIMARY KEY, -- a UUID, in the certificate's address
    trainee_id     BIGINT NOT NULL REFERENCES trainees (id),
    award          TEXT NOT NULL,
    status_list    INTEGER NOT NULL CHECK (status_list >= 1),
    status_index   INTEGER NOT NULL CHECK (status_index >= 0 AND status_index < 131072),
    credential     TEXT NOT NULL,
    issued_at      TIMESTAMPTZ NOT NULL,
    issued_by      BIGINT REFERENCES users (id),
    revoked_at     TIMESTAMPTZ,
    revoked_by     BIGINT REFERENCES users (id),
    revoked_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (status_list, status_index)
);
-- One certificate in force per trainee.
CREATE UNIQUE INDEX certificates_live ON certificates (trainee_id) WHERE revoked_at IS NULL;
CREATE INDEX certificates_revoked ON certificates (status_list) WHERE revoked_at IS NOT NULL;

-- A message about a trainee sent to someone else (their training officer,
-- an assessor) names the trainee: erasing the trainee removes it.
ALTER TABLE outbox ADD COLUMN about_user_id BIGINT REFERENCES users (id);
CREATE INDEX outbox_about ON outbox (about_user_id) WHERE about_user_id IS NOT NULL;

-- The audit log stays append-only, except that erasing a person blanks
-- the addresses they acted from and what entries about their training
-- records said (evidence titles, reasons), keeping each entry's action,
-- time and record.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND (NEW.id, NEW.at, NEW.actor_id, NEW.process, NEW.action, NEW.record_type, NEW.record_id)
            IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor_id, OLD.process, OLD.action, OLD.record_type, OLD.record_id)
        AND (NEW.address IS NOT DISTINCT FROM OLD.address OR NEW.address = '')
        AND (NEW.detail IS NOT DISTINCT FROM OLD.detail OR NEW.detail = '') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only; erasure may only blank an address or a detail';
END;
$$;
