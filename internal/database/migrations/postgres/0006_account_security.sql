-- Sign-in limits: one counter per key (an account's email hash, or an
-- address), counted before a password is checked so that parallel
-- attempts cannot pass the limit together.
DROP TABLE sign_in_attempts;
CREATE TABLE sign_in_limits (
    key          TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    attempts     INTEGER NOT NULL CHECK (attempts >= 0)
);

-- A new account waits here until its email address is confirmed, so that
-- signing up never reveals whether an address already has an account.
CREATE TABLE sign_up_requests (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    used_at       TIMESTAMPTZ
);
CREATE INDEX sign_up_requests_email ON sign_up_requests (email);
CREATE INDEX password_resets_user ON password_resets (user_id);
CREATE INDEX outbox_recipient ON outbox (recipient, created_at);

-- The audit log stays append-only, except that erasing a person blanks
-- the addresses they acted from.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.address = ''
        AND (NEW.id, NEW.at, NEW.actor_id, NEW.process, NEW.action, NEW.record_type, NEW.record_id, NEW.detail)
            IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor_id, OLD.process, OLD.action, OLD.record_type, OLD.record_id, OLD.detail) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only; erasure may only blank an address';
END;
$$;
