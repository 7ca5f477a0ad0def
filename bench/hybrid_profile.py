#!/usr/bin/env python3
"""Hybrid search latency, one query at a time, and where the time goes.

Measures 300 hybrid searches (/search?q=<12 words of an abstract>), sent one after
the other on one connection to `paperboy serve` over the 80k-paper SQLite data dir
of bench/load_bench.py (arXiv corpus + HF archive, synthetic vectors, queries
embedded by the real model). Prints the machine's CPU and vector extensions, then
p50/p99/max of the whole request and p50/p99 of each phase the server reports in its
Server-Timing header (keyword, embed, scan, hydrate, highlight; keyword and embed
run at the same time, on the search pool's threads). The machine may be shared:
before each run it waits (--max-wait) for other processes to go quiet, each run
says how many cores other processes kept busy while it ran, and a run during which
they kept over 0.2 cores busy is measured again (--tries; the quietest try counts).

Each measured run starts a fresh server (an empty query-embedding cache), warms it
with 100 other hybrid queries, then measures. The data dir's files are read once
before anything is measured, so every binary sees a warm page cache. Each binary is
measured --runs times (default 2), runs of the binaries taking turns.

With --compare-binary, a second binary is measured on the same data dir, and the
ratios (compare / binary) of the medians over runs are printed. The AVX2-only build
this was written for: the same source with "x86-v4" removed from the `pulp` entry
of the workspace Cargo.toml (so only the x86-v3 kernels exist), built into its own
target dir:
    CARGO_TARGET_DIR=/tmp/target-avx2 cargo build --release -p paperboy

Usage: python3 bench/hybrid_profile.py [--binary PATH] [--compare-binary PATH]
                                       [--work DIR] [--queries 300] [--runs 2] [--papers N]
With --papers N the data dir holds only the first N papers of the corpus (the issue's
AVX2 figures were taken on 10,000 papers).
Without --binary it builds (cargo build --release) and uses target_dir()/release/paperboy.
Needs: numpy (for the synthetic vectors), and the model (fetched by `paperboy model fetch`).
"""
import argparse
import gzip
import itertools
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load_bench  # noqa: E402

PHASES = ("keyword", "embed", "scan", "hydrate", "highlight")
WARM_QUERIES = 100
NOISY = 0.2  # cores kept busy by other processes during a run above which it is measured again


def warm_page_cache(data_dir):
    """Reads every file of the data dir once (the database, the index, the model)."""
    for root, _, files in os.walk(data_dir):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                while f.read(1 << 20):
                    pass


def cpu_seconds(pid=None):
    """CPU seconds used so far by the whole machine (pid None) or by one process."""
    tick = os.sysconf("SC_CLK_TCK")
    if pid is None:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, open("/proc/stat").readline().split()[1:9])
        return (user + nice + system + irq + softirq + steal) / tick
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick


def wait_for_quiet(max_wait, idle=0.15):
    """Waits (at most max_wait seconds) until other processes use under `idle` cores."""
    deadline = time.monotonic() + max_wait
    while True:
        start, busy = time.monotonic(), cpu_seconds()
        time.sleep(3)
        load = (cpu_seconds() - busy) / (time.monotonic() - start)
        if load < idle or time.monotonic() > deadline:
            return load


def measure(binary, data_dir, measured, warm):
    """One run: a fresh server, warmed with other queries, then the profile. Also
    how busy other processes kept the (shared) machine meanwhile, in cores."""
    server = load_bench.serve(binary, data_dir, {})
    pid = server.process.pid
    try:
        load_bench.profile(server.url, warm, n=WARM_QUERIES)
        before = (time.monotonic(), cpu_seconds(), cpu_seconds(pid), sum(os.times()[:2]))
        result = load_bench.profile(server.url, measured, n=10**9)
        after = (time.monotonic(), cpu_seconds(), cpu_seconds(pid), sum(os.times()[:2]))
    finally:
        server.stop()
    wall, machine, ours, client = (b - a for a, b in zip(before, after))
    result["others"] = max(0.0, machine - ours - client) / wall
    return result


def row(label, r):
    cells = [label, f"{r['others']:.2f}", f"{r['p50']:.1f}", f"{r['p99']:.1f}", f"{r['max']:.1f}"]
    for name in PHASES:
        p = r["phases"].get(name)
        cells.append(f"{p['p50']:.2f} / {p['p99']:.2f}" if p else "-")
    return "| " + " | ".join(cells) + " |"


def median(runs):
    """The median of runs, field by field (phases missing from a run count as absent)."""
    mid = statistics.median
    out = {k: mid([r[k] for r in runs]) for k in ("p50", "p99", "max")}
    out["phases"] = {}
    for name in PHASES:
        ps = [r["phases"][name] for r in runs if name in r["phases"]]
        if ps:
            out["phases"][name] = {q: mid([p[q] for p in ps]) for q in ("p50", "p99")}
    return out


