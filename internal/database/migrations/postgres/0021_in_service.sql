-- The in-service route: posts an employer fills from its own staff, and
-- the employees it nominates for them.
ALTER TABLE posts ADD COLUMN in_service INTEGER NOT NULL DEFAULT 0 CHECK (in_service IN (0, 1));
CREATE TABLE nominations (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id        BIGINT NOT NULL REFERENCES rounds (id),
    post_id         BIGINT NOT NULL REFERENCES posts (id),
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    user_id         BIGINT NOT NULL REFERENCES users (id),
    nominated_by    BIGINT REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (round_id, user_id)
);
CREATE INDEX nominations_post ON nominations (post_id);
