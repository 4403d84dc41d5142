-- The training certificate a member of staff holds, as the extract
-- records it: the id of a completion certificate hcs issued (its
-- address's last part), or '' for none. Read back as a qualification.
ALTER TABLE workforce_assignments ADD COLUMN training_certificate TEXT NOT NULL DEFAULT '';
