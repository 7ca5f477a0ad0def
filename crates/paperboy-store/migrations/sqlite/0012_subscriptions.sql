-- Digest subscriptions: double opt-in (pending until the emailed link is opened),
-- then active until paused (a hard bounce, or the reader) or unsubscribed. The
-- confirmation link is kept only as its SHA-256. prefs holds the reader's choices
-- (paperboy_core::DigestPrefs as JSON); frequency is also a column, for the runs.
CREATE TABLE subscriptions (
    id                 TEXT PRIMARY KEY NOT NULL,
    email              TEXT NOT NULL,
    email_key          TEXT NOT NULL UNIQUE,
    status             TEXT NOT NULL,
    frequency          TEXT NOT NULL,
    prefs              TEXT NOT NULL,
    confirm_hash       TEXT UNIQUE,
    confirm_expires_ms BIGINT,
    paused_reason      TEXT,
    created_ms         BIGINT NOT NULL,
    confirmed_ms       BIGINT,
    updated_ms         BIGINT NOT NULL
);
CREATE INDEX subscriptions_runs ON subscriptions (status, frequency);

-- Keys of the instance (shared by every instance of a cluster): the one that signs
-- the manage and unsubscribe links in emails.
CREATE TABLE site_secrets (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
