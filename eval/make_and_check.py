#!/usr/bin/env python3
"""Samples the target papers of the search evaluation set and checks eval/queries.tsv.

Standard library only. Run from the repository root:

    python3 eval/make_and_check.py --sample      # list the seeded targets (title, abstract)
    python3 eval/make_and_check.py --check       # validate queries.tsv, print statistics
    python3 eval/make_and_check.py --check -v    # ... and one line per query
    python3 eval/make_and_check.py --grep WORD [WORD ...]   # papers whose title/abstract
                                                            # contain every WORD
    python3 eval/make_and_check.py --neighbours 5  # BM25 rank of each description's target
                                                   # and its 5 best lexical rivals

The corpus is the 74,728-paper arXiv listing corpus (see ../shared/data/SOURCES.md);
it is looked up at --corpus, $PAPERBOY_EVAL_CORPUS, ../shared/data/ or data/.

How the targets are sampled (all with random.Random(SEED)):
- `description`: per primary-category stratum (DESCRIPTION_QUOTA), papers are shuffled,
  grouped by the month of their first listing date, and taken round-robin over the
  months (month order shuffled too), so that every stratum spreads over the whole
  period. Papers with an abstract shorter than MIN_ABSTRACT characters or marked as
  withdrawn are skipped.
- `title` and `author`: uniformly from the rest of the corpus (same filters).
- `keyword`: papers whose title starts with a coined name followed by a colon
  ("FooNet: ..."), shuffled; the first KEYWORD_COUNT whose name occurs (as a word, case
  insensitive) in the title or abstract of at most KEYWORD_MAX_MATCHES papers.
No paper is a target of two kinds. The queries themselves are written by hand after
reading each target's title and abstract; --check verifies them against the corpus.
"""
import argparse
import collections
import csv
import gzip
import json
import os
import random
import re
import statistics
import sys

SEED = 20260701
CORPUS_NAME = "arxiv_cs_daily_listings_2025-03-18_2026-07-01.jsonl.gz"
DESCRIPTION_QUOTA = [  # (stratum, number of targets); "other" = every other primary category
    ("cs.CV", 20), ("cs.CL", 16), ("cs.AI", 14), ("cs.LG", 8),
    ("cs.IT", 8), ("cs.GR", 8), ("other", 10),
]
TITLE_COUNT = 16
AUTHOR_COUNT = 14
KEYWORD_COUNT = 18
KEYWORD_MAX_MATCHES = 5
MIN_ABSTRACT = 400
KINDS = ("description", "keyword", "title", "author")
MAX_DESCRIPTION_OVERLAP = 0.5
MAX_MEAN_DESCRIPTION_OVERLAP = 0.3

STOPWORDS = set("""
a about above after again against all am an and any are aren't as at be because been before
being below between both but by can cannot could did do does doing don't down during each few
for from further had has have having he her here hers herself him himself his how i if in into
is it its itself just let me more most my myself no nor not of off on once only or other ought
our ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very via was we were
what when where which while who whom why will with would you your yours yourself yourselves
using use used uses one two also within without across toward towards upon onto per vs versus
""".split())
SUFFIXES = ("izations", "ization", "ational", "fulness", "ousness", "iveness", "ations", "ation",
            "ements", "ement", "ments", "ment", "nesses", "ness", "ities", "ity", "ings", "ing",
            "ives", "ive", "ies", "ied", "ers", "er", "ed", "es", "ly", "al", "s")


def stem(word):
    """Crude suffix stripping, applied alike to query and title words."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def words(text):
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOPWORDS]


def stems(text):
    return {stem(w) for w in words(text)}


def same_stem(a, b):
    """Generous on purpose (it can only raise the measured overlap): equal stems, or one
    stem of at least 4 letters is a prefix of the other (gener/generat, segment/segm)."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and long_.startswith(short)


def title_overlap(query, title):
    """Fraction of the query's distinct non-stopword (stemmed) words found in the title."""
    q = stems(query)
    t = stems(title)
    if not q:
        return 0.0
    return sum(1 for w in q if any(same_stem(w, x) for x in t)) / len(q)


def find_corpus(explicit):
    candidates = [explicit, os.environ.get("PAPERBOY_EVAL_CORPUS"),
                  os.path.join("..", "shared", "data", CORPUS_NAME),
                  os.path.join("data", CORPUS_NAME)]
    for path in candidates:
        if path and os.path.exists(path):
            return path
    sys.exit("corpus not found; pass --corpus PATH (%s)" % CORPUS_NAME)


