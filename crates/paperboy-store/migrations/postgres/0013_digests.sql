-- One row per subscriber and digest period (2026-12-02, or 2026-W49 for weekly
-- digests), written with the digest's outbox row in one transaction: a second run
-- for the same period finds it and creates nothing. until_day is the last daily
-- list the digest covered; outbox_id is NULL when the digest was empty (not sent).
CREATE TABLE digest_deliveries (
    subscription_id TEXT COLLATE "C" NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    period          TEXT COLLATE "C" NOT NULL,
    until_day       TEXT COLLATE "C" NOT NULL,
    outbox_id       TEXT COLLATE "C",
    papers          BIGINT NOT NULL,
    created_ms      BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, period)
);

-- Every paper a subscriber was sent: a paper reaches a reader at most once.
CREATE TABLE digest_papers (
    subscription_id TEXT COLLATE "C" NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    paper_id        TEXT COLLATE "C" NOT NULL,
    period          TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (subscription_id, paper_id)
);
