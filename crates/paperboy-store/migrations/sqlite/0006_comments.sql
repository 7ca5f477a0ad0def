-- Comments on papers, threaded: a reply names its parent. The body is the Markdown
-- as written; pages render it to sanitised HTML when they show it. A comment whose
-- author deleted their account stays, without its author (user_id NULL). Comments
-- are never deleted on their own (only with their paper), so replies keep their
-- parent.
CREATE TABLE comments (
    id            TEXT PRIMARY KEY NOT NULL,
    paper_id      TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    parent_id     TEXT,                  -- the comment replied to (no foreign key: a copy moves rows in id order)
    user_id       TEXT REFERENCES users (id) ON DELETE SET NULL,
    body          TEXT NOT NULL,
    created_ms    BIGINT NOT NULL,
    edited_ms     BIGINT,
    hidden_reason TEXT,                         -- set by a moderator: shown instead of the body
    hidden_by     TEXT,
    deleted_ms    BIGINT                        -- removed by its author: kept as a placeholder for its replies
);
CREATE INDEX comments_paper ON comments (paper_id, created_ms);
CREATE INDEX comments_user ON comments (user_id, created_ms);

-- Visible local comments per paper, kept in step in the comment's transaction.
ALTER TABLE paper_activity ADD COLUMN comments BIGINT NOT NULL DEFAULT 0;
