-- An employer's own rank order list for a post. When a post has one, it
-- ranks applicants by it (and accepts only those listed) instead of by
-- the national rank.
CREATE TABLE post_rankings (
    post_id        INTEGER NOT NULL REFERENCES posts (id),
    application_id INTEGER NOT NULL REFERENCES applications (id),
    rank           INTEGER NOT NULL,
    PRIMARY KEY (post_id, application_id),
    UNIQUE (post_id, rank)
);
