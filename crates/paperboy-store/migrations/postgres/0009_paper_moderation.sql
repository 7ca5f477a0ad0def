-- Papers moderators hid (spam, off-topic, withdrawn): left out of the daily lists,
-- trending and their feeds; the paper page says why.
CREATE TABLE paper_moderation (
    paper_id      TEXT COLLATE "C" PRIMARY KEY NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    hidden_reason TEXT COLLATE "C" NOT NULL,
    hidden_by     TEXT COLLATE "C",
    hidden_ms     BIGINT NOT NULL
);
