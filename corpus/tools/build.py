"""Build /work/main/corpus/messages.jsonl from candidate texts
(/work/corpus-raw/cands/*.jsonl, made by extract.py / the pages notes) and the
hand labels in tools/labels/*.txt.

Label line format (whitespace separated, '-' = empty):
  key need who crisis crisis_kind region second_need [thread=<id>]
Lines starting with '#' are comments.  A label line whose key is not in the
candidates is an error.  The output is rewritten whole (atomically) each run,
in label-file order, so re-running after adding a batch appends the batch."""
import json, os, sys, glob, re
sys.path.insert(0, os.path.dirname(__file__))
from common import RAW, split_for, trim

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "messages.jsonl")
NEEDS_OK = re.compile(r"^[a-z][a-z0-9_]*$")
KINDS = {"overdose","stimulant","suicide","self_harm","seizure","withdrawal","injecting_injury","bleeding","pregnancy","child_ingestion","other",""}
REGIONS = {"england","scotland","wales","northern_ireland","ireland","usa","canada","australia",""}

def load_cands():
    # Fallback first: texts already in messages.jsonl (so hand-copied web passages survive
    # even if /work/corpus-raw is gone); fresh candidate files override them.
    c = {}
    if os.path.exists(OUT):
        for line in open(OUT):
            r = json.loads(line)
            c[r["id"]] = {"key": r["id"], "text": r["text"], "source": r["source"],
                          "source_kind": r["source_kind"], "thread": r["id"], "masked": True}
    for fn in glob.glob(f"{RAW}/cands/*.jsonl"):
        for line in open(fn):
            r = json.loads(line); c[r["key"]] = r
    return c

def load_redact():
    red = {}
    p = os.path.join(HERE, "redact.txt")
    for line in open(p):
        if line.startswith("#") or not line.strip(): continue
        k, old, new = line.rstrip("\n").split("\t")
        red.setdefault(k, []).append((old, new))
    return red

def main():
    cands = load_cands()
    red = load_redact()
    out, seen, errors = [], set(), []
    for fn in sorted(glob.glob(os.path.join(HERE, "labels", "*.txt"))):
        for ln, line in enumerate(open(fn), 1):
            line = line.strip()
            if not line or line.startswith("#"): continue
            parts = line.split()
            extra = {p.split("=",1)[0]: p.split("=",1)[1] for p in parts[7:] if "=" in p}
            if len(parts) < 7:
                errors.append(f"{fn}:{ln}: too few fields"); continue
            key, need, who, crisis, kind, region, second = [None if p == "-" else p for p in parts[:7]]
            kind = kind or ""; region = region or ""; second = second or ""
            if key not in cands: errors.append(f"{fn}:{ln}: unknown key {key}"); continue
            if key in seen: errors.append(f"{fn}:{ln}: duplicate {key}"); continue
            if who not in ("self","other","worker","unknown"): errors.append(f"{fn}:{ln}: who {who}")
            if crisis not in ("now","possible","none"): errors.append(f"{fn}:{ln}: crisis {crisis}")
            if (crisis == "none") != (kind == ""): errors.append(f"{fn}:{ln}: crisis/kind mismatch")
            if kind not in KINDS: errors.append(f"{fn}:{ln}: kind {kind}")
            if region not in REGIONS: errors.append(f"{fn}:{ln}: region {region}")
            if not NEEDS_OK.match(need) or (second and not NEEDS_OK.match(second)): errors.append(f"{fn}:{ln}: need")
            if crisis == "now" and need != "emergency": errors.append(f"{fn}:{ln}: crisis now needs need=emergency")
            seen.add(key)
            c = dict(cands[key])
            for old, new in red.get(key, []):
                if old not in c["text"] and not c.get("masked"): errors.append(f"redact: {old!r} not in {key}")
                c["text"] = trim(c["text"].replace(old, new))
            thread = extra.get("thread", c.get("thread", key))
            out.append({"id": key, "text": c["text"], "source": c["source"], "source_kind": c["source_kind"],
                        "need": need, "who": who, "crisis": crisis, "crisis_kind": kind, "region": region,
                        "second_need": second, "split": split_for(thread, crisis)})
    if errors:
        print("\n".join(errors)); sys.exit(1)
    tmp = OUT + ".tmp"
    with open(tmp, "w") as f:
        for r in out: f.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(tmp, OUT)
    print(len(out), "messages written")

if __name__ == "__main__":
    main()
