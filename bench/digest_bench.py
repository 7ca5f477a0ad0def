#!/usr/bin/env python3
"""Digests for 100,000 subscribers over the 74,728-paper corpus, and sending throughput.

One command: builds paperboy in release mode, prepares a data dir (the corpus and the
HF daily-papers archive imported, the newest papers embedded), adds the subscribers
straight into its SQLite database (60% of them with 1 to 8 papers from "their library",
so that their digests have a "for you" section; 10% with keyword alerts), then times:

- `paperboy digest run --as-of DAY --dry-run`: composing every digest (trending,
  alerts, for you) and rendering its email, nothing written;
- `paperboy digest run --as-of DAY --no-send`: the same, plus recording every digest
  and queueing its email, one transaction per subscriber;
- `paperboy outbox flush` against a local SMTP sink (aiosmtpd) for a fixed time:
  messages sent per second.

Baselines in the same run: the same composition written plainly in Python (sqlite3
and numpy: the day's trending list filtered by what the reader was sent, keyword
alerts, and for-you as a numpy kNN over the same vectors) timed on a sample of the
subscribers and scaled to all of them; and Python's smtplib sending messages of the
same size to the same sink over one connection.

usage: python3 bench/digest_bench.py [--data-dir DIR] [--subscribers N] [--send-seconds S]
needs: pip install numpy aiosmtpd
"""

import argparse
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data")
CORPUS = os.path.join(DATA, "arxiv_cs_daily_listings_2025-03-18_2026-07-01.jsonl.gz")
ARCHIVE = os.path.join(DATA, "hf_daily_papers_2024-05-27_2026-08-21.jsonl.gz")
# A weekday near the corpus's end with both a daily list and an announcement.
AS_OF = "2026-06-30"
SEED = 20261202
# Papers embedded, newest first: the digest day's and those readers import.
EMBEDDED = 8000
KEYWORDS = ["diffusion", "reinforcement learning", "agents", "retrieval", "robot",
            "speech", "graph", "benchmark", "quantization", "video"]


