-- PostgreSQL's migration 0023 adds the triggers that tell hcs processes
-- to forget the signed-in people they keep. On SQLite nothing is kept (a
-- session check is a read in the process, not a round trip), so there is
-- nothing to add; this file keeps the two schemas' versions in step.
SELECT 1;
