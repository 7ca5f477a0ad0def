-- The "new" firehose lists a paper on its first announcement only. arXiv does not
-- announce on weekends: listing days dated Saturday or Sunday repeat Friday's
-- announcement and fold into that Friday. Papers without announcement days keep
-- their publication day. (Paper::firehose_day computes the same for new writes.)
CREATE TEMP TABLE firehose_first AS
    SELECT paper_id, MIN(day) AS day FROM firehose GROUP BY paper_id;
DELETE FROM firehose;
INSERT INTO firehose (day, paper_id)
SELECT CASE
           WHEN p.announced <> '[]' AND strftime('%w', f.day) = '6' THEN date(f.day, '-1 day')
           WHEN p.announced <> '[]' AND strftime('%w', f.day) = '0' THEN date(f.day, '-2 days')
           ELSE f.day
       END,
       f.paper_id
FROM firehose_first f JOIN papers p ON p.id = f.paper_id;
DROP TABLE firehose_first;
