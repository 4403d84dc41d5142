-- An applicant can leave recruitment (and does, when their data is
-- erased): their application stays, for the round's counts, but no
-- review, ranking, match or cascade counts it.
ALTER TABLE applications ADD COLUMN withdrawn_at TIMESTAMP;

-- An erased account's address is a pseudonym without @, which no account
-- can sign up with, so nobody can block an erasure by taking it first;
-- and every account that is not erased has an address with @.
UPDATE users SET email = 'erased-' || id WHERE erased_at IS NOT NULL;
CREATE TRIGGER users_email_shape_insert BEFORE INSERT ON users
WHEN (NEW.erased_at IS NULL) <> (instr(NEW.email, '@') > 0)
BEGIN
    SELECT RAISE(ABORT, 'an account''s email address holds @ until the account is erased, and not after');
END;
CREATE TRIGGER users_email_shape_update BEFORE UPDATE OF email, erased_at ON users
WHEN (NEW.erased_at IS NULL) <> (instr(NEW.email, '@') > 0)
BEGIN
    SELECT RAISE(ABORT, 'an account''s email address holds @ until the account is erased, and not after');
END;
