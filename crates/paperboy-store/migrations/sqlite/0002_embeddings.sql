-- Sentence embeddings of papers (title + abstract), one row per (model, paper).
-- vector: little-endian f32 x dim. text_hash: hash of the embedded text, so a paper
-- whose title or abstract changed is embedded again; source_seq: the paper's
-- change_seq when it was last checked, so unchanged papers are not looked at again.
CREATE TABLE embeddings (
    model      TEXT NOT NULL,
    paper_id   TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    dim        BIGINT NOT NULL,
    vector     BLOB NOT NULL,
    text_hash  BIGINT NOT NULL,
    source_seq BIGINT NOT NULL,
    PRIMARY KEY (model, paper_id)
);
