#!/usr/bin/env python3
"""Sizing: disk and memory of a paperboy instance per 100,000 papers, with and without
vectors, measured on the data directory the load benchmark prepares (80,317 real
papers, one 384-dimension vector each).

Disk: the SQLite file split by table (sqlite3's dbstat), the keyword index, and the
PostgreSQL database when $PAPERBOY_BENCH_POSTGRES_URL names one (pg_total_relation_size
per table, through psql). Memory: the resident set of `paperboy serve` after start-up
and after a round of page views and searches, keyword-only (`embedder = none`) and
with semantic search (the vectors loaded).

Usage: python3 bench/sizing.py [--work DIR]   (after bench/load_bench.py)
"""
import argparse
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def du(path):
    total = 0
    for base, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(base, f))
    return total


def mb(n):
    return n / 1e6


def rss_kb(pid):
    status = open(f"/proc/{pid}/status").read()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


def serve(binary, data_dir, embedder):
    env = dict(os.environ, PAPERBOY_LOG="warn", PAPERBOY_KEYPHRASES="false", PAPERBOY_EMBEDDER=embedder)
    process = subprocess.Popen([binary, "--data-dir", data_dir, "serve", "--no-sample", "--addr", "127.0.0.1:0"],
                               env=env, stdout=subprocess.PIPE, text=True)
    url = re.search(r"http://\S+", process.stdout.readline()).group(0)
    return process, url


def get(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read().decode()


def memory(binary, data_dir, embedder, paths):
    process, url = serve(binary, data_dir, embedder)
    try:
        # Semantic search ready (vectors loaded), or keyword-only from the start.
        for _ in range(300):
            page = get(url + "/search?q=x&mode=semantic")
            if "still being fetched" not in page:
                break
            time.sleep(1)
        started = rss_kb(process.pid)
        for path in paths:
            get(url + path)
        return started, rss_kb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", default=os.path.join(ROOT, "bench", "out", "load"))
    args = parser.parse_args()
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    binary = os.path.join(target, "release", "paperboy")
    data_dir = os.path.join(args.work, "sqlite")
    db_path = os.path.join(data_dir, "paperboy.db")
    if not os.path.exists(db_path):
        sys.exit("run bench/load_bench.py first: it prepares the data directory")
    db = sqlite3.connect(db_path)
    (papers,) = db.execute("SELECT COUNT(*) FROM papers").fetchone()
    tables = dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
    db.close()
    scale = 100_000 / papers
    vectors = tables.get("embeddings", 0) + sum(v for k, v in tables.items() if k.startswith("embeddings_"))
    total = os.path.getsize(db_path)
    index = du(os.path.join(data_dir, "index"))
    print(f"papers: {papers}; per 100,000 papers (x{scale:.3f}):")
    print(f"| what | MB per 100k papers |\n|---|---|")
    print(f"| SQLite database, without vectors | {mb((total - vectors) * scale):.0f} |")
    print(f"| SQLite: vectors (384 x f32, one model) | {mb(vectors * scale):.0f} |")
    print(f"| keyword index (data_dir/index) | {mb(index * scale):.0f} |")
    pg = os.environ.get("PAPERBOY_BENCH_POSTGRES_URL")
    if pg:
        out = subprocess.run(["psql", pg, "-At", "-c",
                              "SELECT SUM(pg_total_relation_size(c.oid)) FILTER (WHERE relname <> 'embeddings'),"
                              " SUM(pg_total_relation_size(c.oid)) FILTER (WHERE relname = 'embeddings')"
                              " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                              " WHERE n.nspname = 'public' AND c.relkind = 'r'"],
                             capture_output=True, text=True, check=True).stdout.strip().split("|")
        print(f"| PostgreSQL database, without vectors | {mb(int(out[0]) * scale):.0f} |")
        print(f"| PostgreSQL: vectors | {mb(int(out[1] or 0) * scale):.0f} |")
    paths = [f"/papers", "/papers/new", "/search?q=language+models", "/search?q=diffusion+image+editing",
             "/api/daily_papers", "/api/papers/search?q=agents"] * 5
    for label, embedder in [("keyword search only (embedder = none)", "none"),
                            ("with semantic search (vectors in RAM)", "")]:
        started, used = memory(binary, data_dir, embedder, paths)
        print(f"| serve RSS at {papers} papers, {label}: after start / after use (MB) | "
              f"{started / 1000:.0f} / {used / 1000:.0f} |")


if __name__ == "__main__":
    main()
