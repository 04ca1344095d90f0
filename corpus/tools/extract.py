"""Extract candidate real messages from raw downloads in /work/corpus-raw into
/work/corpus-raw/cands/<src>.jsonl (one JSON object per candidate:
key, text, source, source_kind, thread).  Texts are kept exactly as typed,
trimmed to the first 600 characters; only personal identifiers are masked
(see mask() in common.py)."""
import json, re, sys, os, csv
sys.path.insert(0, os.path.dirname(__file__))
from common import RAW, trim, mask

def write(src, rows):
    os.makedirs(f"{RAW}/cands", exist_ok=True)
    with open(f"{RAW}/cands/{src}.jsonl", "w") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(src, len(rows))

def lasse():
    base = f"{RAW}/LasseRegin+medical-question-answer-data"
    commit = "685c9168058f0d68335fdbf728d221afcc71d1a6"
    for fn, src in [("ehealthforumQAs.json", "ehf"), ("icliniqQAs.json", "icq"), ("questionDoctorQAs.json", "qd")]:
        d = json.load(open(f"{base}/{fn}"))
        rows = []
        for i, x in enumerate(d):
            qt = x.get("question_text")
            text = (qt or x["question"]).strip()
            text = re.sub(r"[\r\t]+", " ", text).strip()
            rows.append(dict(key=f"{src}-{i}", text=mask(trim(text)), title=x["question"],
                             source=f"LasseRegin/medical-question-answer-data/{fn}@{commit} ({x['url']})",
                             source_kind="health_qa", thread=f"{src}-{i}"))
        write(src, rows)

def medqa():
    import openpyxl
    wb = openpyxl.load_workbook(f"{RAW}/abachaa+Medication_QA_MedInfo2019/MedInfo2019-QA-Medications.xlsx")
    rows = []; seen = set()
    for i, r in enumerate(list(wb.active.iter_rows(values_only=True))[1:]):
        q = (r[0] or "").strip()
        if not q or q in seen: continue
        seen.add(q)
        rows.append(dict(key=f"medqa-{i}", text=mask(trim(q)),
                         source="abachaa/Medication_QA_MedInfo2019/MedInfo2019-QA-Medications.xlsx@8756adc5f4bb99f6bcff690a13921337d9f9bb7e",
                         source_kind="health_qa", thread=f"medqa-{i}"))
    write("medqa", rows)

def rmhd():
    import pandas as pd
    base = f"{RAW}/pypi/ct/construct_tracker/data/datasets/rally_point_reddit_mental_health"
    rows = []
    for fn in ["rallypoint_reddit_mentalhealth_train_3632.csv", "rallypoint_reddit_mentalhealth_test_908.csv"]:
        d = pd.read_csv(f"{base}/{fn}")
        for _, r in d.iterrows():
            if not str(r["source"]).startswith("reddit"): continue
            sub = r["source"].split()[1]
            rows.append(dict(key=f"rmhd-{int(r['Unnamed: 0'])}-{fn[29:34]}", text=mask(trim(str(r["doc"]).replace("&amp;#x200B;", "").replace("&amp;", "&"))),
                             source=f"PyPI construct-tracker 1.0.16: construct_tracker/data/datasets/rally_point_reddit_mental_health/{fn} (Reddit Mental Health Dataset, Low et al. 2020), r/{sub}",
                             source_kind="forum_post", thread=f"rmhd-{int(r['Unnamed: 0'])}-{fn[29:34]}", sub=sub))
    write("rmhd", rows)

def dreaddit():
    import pandas as pd
    rows = []
    for fn in ["dreaddit-train.csv", "dreaddit-test.csv"]:
        d = pd.read_csv(f"{RAW}/dreaddit/{fn}", encoding="latin-1")
        for _, r in d.iterrows():
            rows.append(dict(key=f"drd-{r['id']}", text=mask(trim(str(r["text"]))),
                             source=f"silverkip/quick-check/data/{fn}@9b3c80de20512eac80aa301fbb5c2fca708df07e (Dreaddit, Turcan & McKeown 2019), r/{r['subreddit']} post {r['post_id']}",
                             source_kind="forum_post", thread=f"drd-{r['post_id']}", sub=r["subreddit"]))
    write("drd", rows)

def clinc():
    d = json.load(open(f"{RAW}/clinc/data_full.json"))
    rows = []
    for part in ["oos_train", "oos_val", "oos_test", "train", "val", "test"]:
        for i, (q, lab) in enumerate(d[part]):
            rows.append(dict(key=f"clinc-{part}-{i}", text=q, intent=lab,
                             source=f"clinc/oos-eval/data/data_full.json@828f8093932c8fe6ca7936c3d2e52903b1c523de [{part}][{i}]",
                             source_kind="other", thread=f"clinc-{part}-{i}"))
    write("clinc", rows)

if __name__ == "__main__":
    for fn in sys.argv[1:] or ["lasse", "medqa", "rmhd", "dreaddit", "clinc"]:
        globals()[fn]()
