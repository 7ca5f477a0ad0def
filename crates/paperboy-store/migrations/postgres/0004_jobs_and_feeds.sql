-- Background jobs that run once per cluster (harvests, the embedding backlog, key
-- phrases, summaries, the mail outbox): the instance holding a job's lease runs it;
-- a lease that is not renewed expires, and another instance takes the job over.
-- next_run_ms is the job's schedule, shared by every instance.
CREATE TABLE jobs (
    name             TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    holder           TEXT,                          -- the instance holding the lease; NULL: free
    lease_until_ms   BIGINT NOT NULL DEFAULT 0,
    next_run_ms      BIGINT NOT NULL DEFAULT 0,     -- the job's next run, for every instance
    runs             BIGINT NOT NULL DEFAULT 0,     -- runs finished
    last_finished_ms BIGINT,
    last_error       TEXT                           -- NULL when the last run succeeded
);

-- Vectors follow the database like the keyword index does: every transaction that
-- stores embeddings takes the next 'embedding_seq' and stamps its rows, so each
-- instance loads the vectors another one stored.
ALTER TABLE embeddings ADD COLUMN stored_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX embeddings_stored ON embeddings (model, stored_seq, paper_id);
INSERT INTO counters (name, value) VALUES ('embedding_seq', 0);

-- Bumped by every write that changes a daily list (entries, upvotes, comments), so
-- pages cached from the lists know when they are stale.
INSERT INTO counters (name, value) VALUES ('list_seq', 0);
