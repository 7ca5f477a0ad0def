-- Star counts of code repositories as the GitHub stars job sampled them: trending
-- weighs how many stars a paper's code gained over the trending window.
CREATE TABLE repo_stars (
    repo        TEXT COLLATE "C" NOT NULL,
    observed_ms BIGINT NOT NULL,
    stars       BIGINT NOT NULL,
    PRIMARY KEY (repo, observed_ms)
);
