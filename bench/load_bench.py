#!/usr/bin/env python3
"""Load: paperboy under many clients at once, on SQLite and on PostgreSQL, against a
static page served by the same HTTP server (the baseline, in the same run).

For each backend, with wrk on the same machine (client and server share the cores):
  1. static  - the baseline page alone, 256 connections;
  2. daily   - daily list pages alone (random days), 256 connections;
  3. mix     - 256 connections at once over a realistic mix, one wrk per route:
               daily list page 64, paper page 64, keyword search 32, hybrid search 32,
               /api/daily_papers 32, /api/papers/{id} 32;
  4. isolation - 8 connections looping pathological searches (a letter and 500
               combining accents, 1,000-character queries, 200 one-letter words) while
               one reads /healthz and one reads daily list pages;
  5. beside  - paper pages (8 connections) while hybrid searches run (8 connections);
  and hybrid search one query at a time, with where its time goes (Server-Timing).
Prints requests/s, p50/p99 and non-2xx answers per route; fails when any answer of
the mix is a 5xx (or a socket error).

Data: the 74,728-paper arXiv corpus and the HF daily archive (80,317 papers),
imported once into a SQLite data dir, with one synthetic unit vector per paper (the
vector scan costs the same as with real ones; queries are embedded by the real
model, fetched with `paperboy model fetch`), then copied into PostgreSQL with
`paperboy store copy`. PostgreSQL: $PAPERBOY_BENCH_POSTGRES_URL (a database to use),
else a throwaway cluster this script starts with the installed binaries.

Usage: python3 bench/load_bench.py [--seconds 60] [--work DIR] [--backends sqlite,postgres]
Needs: wrk (apt-get install wrk), numpy, PostgreSQL binaries (postgresql package).
"""
import argparse
import gzip
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared", "data")
CORPUS = os.path.join(SHARED, "arxiv_cs_daily_listings_2025-03-18_2026-07-01.jsonl.gz")
ARCHIVE = os.path.join(SHARED, "hf_daily_papers_2024-05-27_2026-08-21.jsonl.gz")
LUA = os.path.join(ROOT, "bench", "paths.lua")
MODEL, DIM = "all-MiniLM-L6-v2", 384
STOP = set("a an and are as at be by for from has in is it its of on or that the this to was were with we our".split())


def target_dir():
    return os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))


def build():
    subprocess.run(["cargo", "build", "--release", "--bin", "paperboy"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "-p", "paperboy-web", "--example", "static_page"], cwd=ROOT, check=True)
    release = os.path.join(target_dir(), "release")
    return os.path.join(release, "paperboy"), os.path.join(release, "examples", "static_page")


def machine():
    flags = open("/proc/cpuinfo").read()
    model = re.search(r"model name\s*:\s*(.*)", flags)
    vector = [f for f in ("avx2", "avx512f", "avx512bw", "avx512vl") if re.search(rf"\b{f}\b", flags)]
    return f"{model.group(1) if model else platform.processor()}, {os.cpu_count()} cores, {'+'.join(vector) or 'no AVX'}"


def run(binary, data_dir, args, env=None, check=True):
    full_env = dict(os.environ, PAPERBOY_LOG="warn", PAPERBOY_KEYPHRASES="false", **(env or {}))
    full_env.pop("PAPERBOY_CONFIG", None)
    return subprocess.run([binary, "--data-dir", data_dir] + args, env=full_env, check=check,
                          stdout=subprocess.PIPE, text=True)


