-- Each hcs process keeps the signed-in people it has looked up
-- (principals.go). Any change to sessions, accounts or grants tells every
-- process to forget them (NOTIFY hcs_principals, sent at commit), and
-- marks the transaction, so that the process that made the change forgets
-- at once, before it answers (the hcs.principals_changed setting, read
-- with the COMMIT). A statement that changes no row tells no one, so a
-- sign-out with an unknown cookie cannot empty every process's cache.
CREATE FUNCTION hcs_principals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        PERFORM set_config('hcs.principals_changed', 'yes', true);
        PERFORM pg_notify('hcs_principals', '');
    END IF;
    RETURN NULL;
END
$$;

-- TRUNCATE has no transition table: its own function.
CREATE FUNCTION hcs_principals_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('hcs.principals_changed', 'yes', true);
    PERFORM pg_notify('hcs_principals', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_updated AFTER UPDATE ON sessions REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION hcs_principals_changed();
CREATE TRIGGER sessions_deleted AFTER DELETE ON sessions REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION hcs_principals_changed();
CREATE TRIGGER sessions_truncated AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION hcs_principals_truncated();

CREATE TRIGGER users_updated AFTER UPDATE ON users REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION hcs_principals_changed();
CREATE TRIGGER users_deleted AFTER DELETE ON users REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION hcs_principals_changed();
CREATE TRIGGER users_truncated AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION hcs_principals_truncated();

CREATE TRIGGER grants_inserted AFTER INSERT ON grants REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION hcs_principals_changed();
CREATE TRIGGER grants_updated AFTER UPDATE ON grants REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION hcs_principals_changed();
CREATE TRIGGER grants_deleted AFTER DELETE ON grants REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION hcs_principals_changed();
CREATE TRIGGER grants_truncated AFTER TRUNCATE ON grants
    FOR EACH STATEMENT EXECUTE FUNCTION hcs_principals_truncated();
