-- Where a paper's bibliographic fields (title, abstract, authors, categories,
-- comments, journal-ref, DOI, licence) come from: 'arxiv', 'listing' or 'hf'. Of two
-- records of the same version, the higher-ranked source's fields win (Paper::merge).
-- NULL for rows written before: ranked below every source, so the next record from
-- any source may replace those fields once.
ALTER TABLE papers ADD COLUMN bib_source TEXT;