def load(path):
    papers = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            papers.append({
                "id": r["id"], "title": " ".join(r["title"].split()),
                "summary": " ".join(r["summary"].split()), "authors": r["authors"],
                "cat": r["categories"][0] if r["categories"] else "",
                "month": r["listing_dates"][0][:7],
            })
    return papers


def usable(p):
    s = p["summary"].lower()
    return len(p["summary"]) >= MIN_ABSTRACT and "withdraw" not in s[:200]


def stratum(p):
    names = {name for name, _ in DESCRIPTION_QUOTA}
    return p["cat"] if p["cat"] in names else "other"


def name_words(author):
    return set(re.findall(r"[^\W\d_]+", author.lower()))


def contains_word(text_lower, term):
    return re.search(r"(?<![a-z0-9])" + re.escape(term.lower()) + r"(?![a-z0-9])", text_lower) is not None


KEYWORD_TITLE = re.compile(r"^([A-Za-z0-9][\w\-+.]*[A-Z][\w\-+.]*)\s*:")


def sample(papers):
    rng = random.Random(SEED)
    pool = [p for p in papers if usable(p)]
    taken = set()
    targets = []  # (kind, paper, extra)

    for name, quota in DESCRIPTION_QUOTA:
        members = [p for p in pool if stratum(p) == name]
        rng.shuffle(members)
        by_month = collections.defaultdict(list)
        for p in members:
            by_month[p["month"]].append(p)
        months = sorted(by_month)
        rng.shuffle(months)
        got = 0
        while got < quota:
            progressed = False
            for m in months:
                if got < quota and by_month[m]:
                    p = by_month[m].pop(0)
                    targets.append(("description", p, name))
                    taken.add(p["id"])
                    got += 1
                    progressed = True
            if not progressed:
                break

    rest = [p for p in pool if p["id"] not in taken]
    rng.shuffle(rest)
    for kind, count in (("title", TITLE_COUNT), ("author", AUTHOR_COUNT)):
        for p in rest[:count]:
            targets.append((kind, p, ""))
            taken.add(p["id"])
        rest = rest[count:]

    named = [p for p in pool if p["id"] not in taken and KEYWORD_TITLE.match(p["title"])]
    rng.shuffle(named)
    lowered = [(p["title"] + " " + p["summary"]).lower() for p in papers]
    got = 0
    for p in named:
        if got == KEYWORD_COUNT:
            break
        term = KEYWORD_TITLE.match(p["title"]).group(1)
        if len(term) < 3:
            continue
        n = sum(1 for t in lowered if contains_word(t, term))
        if n <= KEYWORD_MAX_MATCHES:
            targets.append(("keyword", p, term))
            taken.add(p["id"])
            got += 1
    return targets


