-- Sentence embeddings of papers (see migrations/sqlite/0002_embeddings.sql).
CREATE TABLE embeddings (
    model      TEXT COLLATE "C" NOT NULL,
    paper_id   TEXT COLLATE "C" NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    dim        BIGINT NOT NULL,
    vector     BYTEA NOT NULL,
    text_hash  BIGINT NOT NULL,
    source_seq BIGINT NOT NULL,
    PRIMARY KEY (model, paper_id)
);
