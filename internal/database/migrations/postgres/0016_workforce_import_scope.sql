-- The employer an import was made for, when an employer made it: it
-- sees its own imports only. NULL for the national workforce team's.
ALTER TABLE workforce_imports ADD COLUMN organisation_id BIGINT REFERENCES organisations (id);
