-- An image that shows the paper, at its source (HF mediaUrls / thumbnail): each
-- instance fetches a small copy into its data dir and serves that.
ALTER TABLE papers ADD COLUMN thumbnail_url TEXT;
