-- Sign-in limits: one counter per key (an account's email hash, or an
-- address), counted before a password is checked so that parallel
-- attempts cannot pass the limit together.
DROP TABLE sign_in_attempts;
CREATE TABLE sign_in_limits (
    key          TEXT PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    attempts     INTEGER NOT NULL CHECK (attempts >= 0)
);

-- A new account waits here until its email address is confirmed, so that
-- signing up never reveals whether an address already has an account.
CREATE TABLE sign_up_requests (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    used_at       TIMESTAMP
);
CREATE INDEX sign_up_requests_email ON sign_up_requests (email);
CREATE INDEX password_resets_user ON password_resets (user_id);
CREATE INDEX outbox_recipient ON outbox (recipient, created_at);

-- The audit log stays append-only, except that erasing a person blanks
-- the addresses they acted from.
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.actor_id IS NOT OLD.actor_id
    OR NEW.process IS NOT OLD.process OR NEW.action IS NOT OLD.action OR NEW.record_type IS NOT OLD.record_type
    OR NEW.record_id IS NOT OLD.record_id OR NEW.detail IS NOT OLD.detail OR NEW.address <> ''
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only; erasure may only blank an address');
END;