def prepare_sqlite(binary, data_dir, sources=(CORPUS, ARCHIVE)):
    """Imports `sources` into an empty data dir, then gives every paper a synthetic
    vector and fetches the model."""
    database = os.path.join(data_dir, "paperboy.db")
    empty = not os.path.exists(database) or json.loads(run(binary, data_dir, ["stats", "--json"]).stdout)["papers"] == 0
    if empty:
        print(f"importing {', '.join(os.path.basename(s) for s in sources)}", file=sys.stderr)
        run(binary, data_dir, ["import", *sources])
    db = sqlite3.connect(database)
    (vectors,) = db.execute("SELECT COUNT(*) FROM embeddings WHERE model = ?", (MODEL,)).fetchone()
    papers = db.execute("SELECT id, change_seq FROM papers").fetchall()
    if vectors < len(papers):
        print(f"writing {len(papers)} synthetic vectors", file=sys.stderr)
        rng = np.random.default_rng(7)
        matrix = rng.normal(size=(len(papers), DIM)).astype("<f4")
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        with db:
            # source_seq = the paper's change_seq marks each vector current, so the
            # server's embedding job finds nothing to do.
            db.executemany(
                "INSERT OR REPLACE INTO embeddings (model, paper_id, dim, vector, text_hash, source_seq, stored_seq) "
                "VALUES (?, ?, ?, ?, 0, ?, 0)",
                ((MODEL, pid, DIM, matrix[i].tobytes(), seq) for i, (pid, seq) in enumerate(papers)))
    db.close()
    if not os.path.isdir(os.path.join(data_dir, "models", MODEL)):
        run(binary, data_dir, ["model", "fetch"])