def build():
    subprocess.run(["cargo", "build", "--release", "--bin", "paperboy"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "release", "paperboy")


def cpu():
    model, flags = "unknown CPU", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and model == "unknown CPU":
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    vector = [f for f in ("avx2", "avx512f", "avx512bw", "avx512vl", "avx512_vnni") if f in flags]
    return f"{model}, {os.cpu_count()} cores, {' '.join(vector) or 'no AVX2'}"


def paperboy(binary, data_dir, *args, env=None, stdout=None):
    full_env = dict(os.environ, PAPERBOY_KEYPHRASES="false", **(env or {}))
    return subprocess.run([binary, "--data-dir", data_dir, *args], check=True, env=full_env,
                          stdout=stdout, text=True)


def prepare(binary, data_dir):
    stats = json.loads(subprocess.run([binary, "--data-dir", data_dir, "stats", "--json"], check=True,
                                      capture_output=True, text=True).stdout)
    if stats["papers"] == 0:
        paperboy(binary, data_dir, "import", CORPUS, ARCHIVE)
        paperboy(binary, data_dir, "model", "fetch")
    # Newest first: the days the digests draw from, and the papers readers import.
    db = sqlite3.connect(os.path.join(data_dir, "paperboy.db"))
    embedded = db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    db.close()
    if embedded < EMBEDDED:
        paperboy(binary, data_dir, "embed", "--limit", str(EMBEDDED - embedded))


def add_subscribers(db_path, n):
    """n confirmed daily subscribers; returns them as (id, email, seeds, keywords)."""
    db = sqlite3.connect(db_path)
    db.execute("DELETE FROM digest_papers")
    db.execute("DELETE FROM digest_deliveries")
    db.execute("DELETE FROM outbox")
    db.execute("DELETE FROM reader_signals")
    db.execute("DELETE FROM subscriptions")
    embedded = [row[0] for row in db.execute(
        "SELECT e.paper_id FROM embeddings e JOIN papers p ON p.id = e.paper_id ORDER BY e.paper_id")]
    rng = random.Random(SEED)
    now = int(time.time() * 1000)
    subscribers, rows, signals = [], [], []
    for i in range(n):
        sid = f"{rng.getrandbits(96):024x}"
        email = f"reader{i}@bench.example.org"
        keywords = [rng.choice(KEYWORDS)] if rng.random() < 0.1 else []
        prefs = {"frequency": "daily", "weekdays_only": False, "hour": 8, "timezone": "UTC",
                 "categories": [], "keywords": keywords, "authors": [], "for_you": True}
        rows.append((sid, email, email, "active", "daily", json.dumps(prefs), now, now, now))
        seeds = rng.sample(embedded, rng.randint(1, 8)) if rng.random() < 0.6 else []
        signals.extend((email, paper, "seed", now) for paper in seeds)
        subscribers.append((sid, email, seeds, keywords))
    db.executemany(
        "INSERT INTO subscriptions (id, email, email_key, status, frequency, prefs, created_ms, "
        "confirmed_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO reader_signals (reader, paper_id, signal, created_ms) VALUES (?, ?, ?, ?)",
                   signals)
    db.commit()
    db.close()
    return subscribers


def python_compose(db_path, sample):
    """The same selection in plain Python + numpy, on `sample` subscribers: seconds each."""
    import numpy as np
    db = sqlite3.connect(db_path)
    model = db.execute("SELECT model FROM embeddings LIMIT 1").fetchone()[0]
    dim = db.execute("SELECT dim FROM embeddings LIMIT 1").fetchone()[0]
    listed = [row[0] for row in db.execute(
        "SELECT paper_id FROM daily_entries WHERE day = ? ORDER BY upvotes DESC", (AS_OF,))]
    new = db.execute(
        "SELECT p.id, p.title, p.summary FROM firehose f JOIN papers p ON p.id = f.paper_id WHERE f.day = ?",
        (AS_OF,)).fetchall()
    vectors = {pid: np.frombuffer(blob, dtype="<f4") for pid, blob in db.execute(
        f"SELECT paper_id, vector FROM embeddings WHERE model = ? AND dim = ? AND paper_id IN "
        f"({','.join('?' * len(new))})", (model, dim, *[p[0] for p in new]))}
    candidates = [p for p in new if p[0] in vectors]
    matrix = np.stack([vectors[p[0]] for p in candidates]) if candidates else np.zeros((0, dim), "f4")
    started = time.perf_counter()
    for sid, email, seeds, keywords in sample:
        sent = {row[0] for row in db.execute(
            f"SELECT paper_id FROM digest_papers WHERE subscription_id = ? AND paper_id IN "
            f"({','.join('?' * len(listed))})", (sid, *listed))} if listed else set()
        trending = [p for p in listed if p not in sent][:15]
        alerts = [p[0] for p in new if any(k in (p[1] + " " + p[2]).lower() for k in keywords)][:10]
        liked = [np.frombuffer(row[0], dtype="<f4") for row in db.execute(
            f"SELECT e.vector FROM reader_signals s JOIN embeddings e ON e.paper_id = s.paper_id "
            f"AND e.model = ? WHERE s.reader = ?", (model, email))]
        if liked and len(candidates):
            sims = matrix @ np.stack(liked).T
            k = min(3, sims.shape[1])
            score = np.sort(sims, axis=1)[:, -k:].mean(axis=1)
            top = np.argsort(-score)[:10]
            _ = [candidates[i][0] for i in top]
        _ = (trending, alerts)
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed / len(sample), len(candidates), len(listed)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_sink(port):
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return sink
        except OSError:
            time.sleep(0.1)
    sys.exit("the SMTP sink did not start: pip install aiosmtpd")


def sent_count(db_path):
    db = sqlite3.connect(db_path)
    n = db.execute("SELECT COUNT(*) FROM outbox WHERE sent_ms IS NOT NULL").fetchone()[0]
    db.close()
    return n


def smtplib_rate(port, db_path, seconds):
    """Python's smtplib sending the queued messages' bodies over one connection."""
    import smtplib
    db = sqlite3.connect(db_path)
    bodies = [(row[0], json.loads(row[1])) for row in db.execute(
        "SELECT recipient, message FROM outbox WHERE sent_ms IS NULL LIMIT 2000")]
    db.close()
    from email.message import EmailMessage
    messages = []
    for recipient, body in bodies:
        message = EmailMessage()
        message["From"] = "bench@example.org"
        message["To"] = recipient
        message["Subject"] = body.get("subject", "digest")
        message.set_content(body.get("text", ""))
        if body.get("html"):
            message.add_alternative(body["html"], subtype="html")
        messages.append(message)
    sent, started = 0, time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        while time.perf_counter() - started < seconds and messages:
            smtp.send_message(messages[sent % len(messages)])
            sent += 1
    return sent / (time.perf_counter() - started)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=os.path.join(ROOT, "bench", "out", "digest-data"))
    ap.add_argument("--subscribers", type=int, default=100_000)
    ap.add_argument("--send-seconds", type=float, default=30.0)
    ap.add_argument("--baseline-sample", type=int, default=2_000)
    ap.add_argument("--binary", help="a paperboy binary to use instead of building one")
    args = ap.parse_args()
    binary = args.binary or build()
    os.makedirs(args.data_dir, exist_ok=True)
    prepare(binary, args.data_dir)
    db_path = os.path.join(args.data_dir, "paperboy.db")
    print(f"machine: {cpu()}")
    subscribers = add_subscribers(db_path, args.subscribers)
    with_seeds = sum(1 for s in subscribers if s[2])
    print(f"{len(subscribers)} subscribers ({with_seeds} with seeds), digest of {AS_OF}")

    started = time.perf_counter()
    with open(os.devnull, "w") as null:
        paperboy(binary, args.data_dir, "digest", "run", "--as-of", AS_OF, "--dry-run", stdout=null)
    dry = time.perf_counter() - started
    started = time.perf_counter()
    paperboy(binary, args.data_dir, "digest", "run", "--as-of", AS_OF, "--no-send")
    queued = time.perf_counter() - started

    rng = random.Random(SEED)
    sample = rng.sample(subscribers, min(args.baseline_sample, len(subscribers)))
    per_subscriber, candidates, listed = python_compose(db_path, sample)
    baseline = per_subscriber * len(subscribers)

    port = free_port()
    sink = start_sink(port)
    try:
        before = sent_count(db_path)
        flush = subprocess.Popen([binary, "--data-dir", args.data_dir, "outbox", "flush"],
                                 env=dict(os.environ, PAPERBOY_SMTP_URL=f"smtp://127.0.0.1:{port}",
                                          PAPERBOY_MAIL_PER_MINUTE="0"),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.perf_counter()
        time.sleep(args.send_seconds)
        flush.kill()
        flush.wait()
        elapsed = time.perf_counter() - started
        paperboy_rate = (sent_count(db_path) - before) / elapsed
        python_rate = smtplib_rate(port, db_path, args.send_seconds / 2)
    finally:
        sink.terminate()
        sink.wait()

    print(f"day {AS_OF}: {listed} papers on the daily list, {candidates} new papers with vectors\n")
    print(f"{'what':<58} {'seconds':>9} {'vs baseline':>12}")
    print(f"{'baseline: Python + numpy, same selection (scaled from ' + str(len(sample)) + ')':<58} "
          f"{baseline:>9.1f} {'1.00x':>12}")
    print(f"{'paperboy digest run --dry-run (compose + render)':<58} {dry:>9.1f} {baseline / dry:>11.2f}x")
    print(f"{'paperboy digest run --no-send (+ record + queue)':<58} {queued:>9.1f} "
          f"{baseline / queued:>11.2f}x")
    print(f"\n{'sending to a local SMTP sink':<58} {'msgs/s':>9} {'vs baseline':>12}")
    print(f"{'baseline: Python smtplib, one connection':<58} {python_rate:>9.0f} {'1.00x':>12}")
    print(f"{'paperboy outbox flush':<58} {paperboy_rate:>9.0f} {paperboy_rate / python_rate:>11.2f}x")


if __name__ == "__main__":
    main()
