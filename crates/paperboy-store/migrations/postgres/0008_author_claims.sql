-- Readers claim to be an author of a paper (one of its author entries, by
-- position); a moderator verifies or rejects the claim. Verified authors show on
-- the paper and their profile, wear a badge in its comments, and may set its code
-- and project links.
CREATE TABLE author_claims (
    paper_id     TEXT COLLATE "C" NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    author_index BIGINT NOT NULL,               -- position in the paper's author list, from 0
    user_id      TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status       TEXT COLLATE "C" NOT NULL,                 -- pending | verified | rejected
    created_ms   BIGINT NOT NULL,
    decided_by   TEXT COLLATE "C",
    decided_ms   BIGINT,
    PRIMARY KEY (paper_id, author_index)
);
CREATE INDEX author_claims_user ON author_claims (user_id, status);
