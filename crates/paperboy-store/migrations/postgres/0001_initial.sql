-- paperboy schema, PostgreSQL flavour: the same tables, columns and indexes as
-- migrations/sqlite (every statement in the store runs on both). Text columns use
-- the "C" collation so that ordering and comparisons (ids, days, cursors) are
-- byte-wise, as in SQLite, whatever the database's locale.

-- One row per arXiv id (without version), merged from every source.
CREATE TABLE papers (
    id               TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    version          BIGINT NOT NULL DEFAULT 0,
    title            TEXT NOT NULL,
    summary          TEXT NOT NULL,
    authors          TEXT NOT NULL,
    categories       TEXT NOT NULL,
    primary_category TEXT COLLATE "C",
    comments         TEXT,
    journal_ref      TEXT,
    doi              TEXT,
    license          TEXT,
    published_ms     BIGINT,
    updated_ms       BIGINT,
    announced        TEXT NOT NULL,
    github_repo      TEXT,
    project_page     TEXT,
    links            TEXT NOT NULL,
    github_stars     BIGINT,
    ai_summary       TEXT,
    ai_keywords      TEXT COLLATE "C" NOT NULL,
    sort_ms          BIGINT NOT NULL,
    first_seen_ms    BIGINT NOT NULL,
    change_seq       BIGINT NOT NULL
);
CREATE INDEX papers_change_seq ON papers (change_seq);
CREATE INDEX papers_sort ON papers (sort_ms, id);

CREATE TABLE paper_categories (
    category TEXT COLLATE "C" NOT NULL,
    paper_id TEXT COLLATE "C" NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    PRIMARY KEY (category, paper_id)
);
CREATE INDEX paper_categories_paper ON paper_categories (paper_id);

CREATE TABLE firehose (
    day      TEXT COLLATE "C" NOT NULL,
    paper_id TEXT COLLATE "C" NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    PRIMARY KEY (day, paper_id)
);
CREATE INDEX firehose_paper ON firehose (paper_id);

CREATE TABLE daily_entries (
    day                TEXT COLLATE "C" NOT NULL,
    paper_id           TEXT COLLATE "C" NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    submitter_name     TEXT COLLATE "C",
    submitter_fullname TEXT,
    submitter_avatar   TEXT,
    submitted_ms       BIGINT,
    upvotes            BIGINT NOT NULL DEFAULT 0,
    num_comments       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, paper_id)
);
CREATE INDEX daily_entries_paper ON daily_entries (paper_id);
CREATE INDEX daily_entries_submitter ON daily_entries (submitter_name, day);

CREATE TABLE counters (
    name  TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('change_seq', 0);

CREATE TABLE harvest_checkpoints (
    source           TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    from_day         TEXT COLLATE "C",
    until_day        TEXT COLLATE "C",
    resumption_token TEXT,
    pages            BIGINT NOT NULL DEFAULT 0,
    records          BIGINT NOT NULL DEFAULT 0,
    run_datestamp    TEXT COLLATE "C",
    last_datestamp   TEXT COLLATE "C",
    updated_ms       BIGINT NOT NULL
);
