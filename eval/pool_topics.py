"""Pools the top 10 of keyword, semantic and hybrid search for each topic query and
writes them, shuffled and without saying which ranker found them, for blind judging.

usage: python3 eval/pool_topics.py BASE_URL eval/topic_queries.txt OUT_DIR
"""
import json, random, sys, urllib.parse, urllib.request

base, queries_path, out = sys.argv[1], sys.argv[2], sys.argv[3]
queries = [q.strip() for q in open(queries_path) if q.strip()]
for n, q in enumerate(queries, 1):
    pool = {}
    for mode in ("keyword", "semantic", "hybrid"):
        url = f"{base}/api/papers/search?" + urllib.parse.urlencode({"q": q, "mode": mode, "limit": 10})
        with urllib.request.urlopen(url) as r:
            rankers = r.headers.get("X-Search-Rankers") or r.headers.get("x-paperboy-rankers")
            items = json.load(r)
        if mode != "keyword" and "semantic" not in (rankers or ""):
            sys.exit(f"{mode} search answered by {rankers!r}: wait until semantic search is ready")
        for item in items[:10]:
            p = item.get("paper", item)
            pool[p["id"]] = (p.get("title", ""), p.get("summary", ""))
    ids = sorted(pool)
    random.Random(n).shuffle(ids)
    with open(f"{out}/q{n:02d}.txt", "w") as f:
        f.write(f"QUERY {n}: {q}\n\n")
        for pid in ids:
            title, abstract = pool[pid]
            f.write(f"[{pid}] {' '.join(title.split())}\n{' '.join(abstract.split())}\n\n")
    print(n, len(ids), q)
