"""Build tests/data/osint_real_labelled.jsonl from the hand-labelled items*.txt files.

Split rule, fixed before any model was run: holdout when the first hex digit of
sha1(story_group or url+title) is 0-5 (6/16 = 37.5% of groups), else dev. Items of one
story group always land in the same split.
"""
import glob, hashlib, json, re, sys
from check import parse

EXPLOIT = {"sexual_exploitation", "forced_labour", "domestic_servitude", "child_exploitation",
           "forced_criminality", "organ_removal", "forced_marriage", "forced_begging"}
rows, seen = [], set()
for f in sorted(glob.glob("items*.txt"), key=lambda p: int(re.findall(r"\d+", p)[0])):
    for line in open(f, encoding="utf-8"):
        if not line.strip():
            continue
        r = parse(line)
        key = (r["url"], r["title"])
        if key in seen:
            continue
        seen.add(key)
        rows.append(r)
out = []
for i, r in enumerate(rows, 1):
    group = r["group"] or f"s{i:04d}"
    h = hashlib.sha1((r["group"] or (r["url"] + r["title"])).encode("utf-8")).hexdigest()
    split = "holdout" if h[0] in "012345" else "dev"
    kind = r["type"] or ("not_recorded" if r["rel"] else "other")
    out.append({
        "id": f"r{i:04d}", "title": r["title"], "summary": r["summary"], "url": r["url"],
        "published": r["published"], "language": r["lang"], "relevant": r["rel"],
        "exploitation_type": (kind if kind in EXPLOIT else ("not_recorded" if r["rel"] else None)),
        "kind": ("relevant" if r["rel"] else kind), "country_iso3": r["iso3"], "place_name": r["place"],
        "story_group": group, "split": split,
    })
path = sys.argv[1] if len(sys.argv) > 1 else "../tests/data/osint_real_labelled.jsonl"
with open(path, "w", encoding="utf-8") as fh:
    for o in out:
        fh.write(json.dumps(o, ensure_ascii=False) + "\n")
import collections
print(len(out), collections.Counter(o["split"] for o in out), collections.Counter((o["language"], o["relevant"]) for o in out))
