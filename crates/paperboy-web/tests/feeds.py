"""Parses a feed with the `feedparser` package, as feed readers do, and prints what
it found as JSON: {"bozo": bool, "bozo_exception": str, "version": str, "title": str,
"entries": [{"title", "link", "summary"}]}.

usage: feeds.py URL
"""
import json
import sys
import urllib.request

import feedparser

with urllib.request.urlopen(sys.argv[1]) as response:
    body = response.read()
parsed = feedparser.parse(body)
print(json.dumps({
    "bozo": bool(parsed.bozo),
    "bozo_exception": str(parsed.get("bozo_exception", "")),
    "version": parsed.version,
    "title": parsed.feed.get("title", ""),
    "entries": [
        {"title": e.get("title", ""), "link": e.get("link", ""), "summary": e.get("summary", "")}
        for e in parsed.entries
    ],
}))
