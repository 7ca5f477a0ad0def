-- Accounts, sign-in, local upvotes and the mail outbox. Ids are 24 random hex
-- characters (made by paperboy, like Hugging Face's object ids), never sequences:
-- they reveal nothing about how many accounts exist and copy between engines as is.
-- Secrets (sign-in links, session cookies, API tokens) are stored only as their
-- SHA-256 (hex).

CREATE TABLE users (
    id           TEXT PRIMARY KEY NOT NULL,
    email        TEXT NOT NULL,                 -- as given, domain in lower case
    email_key    TEXT NOT NULL UNIQUE,          -- lower case: what sign-in looks up
    username     TEXT,                          -- NULL until the reader chooses one
    username_key TEXT UNIQUE,                   -- lower case
    role         TEXT NOT NULL DEFAULT 'reader', -- reader | moderator | admin
    created_ms   BIGINT NOT NULL
);

-- One-time sign-in links: single use, short-lived.
CREATE TABLE login_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    email      TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms    BIGINT
);
CREATE INDEX login_tokens_expiry ON login_tokens (expires_ms);

-- Signed-in browsers.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY NOT NULL,     -- names the session in the list, not a secret
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_ms   BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL,
    expires_ms   BIGINT NOT NULL,
    user_agent   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Personal API tokens (Authorization: Bearer).
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    created_ms   BIGINT NOT NULL,
    last_used_ms BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Local upvotes: one per account and paper. Imports never touch them.
CREATE TABLE votes (
    paper_id   TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (paper_id, user_id)
);
CREATE INDEX votes_user ON votes (user_id, created_ms);

-- Local activity per paper, kept in step with votes in the same transaction, so a
-- list adds it to the imported counts without counting rows.
CREATE TABLE paper_activity (
    paper_id TEXT PRIMARY KEY NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    upvotes  BIGINT NOT NULL DEFAULT 0
);

-- Every email is a row here before it is a message on the wire. The sender claims
-- a row (claimed_by, claim_until_ms) before sending it, so two instances never
-- send one message; a claim that is not finished expires and the row is retried.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY NOT NULL,
    kind            TEXT NOT NULL,              -- sign-in, digest, confirmation, ...
    recipient       TEXT NOT NULL,
    message         TEXT NOT NULL,              -- JSON: subject, text, html, headers
    dedupe_key      TEXT UNIQUE,                -- at most one message per key
    created_ms      BIGINT NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    claimed_by      TEXT,
    claim_until_ms  BIGINT NOT NULL DEFAULT 0,
    sent_ms         BIGINT,
    failed_ms       BIGINT,                     -- given up on
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_ms, id) WHERE sent_ms IS NULL AND failed_ms IS NULL;
