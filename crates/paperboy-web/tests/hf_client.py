"""Reads a paperboy server with the real `huggingface_hub` client and prints, as JSON,
what the client made of each answer. The Rust test `hf_client` runs it and compares.

Usage:
  python3 hf_client.py ENDPOINT read DATE WEEK PAPER_ID OLD_STYLE_ID MISSING_ID
  python3 hf_client.py ENDPOINT search LIMIT QUERY...
"""

import json
import sys

try:
    from huggingface_hub import HfApi
    from huggingface_hub.utils import HfHubHTTPError
except ImportError as err:
    sys.exit(f"huggingface_hub is not importable ({err}): pip install huggingface_hub")


def brief(info):
    """The fields of a PaperInfo the test compares."""
    return {
        "id": info.id,
        "title": info.title,
        "upvotes": info.upvotes or 0,
        "authors": [a.name for a in info.authors or []],
        "published_at": info.published_at.isoformat() if info.published_at else None,
        "submitted_at": info.submitted_at.isoformat() if info.submitted_at else None,
        "summary_start": (info.summary or "")[:40],
        "github_repo": info.github_repo,
        "comments": info.comments,
    }


def read(api, day, week, paper_id, old_style_id, missing_id):
    """Daily lists and paper pages."""
    out = {
        "date": [brief(p) for p in api.list_daily_papers(date=day, token=False)],
        "week": [brief(p) for p in api.list_daily_papers(week=week, token=False)],
        "page_1_of_3": [
            brief(p) for p in api.list_daily_papers(date=day, p=1, limit=3, token=False)
        ],
        "trending": [brief(p) for p in api.list_daily_papers(sort="trending", token=False)],
        "paper": brief(api.paper_info(paper_id)),
        "old_style": brief(api.paper_info(old_style_id)),
    }
    try:
        api.paper_info(missing_id)
        out["missing_status"] = 200
    except HfHubHTTPError as err:
        out["missing_status"] = err.response.status_code
    return out


def search(api, limit, *queries):
    """`list_papers(query=...)` for each query: the papers the client parsed."""
    return {
        query: [brief(p) for p in api.list_papers(query=query, limit=int(limit), token=False)]
        for query in queries
    }


def main():
    endpoint, command, *args = sys.argv[1:]
    api = HfApi(endpoint=endpoint, token=False)
    commands = {"read": read, "search": search}
    print(json.dumps(commands[command](api, *args)))


if __name__ == "__main__":
    main()
