-- Each hcs process keeps the signed-in people it has looked up
-- (principals.go). Any change to sessions, accounts or grants tells every
-- process to forget them (NOTIFY hcs_principals, sent at commit), and
-- marks the transaction, so that the process that made the change forgets
-- at once, before it answers (the hcs.principals_changed setting, read
-- with the COMMIT). Statement triggers fire for cascaded changes too.
CREATE FUNCTION hcs_principals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('hcs.principals_changed', 'yes', true);
    PERFORM pg_notify('hcs_principals', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_principals_changed AFTER UPDATE OR DELETE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION hcs_principals_changed();
CREATE TRIGGER users_principals_changed AFTER UPDATE OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION hcs_principals_changed();
CREATE TRIGGER grants_principals_changed AFTER INSERT OR UPDATE OR DELETE ON grants
    FOR EACH STATEMENT EXECUTE FUNCTION hcs_principals_changed();
