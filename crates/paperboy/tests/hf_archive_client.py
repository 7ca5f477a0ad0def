"""Reads a paperboy server with the real `huggingface_hub` client and prints, as JSON,
what the client made of it. The Rust test `cli_hf_client` compares this with the HF
archive lines paperboy imported.

Usage: python3 hf_archive_client.py ENDPOINT DATE WEEK PAPER_ID...
"""

import json
import sys

from huggingface_hub import HfApi


def brief(info):
    return {"id": info.id, "title": info.title, "upvotes": info.upvotes or 0}


def every_page(api, **period):
    """All pages of a list, 100 at a time (the client fetches the page it is asked for)."""
    papers, page = [], 0
    while True:
        batch = [brief(p) for p in api.list_daily_papers(p=page, limit=100, token=False, **period)]
        papers.extend(batch)
        if len(batch) < 100:
            return papers
        page += 1


def main(endpoint, day, week, *paper_ids):
    api = HfApi(endpoint=endpoint)
    out = {
        "date": every_page(api, date=day),
        "week": every_page(api, week=week),
        "papers": [brief(api.paper_info(pid)) for pid in paper_ids],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main(*sys.argv[1:])
