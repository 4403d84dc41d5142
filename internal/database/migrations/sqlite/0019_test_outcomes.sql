-- Whether a round's online test score breaks ties in its national rank,
-- after the interview and shortlisting scores and before the lottery.
ALTER TABLE rounds ADD COLUMN test_tie_break INTEGER NOT NULL DEFAULT 0 CHECK (test_tie_break IN (0, 1));

-- Scores are kept in hundredths of a point, as the column now says (the
-- applicant's data export shows it).
ALTER TABLE test_scores RENAME COLUMN score TO score_hundredths;

-- The outcomes as published: fixed then, whatever happens to the round
-- afterwards (a withdrawal moves no one's cut). Scores in hundredths.
CREATE TABLE test_outcomes (
    application_id   INTEGER PRIMARY KEY REFERENCES applications (id),
    round_id         INTEGER NOT NULL REFERENCES rounds (id),
    score_hundredths INTEGER CHECK (score_hundredths BETWEEN 0 AND 100000),
    cut_hundredths   INTEGER CHECK (cut_hundredths BETWEEN 0 AND 100000),
    goes_on          INTEGER NOT NULL CHECK (goes_on IN (0, 1)),
    reason           TEXT NOT NULL,
    published_at     TIMESTAMP NOT NULL
);
CREATE INDEX test_outcomes_round ON test_outcomes (round_id);
