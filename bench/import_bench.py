#!/usr/bin/env python3
"""Import throughput: `paperboy import` of the 74,728-paper arXiv listing corpus,
against a baseline measured in the same run.

Baseline: Python's sqlite3 reading the same gzip JSON Lines and bulk-inserting the
same rows (id, title, abstract, authors, categories, comment, listing days) into a
plain table with executemany in one transaction, WAL, synchronous=NORMAL: the cost of
"just parse and insert" with no merging, no validation, no derived tables.

paperboy is measured three ways: a fresh import, the same import again (every
record compared with what is stored and found unchanged), and the HF archive on top.

Usage: python3 bench/import_bench.py [--corpus FILE] [--runs N]
"""
import argparse
import gzip
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared", "data")
CORPUS = os.path.join(SHARED, "arxiv_cs_daily_listings_2025-03-18_2026-07-01.jsonl.gz")
HF = os.path.join(SHARED, "hf_daily_papers_2024-05-27_2026-08-21.jsonl.gz")


def target_dir():
    return os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))


def build():
    subprocess.run(["cargo", "build", "--release", "--bin", "paperboy"], cwd=ROOT, check=True)
    return os.path.join(target_dir(), "release", "paperboy")


def baseline(corpus, db_path):
    start = time.perf_counter()
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE papers (id TEXT PRIMARY KEY, title TEXT, summary TEXT, authors TEXT, "
        "categories TEXT, comment TEXT, listing_dates TEXT)"
    )
    rows = []
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            rows.append((r["id"], r["title"], r["summary"], json.dumps(r["authors"]),
                         json.dumps(r["categories"]), r.get("comment"), json.dumps(r.get("listing_dates", []))))
    with db:
        db.executemany("INSERT OR REPLACE INTO papers VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    count = db.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
    db.close()
    return time.perf_counter() - start, count


def paperboy_import(binary, data_dir, files):
    start = time.perf_counter()
    out = subprocess.run([binary, "--data-dir", data_dir, "import", "--json", *files],
                         check=True, capture_output=True, text=True).stdout
    elapsed = time.perf_counter() - start
    return elapsed, json.loads(out)


def stats(binary, data_dir):
    out = subprocess.run([binary, "--data-dir", data_dir, "stats", "--json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=CORPUS)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not os.path.exists(args.corpus):
        sys.exit(f"corpus {args.corpus} not found: pass --corpus or check out the shared data beside the repo")
    binary = build()
    results = {"baseline": [], "fresh": [], "again": [], "hf": []}
    papers = None
    for run in range(args.runs):
        work = tempfile.mkdtemp(prefix="paperboy-bench-")
        try:
            seconds, rows = baseline(args.corpus, os.path.join(work, "baseline.db"))
            results["baseline"].append(rows / seconds)
            data = os.path.join(work, "data")
            seconds, summary = paperboy_import(binary, data, [args.corpus])
            papers = stats(binary, data)["papers"]
            assert papers == rows, f"paperboy stored {papers} papers, baseline {rows}"
            results["fresh"].append(papers / seconds)
            seconds, summary = paperboy_import(binary, data, [args.corpus])
            assert summary["papers_unchanged"] == papers, summary
            assert stats(binary, data)["papers"] == papers
            results["again"].append(papers / seconds)
            if os.path.exists(HF):
                seconds, summary = paperboy_import(binary, data, [HF])
                entries = summary["entries_inserted"]
                results["hf"].append(entries / seconds)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(f"run {run + 1}/{args.runs} done", file=sys.stderr)

    best = {k: max(v) for k, v in results.items() if v}
    print(f"\nmachine: {cpu_name()}, {os.cpu_count()} cores; corpus: {papers} papers")
    print(f"best of {args.runs} runs, papers per second (wall clock, process start to exit):\n")
    print(f"{'what':<58} {'papers/s':>10} {'vs baseline':>12}")
    rows = [
        ("baseline: python sqlite3 executemany, plain table", "baseline"),
        ("paperboy import, empty database", "fresh"),
        ("paperboy import again (all unchanged)", "again"),
        ("paperboy import HF archive on top (entries/s)", "hf"),
    ]
    for label, key in rows:
        if key in best:
            print(f"{label:<58} {best[key]:>10,.0f} {best[key] / best['baseline']:>11.2f}x")


if __name__ == "__main__":
    main()
