-- Reading lists: a reader saves papers into named collections, public (listed on
-- their profile, with a feed and a BibTeX file) or private.
CREATE TABLE collections (
    id          TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    public      BIGINT NOT NULL DEFAULT 0,   -- 1: anyone may read it
    created_ms  BIGINT NOT NULL,
    updated_ms  BIGINT NOT NULL
);
CREATE INDEX collections_user ON collections (user_id, created_ms);

CREATE TABLE collection_papers (
    collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    paper_id      TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    added_ms      BIGINT NOT NULL,
    PRIMARY KEY (collection_id, paper_id)
);
CREATE INDEX collection_papers_paper ON collection_papers (paper_id);