def start_postgres(work):
    url = os.environ.get("PAPERBOY_BENCH_POSTGRES_URL")
    if url:
        return url, None
    bins = sorted(d for d in os.listdir("/usr/lib/postgresql") if d.isdigit())
    if not bins:
        sys.exit("no PostgreSQL binaries: apt-get install postgresql, or set PAPERBOY_BENCH_POSTGRES_URL")
    pg_bin = os.path.join("/usr/lib/postgresql", bins[-1], "bin")
    pg_dir = tempfile.mkdtemp(prefix="paperboy-bench-pg-")
    as_pg = []
    if os.geteuid() == 0:
        shutil.chown(pg_dir, "postgres", "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run(as_pg + [f"{pg_bin}/initdb", "-D", f"{pg_dir}/data", "--auth=trust", "--username=postgres",
                            "--encoding=UTF8", "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL)
    opts = (f"-p {port} -k {pg_dir} -c listen_addresses=127.0.0.1 -c max_connections=300 "
            "-c shared_buffers=1GB -c synchronous_commit=off")
    subprocess.run(as_pg + [f"{pg_bin}/pg_ctl", "-D", f"{pg_dir}/data", "-l", f"{pg_dir}/log", "-w", "start",
                            "-o", opts], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(as_pg + [f"{pg_bin}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                            "paperboy"], check=True)

    def stop():
        subprocess.run(as_pg + [f"{pg_bin}/pg_ctl", "-D", f"{pg_dir}/data", "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL)
        shutil.rmtree(pg_dir, ignore_errors=True)
    return f"postgres://postgres@127.0.0.1:{port}/paperboy", stop


def prepare_postgres(binary, sqlite_dir, pg_dir, url):
    env = {"PAPERBOY_DATABASE_URL": url}
    stats = json.loads(run(binary, pg_dir, ["stats", "--json"], env).stdout)
    if stats["papers"] == 0:
        print("copying into PostgreSQL (paperboy store copy)", file=sys.stderr)
        run(binary, pg_dir, ["store", "copy", "--from", "sqlite:" + os.path.join(sqlite_dir, "paperboy.db"),
                             "--to", url])
    if not os.path.isdir(os.path.join(pg_dir, "models", MODEL)):
        shutil.copytree(os.path.join(sqlite_dir, "models"), os.path.join(pg_dir, "models"))
    run(binary, pg_dir, ["reindex"], env)


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, argv, env=None):
        full_env = dict(os.environ, PAPERBOY_LOG="warn", PAPERBOY_KEYPHRASES="false", **(env or {}))
        full_env.pop("PAPERBOY_CONFIG", None)
        self.process = subprocess.Popen(argv, env=full_env, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"http://\S+", line)
        if not match:
            self.process.kill()
            sys.exit(f"{argv[0]} printed no address: {line!r}")
        self.url = match.group(0)

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=60) as r:
            return r.status, r.read().decode()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def serve(binary, data_dir, env):
    server = Server([binary, "--data-dir", data_dir, "serve", "--no-sample", "--addr", "127.0.0.1:0"], env)
    deadline = time.time() + 300
    while time.time() < deadline:
        status, body = server.get("/api/papers/search?q=language+models&limit=1")
        page = server.get("/search?q=x&mode=semantic")[1]
        if status == 200 and body != "[]" and "still being fetched" not in page and "embedded so far" not in page:
            return server
        time.sleep(1)
    server.stop()
    sys.exit("paperboy did not get semantic search ready in 5 minutes")


def path_lists(sqlite_dir, work):
    db = sqlite3.connect(os.path.join(sqlite_dir, "paperboy.db"))
    rng = random.Random(20261202)
    days = [d for (d,) in db.execute("SELECT DISTINCT day FROM daily_entries ORDER BY day")]
    rows = db.execute("SELECT id, title, summary FROM papers").fetchall()
    db.close()
    sample = rng.sample(rows, 2000)
    short, long_ = [], []
    for _, title, summary in sample:
        w = [x for x in re.findall(r"[A-Za-z][A-Za-z0-9-]+", title) if x.lower() not in STOP]
        if len(w) >= 2:
            short.append(" ".join(rng.sample(w, 2)))
        s = summary.split()
        if len(s) >= 24:
            start = rng.randrange(0, len(s) - 12)
            long_.append(" ".join(s[start:start + 12]))
    q = urllib.parse.quote_plus
    lists = {
        "daily_page": [f"/papers/date/{d}" for d in days],
        "paper_page": [f"/papers/{pid}" for pid, _, _ in sample],
        "keyword_search": [f"/search?q={q(s)}&mode=keyword" for s in short],
        "hybrid_search": [f"/search?q={q(s)}" for s in long_],
        "api_daily_papers": [f"/api/daily_papers?date={d}" for d in days],
        "api_paper": [f"/api/papers/{pid}" for pid, _, _ in sample],
        "pathological": [
            "/search?q=" + q("a" + "\u0301" * 500),
            "/search?q=" + q(" ".join("abcdefghijklmnopqrstuvwxyz"[i % 26] for i in range(200))),
            "/search?q=" + q("language " * 110),
            "/api/papers/search?q=" + q("the of and a to in"),
        ],
        "healthz": ["/healthz"],
    }
    files = {}
    for name, paths in lists.items():
        path = os.path.join(work, f"paths-{name}.txt")
        with open(path, "w") as f:
            f.write("\n".join(paths) + "\n")
        files[name] = path
    return files


def wrk(url, paths_file, connections, seconds, threads=1):
    return subprocess.Popen(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "10s",
         "-s", LUA, url, "--", paths_file],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse(output):
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", output, re.M)
        result[f"p{pct}"] = ms(m.group(1)) if m else float("nan")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non2xx"] = int(bad.group(1)) if bad else 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["socket_errors"] = sum(map(int, errors.groups())) if errors else 0
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    return result


def phase(runs):
    """Runs wrk processes at once; returns their parsed results by name."""
    started = {name: wrk(*args) for name, args in runs.items()}
    return {name: parse(p.communicate()[0]) for name, p in started.items()}


def profile(url, paths_file, n=300):
    """Hybrid searches one at a time: latency percentiles, and where the time went
    (the Server-Timing header: keyword, embed, scan, hydrate, highlight)."""
    import http.client
    paths = open(paths_file).read().split()
    host = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    totals, phases = [], {}
    for path in paths[:n]:
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        totals.append((time.perf_counter() - started) * 1000)
        for part in (response.getheader("server-timing") or "").split(","):
            m = re.match(r"\s*(\w+);dur=([\d.]+)", part)
            if m:
                phases.setdefault(m.group(1), []).append(float(m.group(2)))
    conn.close()
    pct = lambda xs, q: sorted(xs)[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")
    result = {"p50": pct(totals, 0.5), "p99": pct(totals, 0.99), "max": max(totals), "n": len(totals)}
    result["phases"] = {k: {"p50": pct(v, 0.5), "p99": pct(v, 0.99)} for k, v in phases.items()}
    return result


def bench_backend(name, binary, data_dir, env, static_url, files, seconds):
    print(f"== {name}", file=sys.stderr)
    server = serve(binary, data_dir, env)
    url = server.url
    results = {}
    try:
        # Warm up: the first requests load pages into caches, as on a server in use.
        phase({"warm": (url, files["daily_page"], 16, 5)})
        results["profile"] = profile(url, files["hybrid_search"])
        # The static server answers every path with its page.
        results["static"] = phase({"static": (static_url, files["daily_page"], 256, seconds, 2)})["static"]
        results["daily_alone"] = phase({"daily_alone": (url, files["daily_page"], 256, seconds, 2)})["daily_alone"]
        mix = {
            "daily_page": 64, "paper_page": 64, "keyword_search": 32,
            "hybrid_search": 32, "api_daily_papers": 32, "api_paper": 32,
        }
        results["mix"] = phase({route: (url, files[route], conns, seconds) for route, conns in mix.items()})
        iso = phase({
            "pathological": (url, files["pathological"], 8, seconds // 2),
            "healthz": (url, files["healthz"], 1, seconds // 2),
            "daily_page": (url, files["daily_page"], 1, seconds // 2),
        })
        results["isolation"] = iso
        # Paper pages while hybrid searches run alongside (8 connections each).
        results["beside_search"] = phase({
            "hybrid_search": (url, files["hybrid_search"], 8, seconds // 2),
            "paper_page": (url, files["paper_page"], 8, seconds // 2),
        })
    finally:
        server.stop()
    return results


def table(name, r):
    rows = [f"\n### {name}\n", "| phase | route | requests/s | p50 ms | p99 ms | non-2xx |", "|---|---|---|---|---|---|"]
    def row(ph, route, x):
        rows.append(f"| {ph} | {route} | {x['rps']:.0f} | {x['p50']:.2f} | {x['p99']:.2f} | {x['non2xx']} |")
    row("alone", "static page (baseline)", r["static"])
    row("alone", "daily list page", r["daily_alone"])
    for route, x in r["mix"].items():
        row("mix, 256 connections", route, x)
    for route, x in r["isolation"].items():
        row("isolation", route, x)
    for route, x in r["beside_search"].items():
        row("paper pages beside hybrid search", route, x)
    ratio = r["daily_alone"]["rps"] / r["static"]["rps"]
    rows.append(f"\ndaily list page: {ratio:.0%} of the static baseline's requests/s")
    p = r["profile"]
    rows.append(f"\nhybrid search, one query at a time ({p['n']} queries): p50 {p['p50']:.1f} ms, "
                f"p99 {p['p99']:.1f} ms, max {p['max']:.1f} ms; by phase (p50 / p99 ms): " +
                ", ".join(f"{k} {v['p50']:.2f} / {v['p99']:.2f}" for k, v in p["phases"].items()))
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--work", default=os.path.join(ROOT, "bench", "out", "load"))
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    binary, static = build()
    os.makedirs(args.work, exist_ok=True)
    sqlite_dir = os.path.join(args.work, "sqlite")
    prepare_sqlite(binary, sqlite_dir)
    files = path_lists(sqlite_dir, args.work)
    static_server = Server([static, "127.0.0.1:0"])
    report = {"machine": machine(), "seconds": args.seconds, "backends": {}}
    stop_pg = None
    try:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                report["backends"]["sqlite"] = bench_backend("SQLite", binary, sqlite_dir, {}, static_server.url,
                                                             files, args.seconds)
            elif backend == "postgres":
                url, stop_pg = start_postgres(args.work)
                pg_dir = os.path.join(args.work, "postgres")
                os.makedirs(pg_dir, exist_ok=True)
                prepare_postgres(binary, sqlite_dir, pg_dir, url)
                report["backends"]["postgres"] = bench_backend(
                    "PostgreSQL", binary, pg_dir, {"PAPERBOY_DATABASE_URL": url}, static_server.url, files,
                    args.seconds)
    finally:
        static_server.stop()
        if stop_pg:
            stop_pg()
    print(f"machine: {report['machine']}; {args.seconds} s per phase; wrk on the same machine")
    failed = False
    for name, r in report["backends"].items():
        print(table(name, r))
        for route, x in r["mix"].items():
            if x["non2xx"] or x["socket_errors"]:
                failed = True
                print(f"FAIL: {name} {route}: {x['non2xx']} non-2xx, {x['socket_errors']} socket errors")
    with open(os.path.join(args.work, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
