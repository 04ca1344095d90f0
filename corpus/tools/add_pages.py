"""Append hand-copied passages from stored web pages (search tool, corpus
"pages") to /work/corpus-raw/cands/pages.jsonl.  Input on stdin: blocks
separated by a line '==='; first line of a block: key|url|source_kind|thread,
the rest is the text exactly as it appears on the page (quotes of one speaker,
without the reporter's words)."""
import sys, json, os
sys.path.insert(0, os.path.dirname(__file__))
from common import RAW, trim, mask
path = f"{RAW}/cands/pages.jsonl"
have = set()
if os.path.exists(path):
    have = {json.loads(l)["key"] for l in open(path)}
n = 0
with open(path, "a") as f:
    for block in sys.stdin.read().split("\n===\n"):
        block = block.strip("\n")
        if not block.strip(): continue
        head, _, text = block.partition("\n")
        key, url, kind, thread = (head.split("|") + [""])[:4]
        if key in have: print("dup", key); continue
        f.write(json.dumps(dict(key=key, text=mask(trim(text.strip())), source=url, source_kind=kind, thread=thread or key), ensure_ascii=False) + "\n")
        have.add(key); n += 1
print(n, "added")
