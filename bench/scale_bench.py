#!/usr/bin/env python3
"""Search at 1,000,000 papers: hybrid and keyword latency through the HTTP API, and
the server's resident memory, on a scale-up of the real corpus.

The scale-up: the 74,728 real papers are repeated to N papers under new arXiv ids;
every copy after the first has its abstract's sentences rotated, so BM25 statistics
stay realistic. Vectors are synthetic, as embedding a million abstracts on 2 cores
takes half a day: each copy's vector is its original's real embedding plus Gaussian
noise, renormalised (so nearest neighbours stay meaningful). The originals' vectors
come from an embedded 74,728-paper data directory (bench/search_bench.py makes one).

Baseline, in the same run: the vector half of the work done the plain way, numpy
(multi-threaded BLAS) multiplying all N stored vectors with a query vector in-process
and taking the top 100 -- what a hybrid query's semantic candidates cost without
paperboy's quantised scan, before any text search, model or HTTP.

Usage: python3 bench/scale_bench.py [--papers 1000000] [--source-data DIR] [--queries N]
"""
import argparse
import gzip
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import search_bench as common  # noqa: E402

MODEL = "all-MiniLM-L6-v2"
DIM = 384


def synthetic_id(i):
    """Distinct valid new-style ids: 120 months (2015-2024) x 100,000 numbers."""
    month = i % 120
    yymm = (15 + month // 12) * 100 + month % 12 + 1
    return f"{yymm:04d}.{i // 120:05d}"


def rotate(text, k):
    sentences = [s for s in text.split(". ") if s]
    if len(sentences) < 2:
        return text
    k %= len(sentences)
    return ". ".join(sentences[k:] + sentences[:k])


def write_corpus(papers, n, path):
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as f:
        for i in range(n):
            pid, title, summary = papers[i % len(papers)]
            copy = i // len(papers)
            record = {
                "id": pid if copy == 0 else synthetic_id(i),
                "title": title,
                "summary": summary if copy == 0 else rotate(summary, copy),
                "authors": ["Synthetic Author"],
                "categories": ["cs.AI"],
                "abs": "",
                "listing_dates": ["2026-07-01"],
            }
            f.write(json.dumps(record) + "\n")


def write_vectors(data_dir, source_dir, papers, n, seed=7):
    import numpy as np

    source = sqlite3.connect(os.path.join(source_dir, "paperboy.db"))
    base = {pid: np.frombuffer(blob, dtype="<f4") for pid, blob in source.execute(
        "SELECT paper_id, vector FROM embeddings WHERE model = ? AND dim = ?", (MODEL, DIM))}
    if len(base) < len(papers):
        sys.exit(f"{source_dir} has {len(base)} vectors for {len(papers)} papers: run `paperboy embed` there first")
    matrix = np.stack([base[pid] for pid, _, _ in papers])
    db = sqlite3.connect(os.path.join(data_dir, "paperboy.db"))
    # source_seq = the paper's change_seq marks each vector current, so the server's
    # backlog never re-embeds them (text_hash is only consulted for changed papers).
    seqs = dict(db.execute("SELECT id, change_seq FROM papers"))
    rng = np.random.default_rng(seed)
    chunk = 20_000
    with db:
        for start in range(0, n, chunk):
            rows_i = np.arange(start, min(n, start + chunk))
            vectors = matrix[rows_i % len(papers)].copy()
            copies = rows_i >= len(papers)
            vectors[copies] += rng.normal(0, 0.02, size=(int(copies.sum()), DIM)).astype("<f4")
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            rows = []
            for i, vector in zip(rows_i, vectors):
                i = int(i)
                target = papers[i][0] if i < len(papers) else synthetic_id(i)
                rows.append((MODEL, target, DIM, vector.astype("<f4").tobytes(), 0, seqs[target]))
            db.executemany(
                "INSERT OR REPLACE INTO embeddings (model, paper_id, dim, vector, text_hash, source_seq) "
                "VALUES (?, ?, ?, ?, ?, ?)", rows)


def numpy_baseline(data_dir, queries, n):
    """The vector half of a hybrid query done the plain way, in-process: one matrix
    product of every stored vector with the query vector, then the top 100. Query
    vectors are stored paper vectors (no model here), so this times the scan only."""
    import numpy as np

    db = sqlite3.connect(os.path.join(data_dir, "paperboy.db"))
    matrix = np.empty((n, DIM), dtype="<f4")
    for i, (blob,) in enumerate(db.execute("SELECT vector FROM embeddings WHERE model = ?", (MODEL,))):
        matrix[i] = np.frombuffer(blob, dtype="<f4")
    times = []
    rng = np.random.default_rng(11)
    for _ in queries:
        query = matrix[rng.integers(0, n)]
        start = time.perf_counter()
        scores = matrix @ query
        top = np.argpartition(scores, -100)[-100:]
        top[np.argsort(-scores[top])]
        times.append((time.perf_counter() - start) * 1000)
    del matrix
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", type=int, default=1_000_000)
    ap.add_argument("--source-data", default=os.path.join(common.ROOT, "bench", "out", "search-data"))
    ap.add_argument("--data-dir", default=os.path.join(common.ROOT, "bench", "out", "scale-data"))
    ap.add_argument("--corpus", default=common.CORPUS)
    ap.add_argument("--queries", type=int, default=1000)
    args = ap.parse_args()
    binary = common.build()
    papers = common.load_corpus(args.corpus)
    if not os.path.exists(os.path.join(args.data_dir, "paperboy.db")):
        os.makedirs(args.data_dir, exist_ok=True)
        synth = os.path.join(args.data_dir, "synthetic.jsonl.gz")
        print(f"writing {args.papers} papers", file=sys.stderr)
        write_corpus(papers, args.papers, synth)
        start = time.time()
        subprocess.run([binary, "--data-dir", args.data_dir, "import", synth], check=True)
        print(f"imported and indexed in {time.time() - start:.0f}s", file=sys.stderr)
        os.remove(synth)
        print("writing vectors", file=sys.stderr)
        write_vectors(args.data_dir, args.source_data, papers, args.papers)
        os.makedirs(os.path.join(args.data_dir, "models"), exist_ok=True)
        model = os.path.join(args.data_dir, "models", MODEL)
        if not os.path.exists(model):
            os.symlink(os.path.abspath(os.path.join(args.source_data, "models", MODEL)), model)

    queries = common.make_queries(papers, args.queries)
    results = {"numpy exact scan": numpy_baseline(args.data_dir, queries, args.papers)}
    proc, url = common.run_paperboy(binary, args.data_dir)
    try:
        for (mode, _), times in common.time_http(url, queries, ("keyword", "hybrid")).items():
            results.setdefault(mode, []).extend(times)
        rss = common.rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait()
    print(f"\n{args.papers} papers ({len(papers)} real, the rest scaled-up copies), {len(queries)} queries\n")
    base = statistics.median(results["numpy exact scan"])
    print(f"{'what':<40} {'p50 ms':>8} {'p99 ms':>8} {'p50 vs baseline':>16}")
    for mode, times in results.items():
        name = "baseline: numpy exact scan (no text)" if mode == "numpy exact scan" else f"paperboy {mode} (HTTP)"
        p50 = statistics.median(times)
        print(f"{name:<40} {p50:>8.2f} {common.percentile(times, 99):>8.2f} {base / p50:>15.2f}x")
    print(f"\nserver resident memory: {rss:.0f} MB")


if __name__ == "__main__":
    main()
