-- Key phrases and TL;DR summaries that paperboy makes itself, for papers no source
-- gave `ai_keywords` or `ai_summary`. Kept apart from `papers` (which holds what
-- sources said): making them does not bump the change sequence (nothing to reindex
-- or re-embed), a source's own values always win when papers are read, and the
-- extractor can be improved and rerun. Reads fill `ai_keywords` / `ai_summary`
-- from here when the paper's own are empty.

-- Key phrases extracted from title and abstract against the corpus statistics.
-- method: the extractor's name and version (a new one redoes every paper);
-- text_hash / source_seq as in `embeddings`.
CREATE TABLE keyphrases (
    paper_id   TEXT PRIMARY KEY NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    phrases    TEXT NOT NULL,               -- JSON ["...", ...], best first
    method     TEXT NOT NULL,
    text_hash  BIGINT NOT NULL,
    source_seq BIGINT NOT NULL
);

-- One-sentence summaries from an OpenAI-compatible chat endpoint. A row with a
-- summary is final (never regenerated); a row without one records failed attempts,
-- so a paper is retried after next_attempt_ms and given up after a few attempts.
CREATE TABLE summaries (
    paper_id        TEXT PRIMARY KEY NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    summary         TEXT,                        -- NULL until one was made
    model           TEXT NOT NULL,               -- the model that made it (or last failed)
    attempts        BIGINT NOT NULL DEFAULT 0,   -- failed attempts
    last_error      TEXT,
    next_attempt_ms BIGINT NOT NULL DEFAULT 0,
    updated_ms      BIGINT NOT NULL
);
