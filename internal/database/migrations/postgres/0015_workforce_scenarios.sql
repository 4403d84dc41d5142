-- Forecast scenarios: a group's assumptions saved by name. assumptions
-- is the workforce package's Assumptions as JSON.
CREATE TABLE workforce_scenarios (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL CHECK (name <> ''),
    region      TEXT NOT NULL DEFAULT '',
    specialism  TEXT NOT NULL DEFAULT '',
    assumptions TEXT NOT NULL,
    created_by  BIGINT REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL
);
