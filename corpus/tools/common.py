import re, hashlib
RAW = "/work/corpus-raw"
MAXLEN = 600

def trim(t):
    t = t.strip()
    return t if len(t) <= MAXLEN else t[:MAXLEN]

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?<!\d)(?:\+?\d[\d\-\s().]{8,}\d)(?!\d)")
USER = re.compile(r"(?<![\w/])/?u/[A-Za-z0-9_-]+")

def mask(t):
    t = EMAIL.sub("[email]", t)
    t = PHONE.sub(lambda m: m.group(0) if len(re.sub(r"\D", "", m.group(0))) < 9 else "[phone]", t)
    t = USER.sub("u/[user]", t)
    return t

def split_for(thread, crisis):
    if crisis in ("now", "possible"):
        return "crisis_test"
    h = int(hashlib.sha1(thread.encode("utf-8")).hexdigest()[:8], 16)
    return "train" if h % 10 < 6 else "dev"
