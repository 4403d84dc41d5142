-- Forecast scenarios: a group's assumptions saved by name. assumptions
-- is the workforce package's Assumptions as JSON.
CREATE TABLE workforce_scenarios (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (name <> ''),
    region      TEXT NOT NULL DEFAULT '',
    specialism  TEXT NOT NULL DEFAULT '',
    assumptions TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL
);
