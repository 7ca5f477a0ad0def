-- paperboy schema, SQLite flavour. Written in SQL that PostgreSQL accepts too
-- (BIGINT for every integer, TEXT for strings, JSON kept as TEXT); timestamps are
-- integer milliseconds since the Unix epoch, days are ISO 'YYYY-MM-DD' text.

-- One row per arXiv id (without version), merged from every source.
CREATE TABLE papers (
    id               TEXT PRIMARY KEY NOT NULL,
    version          BIGINT NOT NULL DEFAULT 0,   -- 0: no source said
    title            TEXT NOT NULL,
    summary          TEXT NOT NULL,
    authors          TEXT NOT NULL,               -- JSON [{"name", "affiliation"?}]
    categories       TEXT NOT NULL,               -- JSON ["cs.CL", ...], primary first
    primary_category TEXT,
    comments         TEXT,
    journal_ref      TEXT,
    doi              TEXT,
    license          TEXT,
    published_ms     BIGINT,
    updated_ms       BIGINT,
    announced        TEXT NOT NULL,               -- JSON ["2025-03-18", ...]
    github_repo      TEXT,
    project_page     TEXT,
    links            TEXT NOT NULL,               -- JSON ["https://...", ...]
    github_stars     BIGINT,
    ai_summary       TEXT,
    ai_keywords      TEXT NOT NULL,               -- JSON ["...", ...]
    sort_ms          BIGINT NOT NULL,             -- published, else first announced, else first seen
    first_seen_ms    BIGINT NOT NULL,             -- when this database first stored it
    change_seq       BIGINT NOT NULL              -- bumped by every write that changed the row
);
CREATE INDEX papers_change_seq ON papers (change_seq);
CREATE INDEX papers_sort ON papers (sort_ms, id);

-- Category membership, for the firehose's category filter.
CREATE TABLE paper_categories (
    category TEXT NOT NULL,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    PRIMARY KEY (category, paper_id)
);
CREATE INDEX paper_categories_paper ON paper_categories (paper_id);

-- The "new" firehose: the days arXiv announced each paper (derived from papers).
CREATE TABLE firehose (
    day      TEXT NOT NULL,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    PRIMARY KEY (day, paper_id)
);
CREATE INDEX firehose_paper ON firehose (paper_id);

-- The curated daily lists.
CREATE TABLE daily_entries (
    day                TEXT NOT NULL,
    paper_id           TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    submitter_name     TEXT,
    submitter_fullname TEXT,
    submitter_avatar   TEXT,
    submitted_ms       BIGINT,
    upvotes            BIGINT NOT NULL DEFAULT 0,
    num_comments       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, paper_id)
);
CREATE INDEX daily_entries_paper ON daily_entries (paper_id);
CREATE INDEX daily_entries_submitter ON daily_entries (submitter_name, day);

-- Named counters; 'change_seq' orders writes so indexes can follow the database.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('change_seq', 0);

-- OAI-PMH harvest progress, one row per (endpoint, metadata prefix, set).
-- Records and the checkpoint that follows them commit in one transaction, so a
-- harvest killed at any moment resumes exactly where it stopped.
CREATE TABLE harvest_checkpoints (
    source           TEXT PRIMARY KEY NOT NULL,   -- "<base url> <metadata prefix> <set>"
    from_day         TEXT,                        -- the running harvest's from
    until_day        TEXT,                        -- the running harvest's until
    resumption_token TEXT,                        -- NULL: no harvest running
    pages            BIGINT NOT NULL DEFAULT 0,   -- pages done in the running harvest
    records          BIGINT NOT NULL DEFAULT 0,   -- records done in the running harvest
    run_datestamp    TEXT,                        -- newest datestamp the running harvest saw
    last_datestamp   TEXT,                        -- newest datestamp of completed harvests
    updated_ms       BIGINT NOT NULL
);
