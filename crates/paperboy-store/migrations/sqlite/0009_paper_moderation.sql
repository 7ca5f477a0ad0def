-- Papers moderators hid (spam, off-topic, withdrawn): left out of the daily lists,
-- trending and their feeds; the paper page says why.
CREATE TABLE paper_moderation (
    paper_id      TEXT PRIMARY KEY NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    hidden_reason TEXT NOT NULL,
    hidden_by     TEXT,
    hidden_ms     BIGINT NOT NULL
);
