#!/usr/bin/env python3
"""Search latency: 1,000 queries through paperboy's HTTP API (keyword and hybrid,
query embedding included) against SQLite FTS5 BM25 on the same papers, measured in
the same run.

Queries (fixed seed, from the corpus itself): `short` = two words from a random
title; `description` = a 12-word span from a random abstract. Each engine answers
every query for its top 10. paperboy is timed by a client on the same machine over
one keep-alive HTTP connection (client and server share the 2 cores); FTS5 is timed
in-process (no HTTP), which favours the baseline.

Usage: python3 bench/search_bench.py [--data-dir DIR] [--corpus FILE] [--queries N]
The data directory must hold the corpus, imported and embedded (`paperboy import`,
`paperboy embed`); the script prepares it when it is empty (embedding 74,728
abstracts takes about half an hour on 2 cores).
"""
import argparse
import gzip
import http.client
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "..", "shared", "data", "arxiv_cs_daily_listings_2025-03-18_2026-07-01.jsonl.gz")
STOP = set("a an and are as at be by for from has in is it its of on or that the this to was were with we our".split())


def build():
    subprocess.run(["cargo", "build", "--release", "--bin", "paperboy"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "release", "paperboy")


def load_corpus(path):
    papers = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            papers.append((r["id"], " ".join(r["title"].split()), " ".join(r["summary"].split())))
    return papers


def words(text):
    return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9-]+", text) if w.lower() not in STOP]


def make_queries(papers, n, seed=20261126):
    rng = random.Random(seed)
    queries = []
    while len(queries) < n:
        _, title, summary = rng.choice(papers)
        if len(queries) % 2 == 0:
            w = words(title)
            if len(w) >= 2:
                queries.append(("short", " ".join(rng.sample(w, 2))))
        else:
            w = summary.split()
            if len(w) >= 24:
                start = rng.randrange(0, len(w) - 12)
                queries.append(("description", " ".join(w[start:start + 12])))
    return queries


def fts5_db(papers, path):
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE papers USING fts5(id UNINDEXED, title, summary, tokenize='porter')")
    with db:
        db.executemany("INSERT INTO papers VALUES (?, ?, ?)", papers)
    db.execute("INSERT INTO papers(papers) VALUES('optimize')")
    db.commit()
    return db


def fts5_query(db, text):
    terms = [w.replace('"', "") for w in re.findall(r"\w+", text)]
    match = " OR ".join(f'"{t}"' for t in terms if t)
    return db.execute(
        "SELECT id FROM papers WHERE papers MATCH ? ORDER BY bm25(papers, 0, 2.0, 1.0) LIMIT 10", (match,)
    ).fetchall()


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_paperboy(binary, data_dir):
    # Background key-phrase extraction off: it would still be running on a freshly
    # scaled-up database (hours at 1M papers) and these benchmarks time search.
    env = dict(os.environ, PAPERBOY_LOG="info", PAPERBOY_KEYPHRASES="false")
    proc = subprocess.Popen([binary, "--data-dir", data_dir, "serve", "--no-sample", "--addr", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    url = proc.stdout.readline().split()[-1]
    deadline = time.time() + 600
    while time.time() < deadline:
        line = proc.stderr.readline()
        if "semantic search ready" in line:
            break
        if "semantic search is off" in line or "keyword search only" in line:
            sys.exit(f"paperboy has no semantic search: {line.strip()}")
    else:
        sys.exit("paperboy did not load its vectors in time")
    return proc, urllib.parse.urlparse(url)


def time_http(url, queries, modes, warmup=50):
    """Milliseconds per query through `/api/papers/search` (top 10), by (mode, kind),
    over one keep-alive connection; the first `warmup` queries are run untimed."""
    conn = http.client.HTTPConnection(url.hostname, url.port)
    times = {}
    for mode in modes:
        for i, (kind, q) in enumerate(queries[:warmup] + queries):
            path = "/api/papers/search?" + urllib.parse.urlencode({"q": q, "limit": 10, "mode": mode})
            start = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status != 200:
                sys.exit(f"{path}: {response.status} {body[:200]!r}")
            if i >= warmup:
                times.setdefault((mode, kind), []).append(elapsed)
    return times


def prepare(binary, data_dir, corpus):
    stats = json.loads(subprocess.run([binary, "--data-dir", data_dir, "stats", "--json"], check=True,
                                      capture_output=True, text=True).stdout)
    if stats["papers"] == 0:
        subprocess.run([binary, "--data-dir", data_dir, "import", corpus], check=True)
        subprocess.run([binary, "--data-dir", data_dir, "model", "fetch"], check=True)
    subprocess.run([binary, "--data-dir", data_dir, "embed"], check=True)


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=os.path.join(ROOT, "bench", "out", "search-data"))
    ap.add_argument("--corpus", default=CORPUS)
    ap.add_argument("--queries", type=int, default=1000)
    args = ap.parse_args()
    binary = build()
    os.makedirs(args.data_dir, exist_ok=True)
    prepare(binary, args.data_dir, args.corpus)
    papers = load_corpus(args.corpus)
    queries = make_queries(papers, args.queries)

    work = tempfile.mkdtemp(prefix="paperboy-search-bench-")
    try:
        db = fts5_db(papers, os.path.join(work, "fts5.db"))
        results = {}
        for kind, q in queries[:50]:
            fts5_query(db, q)
        for kind, q in queries:
            start = time.perf_counter()
            fts5_query(db, q)
            results.setdefault(("FTS5 bm25 (in-process)", kind), []).append((time.perf_counter() - start) * 1000)

        proc, url = run_paperboy(binary, args.data_dir)
        try:
            for (mode, kind), times in time_http(url, queries, ("keyword", "hybrid")).items():
                results[(f"paperboy {mode} (HTTP)", kind)] = times
            rss = rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\n{len(papers)} papers, {len(queries)} queries; latency in ms (client clock)\n")
    print(f"{'engine':<28} {'queries':<12} {'p50':>8} {'p99':>8} {'p50 vs FTS5':>12}")
    for kind in ("short", "description"):
        base = statistics.median(results[("FTS5 bm25 (in-process)", kind)])
        for engine in ("FTS5 bm25 (in-process)", "paperboy keyword (HTTP)", "paperboy hybrid (HTTP)"):
            t = results[(engine, kind)]
            p50 = statistics.median(t)
            print(f"{engine:<28} {kind:<12} {p50:>8.2f} {percentile(t, 99):>8.2f} {base / p50:>11.1f}x")
    print(f"\npaperboy server resident memory after the run: {rss:.0f} MB")


if __name__ == "__main__":
    main()