def ratio_row(label, a, b):
    div = lambda x, y: f"{x / y:.2f}x" if y else "-"
    cells = [label, ""] + [div(b[k], a[k]) for k in ("p50", "p99", "max")]
    for name in PHASES:
        pa, pb = a["phases"].get(name), b["phases"].get(name)
        cells.append(f"{div(pb['p50'], pa['p50'])} / {div(pb['p99'], pa['p99'])}" if pa and pb else "-")
    return "| " + " | ".join(cells) + " |"


def spread(runs):
    """The largest relative difference between runs, over p50 and p99."""
    worst = 0.0
    for k in ("p50", "p99"):
        xs = [r[k] for r in runs]
        worst = max(worst, (max(xs) - min(xs)) / min(xs))
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", help="paperboy binary (default: build and use the release binary)")
    parser.add_argument("--compare-binary", help="a second paperboy binary, measured on the same data")
    parser.add_argument("--work", default=os.path.join(load_bench.ROOT, "bench", "out", "hybrid"))
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--papers", type=int,
                        help="only the first N papers of the corpus (no HF archive), in a data dir of their own")
    parser.add_argument("--tries", type=int, default=3,
                        help="measure a run again while other processes kept over 0.2 cores busy")
    parser.add_argument("--max-wait", type=float, default=600,
                        help="seconds to wait, before each run, for other processes to go quiet")
    args = parser.parse_args()
    binary = args.binary or load_bench.build()[0]
    binaries = {"binary": binary}
    if args.compare_binary:
        binaries["compare"] = args.compare_binary

    os.makedirs(args.work, exist_ok=True)
    if args.papers:
        # The first N papers of the corpus, in a data dir of their own.
        data_dir = os.path.join(args.work, f"sqlite-{args.papers}")
        os.makedirs(data_dir, exist_ok=True)
        corpus = os.path.join(args.work, f"corpus-{args.papers}.jsonl.gz")
        if not os.path.exists(corpus):
            with gzip.open(load_bench.CORPUS, "rt") as source, gzip.open(corpus + ".part", "wt") as out:
                for line in itertools.islice(source, args.papers):
                    out.write(line)
            os.replace(corpus + ".part", corpus)
        load_bench.prepare_sqlite(binary, data_dir, sources=(corpus,))
    else:
        data_dir = os.path.join(args.work, "sqlite")
        os.makedirs(data_dir, exist_ok=True)
        load_bench.prepare_sqlite(binary, data_dir)
    hybrid = open(load_bench.path_lists(data_dir, args.work)["hybrid_search"]).read().split()
    if len(hybrid) < args.queries + WARM_QUERIES:
        sys.exit(f"only {len(hybrid)} hybrid queries; need {args.queries + WARM_QUERIES}")
    measured, warm = os.path.join(args.work, "measured.txt"), os.path.join(args.work, "warm.txt")
    with open(measured, "w") as f:
        f.write("\n".join(hybrid[:args.queries]) + "\n")
    with open(warm, "w") as f:
        f.write("\n".join(hybrid[args.queries:args.queries + WARM_QUERIES]) + "\n")

    warm_page_cache(data_dir)
    results = {name: [] for name in binaries}
    for run in range(args.runs):
        for name, path in binaries.items():
            tries = []
            while len(tries) < args.tries and (not tries or tries[-1]["others"] > NOISY):
                load = wait_for_quiet(args.max_wait)
                print(f"run {run + 1}, try {len(tries) + 1}: {path} (others busy before: {load:.2f} cores)",
                      file=sys.stderr)
                tries.append(measure(path, data_dir, measured, warm))
                print(f"  p50 {tries[-1]['p50']:.1f} ms, p99 {tries[-1]['p99']:.1f} ms, "
                      f"others busy during: {tries[-1]['others']:.2f} cores", file=sys.stderr)
            results[name].append(min(tries, key=lambda r: r["others"]))

    print(f"machine: {load_bench.machine()}")
    papers = f"the first {args.papers} papers of the corpus" if args.papers else "the corpus and the HF archive"
    print(f"hybrid search, one query at a time: {args.queries} queries per run, SQLite, {papers}, "
          f"{WARM_QUERIES} warm-up queries per server start; 'others' = cores kept busy by "
          f"other processes during the run (the machine is shared: a run above {NOISY} was retried, up to --tries, "
          "and the quietest try is shown)")
    for name, path in binaries.items():
        print(f"{name}: {path}")
    print("\n| run | others | p50 ms | p99 ms | max ms | " + " | ".join(f"{p} p50 / p99 ms" for p in PHASES) + " |")
    print("|---" * (5 + len(PHASES)) + "|")
    for name, runs in results.items():
        for i, r in enumerate(runs):
            print(row(f"{name} #{i + 1} (n={r['n']})", r))
    if "compare" in results:
        print(ratio_row("ratio compare/binary (medians)", median(results["binary"]), median(results["compare"])))
    for name, runs in results.items():
        if len(runs) > 1 and spread(runs) > 0.15:
            print(f"note: {name}'s runs differ by {spread(runs):.0%} (p50 or p99)")


if __name__ == "__main__":
    main()
