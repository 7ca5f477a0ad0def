-- Key phrases and TL;DR summaries paperboy makes itself (see
-- migrations/sqlite/0003_keyphrases_summaries.sql).
CREATE TABLE keyphrases (
    paper_id   TEXT COLLATE "C" PRIMARY KEY NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    phrases    TEXT NOT NULL,
    method     TEXT COLLATE "C" NOT NULL,
    text_hash  BIGINT NOT NULL,
    source_seq BIGINT NOT NULL
);

CREATE TABLE summaries (
    paper_id        TEXT COLLATE "C" PRIMARY KEY NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    summary         TEXT,
    model           TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_ms BIGINT NOT NULL DEFAULT 0,
    updated_ms      BIGINT NOT NULL
);
