import re, sys, json
TYPES = {"sexual_exploitation","forced_labour","domestic_servitude","child_exploitation","forced_criminality","organ_removal","forced_marriage","forced_begging","not_recorded",
         "drug","arms","wildlife","smuggling","accident","fiction","sidebar","politics","awareness","research","stats","sport","other","trade","fraud","abuse"}
def parse(line):
    p = line.rstrip('\n').split('|')
    k = next(i for i, x in enumerate(p) if x.startswith('http'))
    lang, rel, iso3 = p[0], p[1], p[2]
    rec = dict(lang=lang, rel=rel == '1', iso3=iso3 or None, place=None, group=None, type=None, published=None,
               url=p[k], title=p[k+1], summary='|'.join(p[k+2:]))
    for x in p[3:k]:
        if not x: continue
        if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", x): rec['published'] = x
        elif x in TYPES: rec['type'] = x
        elif re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", x): rec['group'] = x
        else: rec['place'] = x
    assert lang in ('en','es','fr','pt','it','de'), line
    assert rel in '01' and len(rel) == 1, line
    assert iso3 == '' or re.fullmatch('[A-Z]{3}', iso3), line
    assert rec['title'] and rec['summary'], line
    return rec
if __name__ == '__main__':
    n = 0
    for f in sys.argv[1:]:
        for i, line in enumerate(open(f), 1):
            if line.strip():
                try: parse(line); n += 1
                except Exception as e: print(f, i, repr(e)[:200])
    print(n)
