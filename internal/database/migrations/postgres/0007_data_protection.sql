-- An applicant can leave recruitment (and does, when their data is
-- erased): their application stays, for the round's counts, but no
-- review, ranking, match or cascade counts it.
ALTER TABLE applications ADD COLUMN withdrawn_at TIMESTAMPTZ;

-- An erased account's address is a pseudonym without @, which no account
-- can sign up with, so nobody can block an erasure by taking it first;
-- and every account that is not erased has an address with @.
UPDATE users SET email = 'erased-' || id WHERE erased_at IS NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_email_shape CHECK ((erased_at IS NULL) = (position('@' in email) > 0));
