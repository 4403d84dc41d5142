-- Records imported from an archive exported elsewhere: where the record
-- came from, and for each sign-off made there, who signed it off there.
-- An imported sign-off's signed_by is the training officer who imported
-- the record and so accepted it.
ALTER TABLE trainees ADD COLUMN imported_from TEXT NOT NULL DEFAULT '';
ALTER TABLE sign_offs ADD COLUMN imported_from TEXT NOT NULL DEFAULT '';
