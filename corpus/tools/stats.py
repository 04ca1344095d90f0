"""Check messages.jsonl and print the counts used in the report."""
import json, collections, re, os
HERE = os.path.dirname(os.path.abspath(__file__))
rows = [json.loads(l) for l in open(os.path.join(HERE, "..", "messages.jsonl"))]
keys = ["id","text","source","source_kind","need","who","crisis","crisis_kind","region","second_need","split"]
assert all(list(r) == keys for r in rows), "field order"
assert len({r["id"] for r in rows}) == len(rows), "duplicate id"
assert all(0 < len(r["text"]) <= 600 for r in rows), "length"
assert all((r["split"] == "crisis_test") == (r["crisis"] != "none") for r in rows), "split"
sus = [r["id"] for r in rows if re.search(r"[\w.+-]+@[\w-]+\.\w|(?<![\w/])u/(?!\[user\])\w", r["text"])]
print("possible unmasked identifiers:", sus)
C = collections.Counter
print("total", len(rows))
print("split", dict(C(r["split"] for r in rows)))
print("crisis", dict(C(r["crisis"] for r in rows)))
print("crisis_kind", dict(C((r["crisis"], r["crisis_kind"]) for r in rows if r["crisis"] != "none")))
print("who", dict(C(r["who"] for r in rows)))
print("region", dict(C(r["region"] for r in rows if r["region"])))
print("source_kind", dict(C(r["source_kind"] for r in rows)))
print("need top 40:")
for k, v in C(r["need"] for r in rows).most_common(40): print(f"  {v:4d} {k}")
print("distinct needs", len(set(r["need"] for r in rows)))
nontrain = [r for r in rows if r["split"] != "crisis_test"]
print("train share of non-crisis", round(sum(r["split"] == "train" for r in nontrain) / len(nontrain), 3))