def read_queries(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or rows[0] != ["query", "relevant_ids", "kind"]:
        sys.exit("%s: header must be query<TAB>relevant_ids<TAB>kind" % path)
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != 3:
            sys.exit("%s:%d: expected 3 tab-separated fields, got %d" % (path, n, len(row)))
        q, ids, kind = row
        out.append((n, q.strip(), [i.strip() for i in ids.split(",") if i.strip()], kind.strip()))
    return out


def check(papers, path, verbose):
    by_id = {p["id"]: p for p in papers}
    lowered = {p["id"]: (p["title"] + " " + p["summary"]).lower() for p in papers}
    sampled = {p["id"]: kind for kind, p, _ in sample(papers)}
    queries = read_queries(path)
    problems = []
    per_kind = collections.Counter()
    overlaps = []
    abstract_overlaps = []
    lengths = []
    keyword_counts = []
    author_counts = []
    title_overlaps = []
    seen_queries = set()
    from_sample = 0
    for n, q, ids, kind in queries:
        per_kind[kind] += 1
        where = "line %d (%s)" % (n, q[:50])
        if kind not in KINDS:
            problems.append("%s: unknown kind %r" % (where, kind))
            continue
        if not ids:
            problems.append("%s: no relevant ids" % where)
            continue
        missing = [i for i in ids if i not in by_id]
        if missing:
            problems.append("%s: ids not in corpus: %s" % (where, ",".join(missing)))
            continue
        if len(set(ids)) != len(ids):
            problems.append("%s: repeated id" % where)
        if q.lower() in seen_queries:
            problems.append("%s: duplicate query" % where)
        seen_queries.add(q.lower())
        if ids[0] in sampled:
            from_sample += 1
            if sampled[ids[0]] != kind:
                problems.append("%s: first id was sampled as %s" % (where, sampled[ids[0]]))
        else:
            problems.append("%s: first id %s is not a seeded target" % (where, ids[0]))
        note = ""
        if kind == "description":
            # overlap with the closest of the relevant titles (the most generous figure)
            ov = max(title_overlap(q, by_id[i]["title"]) for i in ids)
            ab = max(title_overlap(q, by_id[i]["summary"]) for i in ids)
            overlaps.append(ov)
            abstract_overlaps.append(ab)
            nw = len(q.split())
            lengths.append(nw)
            if ov > MAX_DESCRIPTION_OVERLAP:
                problems.append("%s: title overlap %.2f > %.2f" % (where, ov, MAX_DESCRIPTION_OVERLAP))
            if not 6 <= nw <= 25:
                problems.append("%s: %d words (want 6-25)" % (where, nw))
            note = "title-overlap %.2f abstract-overlap %.2f words %d" % (ov, ab, nw)
        elif kind == "keyword":
            terms = q.split()
            hits = [i for i, t in lowered.items() if all(contains_word(t, w) for w in terms)]
            keyword_counts.append(len(hits))
            if not set(ids) <= set(hits):
                problems.append("%s: relevant paper lacks the keyword" % where)
            unlisted = [i for i in hits if i not in ids
                        and all(contains_word(by_id[i]["title"].lower(), w) for w in terms)]
            if unlisted:
                problems.append("%s: named in the title of unlisted %s" % (where, ",".join(unlisted)))
            if len(terms) > 2:
                problems.append("%s: keyword queries are one or two words" % where)
            note = "corpus matches %d: %s" % (len(hits), ",".join(sorted(hits)[:8]))
        elif kind == "author":
            toks = q.lower().split()
            # the author part: the longest run of leading query words that all occur in one
            # author name of the first relevant paper; the rest are topic words
            names = [name_words(a) for a in by_id[ids[0]]["authors"]]
            k = 0
            while k < len(toks) and any(set(toks[:k + 1]) <= n for n in names):
                k += 1
            name_tok, topic = toks[:k], toks[k:]
            if not name_tok or not topic:
                problems.append("%s: expected an author name of the first relevant paper, then topic words" % where)
                continue
            if not all(any(set(name_tok) <= name_words(a) for a in by_id[i]["authors"]) for i in ids):
                problems.append("%s: author name not among the authors of every relevant paper" % where)
            cands = [p["id"] for p in papers
                     if any(set(name_tok) <= name_words(a) for a in p["authors"])
                     and all(contains_word(lowered[p["id"]], t) or stem(t) in stems(lowered[p["id"]])
                             for t in topic)]
            author_counts.append(len(cands))
            if not set(ids) <= set(cands):
                problems.append("%s: a relevant paper lacks the topic word(s)" % where)
            unlisted = [c for c in cands if c not in ids]
            if unlisted:
                problems.append("%s: other papers by that name on that topic: %s" % (where, ",".join(unlisted)))
            note = "papers by '%s' with '%s': %d" % (" ".join(name_tok), " ".join(topic), len(cands))
        elif kind == "title":
            ov = title_overlap(q, by_id[ids[0]]["title"])
            title_overlaps.append(ov)
            note = "title-overlap %.2f" % ov
        if verbose:
            print("%-11s %-24s %s | %s" % (kind, ",".join(ids), q, note))

    total = sum(per_kind.values())
    print("queries: %d  (%s)" % (total, ", ".join("%s %d" % (k, per_kind[k]) for k in KINDS)))
    print("first relevant id is a seeded target (seed %d): %d of %d" % (SEED, from_sample, total))
    multi = sum(1 for _, _, ids, _ in queries if len(ids) > 1)
    print("queries with more than one relevant id: %d" % multi)
    months = collections.Counter(by_id[ids[0]]["month"] for _, _, ids, _ in queries if ids and ids[0] in by_id)
    cats = collections.Counter(by_id[ids[0]]["cat"] for _, _, ids, _ in queries if ids and ids[0] in by_id)
    print("target months: %d distinct (%s)" % (len(months), " ".join("%s:%d" % kv for kv in sorted(months.items()))))
    print("target primary categories: %d distinct (%s)" % (len(cats), " ".join("%s:%d" % kv for kv in cats.most_common())))
    if overlaps:
        print("description title overlap (fraction of non-stopword query words in the title):")
        print("  mean %.3f  median %.3f  max %.3f  share 0: %.2f  share <=0.25: %.2f" % (
            statistics.mean(overlaps), statistics.median(overlaps), max(overlaps),
            sum(1 for o in overlaps if o == 0) / len(overlaps),
            sum(1 for o in overlaps if o <= 0.25) / len(overlaps)))
        print("  (same measure against the abstract: mean %.3f)" % statistics.mean(abstract_overlaps))
        print("  words per description: mean %.1f  min %d  max %d" % (
            statistics.mean(lengths), min(lengths), max(lengths)))
        if statistics.mean(overlaps) >= MAX_MEAN_DESCRIPTION_OVERLAP:
            problems.append("mean description title overlap %.3f >= %.2f" % (
                statistics.mean(overlaps), MAX_MEAN_DESCRIPTION_OVERLAP))
    if keyword_counts:
        print("keyword queries: papers containing the term(s) in title/abstract: mean %.1f  max %d" % (
            statistics.mean(keyword_counts), max(keyword_counts)))
    if title_overlaps:
        print("title queries: title overlap mean %.2f  min %.2f" % (statistics.mean(title_overlaps), min(title_overlaps)))
    if author_counts:
        print("author queries: papers by that name matching the topic word(s): mean %.1f  max %d" % (
            statistics.mean(author_counts), max(author_counts)))
    if per_kind["description"] < 70 or total < 120:
        problems.append("need at least 120 queries and 70 descriptions")
    for p in problems:
        print("PROBLEM:", p)
    print("OK" if not problems else "%d problem(s)" % len(problems))
    return not problems


def neighbours(papers, path, top):
    """Lexical sanity check for description queries: BM25 (k1=1.2, b=0.75) over title +
    abstract with the same crude stemming; prints the target's rank and the best-scoring
    other papers, to spot papers that fit a description as well as the target does."""
    import math
    queries = [(q, ids) for _, q, ids, kind in read_queries(path) if kind == "description"]
    vocab = set()
    for q, _ in queries:
        vocab |= stems(q)
    postings = collections.defaultdict(list)
    lengths = []
    for d, p in enumerate(papers):
        toks = [stem(w) for w in words(p["title"] + " " + p["summary"])]
        lengths.append(len(toks))
        for t, c in collections.Counter(x for x in toks if x in vocab).items():
            postings[t].append((d, c))
    n, avg = len(papers), sum(lengths) / len(lengths)
    ranks = []
    for q, ids in queries:
        scores = collections.defaultdict(float)
        for t in stems(q):
            plist = postings.get(t, [])
            idf = math.log(1 + (n - len(plist) + 0.5) / (len(plist) + 0.5))
            for d, c in plist:
                scores[d] += idf * c * 2.2 / (c + 1.2 * (0.25 + 0.75 * lengths[d] / avg))
        order = sorted(scores, key=scores.get, reverse=True)
        pos = {papers[d]["id"]: r + 1 for r, d in enumerate(order)}
        rank = min(pos.get(i, 10 ** 6) for i in ids)
        ranks.append(rank)
        print("%s  rank %s  %s" % (",".join(ids), rank if rank < 10 ** 6 else "-", q))
        for d in order[:top]:
            if papers[d]["id"] not in ids:
                print("      %s %s" % (papers[d]["id"], papers[d]["title"][:110]))
    print("BM25 (title+abstract) recall@10 of description queries: %.3f; MRR %.3f" % (
        sum(1 for r in ranks if r <= 10) / len(ranks), sum(1 / r for r in ranks) / len(ranks)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus")
    ap.add_argument("--queries", default=os.path.join("eval", "queries.tsv"))
    ap.add_argument("--sample", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--grep", nargs="+", metavar="WORD")
    ap.add_argument("--neighbours", type=int, metavar="N",
                    help="for description queries: BM25 rank of the target and the N best others")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if not (args.sample or args.grep or args.check or args.neighbours):
        ap.print_help()
        return
    papers = load(find_corpus(args.corpus))
    if args.sample:
        for kind, p, extra in sample(papers):
            print("=== %s [%s] %s %s %s %s" % (kind, extra, p["id"], p["cat"], p["month"], p["title"]))
            print("authors:", "; ".join(p["authors"][:12]))
            print(p["summary"])
            print()
    if args.grep:
        for p in papers:
            t = (p["title"] + " " + p["summary"]).lower()
            if all(contains_word(t, w) for w in args.grep):
                print(p["id"], p["cat"], p["title"])
    if args.neighbours:
        neighbours(papers, args.queries, args.neighbours)
    if args.check:
        sys.exit(0 if check(papers, args.queries, args.verbose) else 1)


if __name__ == "__main__":
    main()
