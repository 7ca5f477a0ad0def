#!/usr/bin/env python3
"""Builds the first-run sample that `paperboy serve` loads into an empty store.

Selects real records, unchanged, from the shared data corpora (see
../shared/data/SOURCES.md) and writes them in their original formats:

- sample/hf_daily.jsonl.gz: the Hugging Face daily lists of SAMPLE_DAYS (archive lines
  `{"daily_date", "item"}`);
- sample/arxiv_listing.jsonl.gz: the arXiv listing records of every paper on those
  lists that the listing corpus has (categories, comments), plus the whole "new"
  firehose of FIREHOSE_DAYS.

Usage: scripts/make-sample.py [SHARED_DATA_DIR]   (default: ../shared/data)
"""
import gzip
import json
import os
import sys

SAMPLE_DAYS = ("2026-06-08", "2026-06-30")
FIREHOSE_DAYS = ("2026-06-24", "2026-07-01")

here = os.path.dirname(os.path.abspath(__file__))
shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "data")
out_dir = os.path.join(here, "..", "crates", "paperboy", "sample")
os.makedirs(out_dir, exist_ok=True)


def in_range(day, bounds):
    return bounds[0] <= day <= bounds[1]


hf_lines = []
hf_ids = set()
with gzip.open(os.path.join(shared, "hf_daily_papers_2024-05-27_2026-08-21.jsonl.gz"), "rt", encoding="utf-8") as f:
    for line in f:
        record = json.loads(line)
        if in_range(record["daily_date"], SAMPLE_DAYS):
            hf_lines.append(line)
            hf_ids.add(record["item"]["paper"]["id"])

listing_lines = []
with gzip.open(os.path.join(shared, "arxiv_cs_daily_listings_2025-03-18_2026-07-01.jsonl.gz"), "rt", encoding="utf-8") as f:
    for line in f:
        record = json.loads(line)
        announced = any(in_range(d, FIREHOSE_DAYS) for d in record.get("listing_dates", []))
        if record["id"] in hf_ids or announced:
            listing_lines.append(line)


def write(name, lines):
    path = os.path.join(out_dir, name)
    # mtime=0 keeps the output byte-identical between runs.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write("".join(lines).encode("utf-8"))
    print(f"{path}: {len(lines)} lines, {os.path.getsize(path)} bytes")


write("hf_daily.jsonl.gz", hf_lines)
write("arxiv_listing.jsonl.gz", listing_lines)
