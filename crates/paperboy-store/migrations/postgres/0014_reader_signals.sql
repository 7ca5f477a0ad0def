-- What a reader told paperboy about papers besides upvotes and saves: papers
-- imported from their library (seed), "more like this" (more) and "not interested"
-- (not_interested), from a digest's links or the for-you page. reader is the
-- lower-case address (users.email_key, subscriptions.email_key), so a subscriber
-- without an account has a "for you" ranking too. One signal per reader and paper:
-- the latest word wins.
CREATE TABLE reader_signals (
    reader     TEXT COLLATE "C" NOT NULL,
    paper_id   TEXT COLLATE "C" NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    signal     TEXT COLLATE "C" NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (reader, paper_id)
);
