#!/usr/bin/env python3
"""Two twelve-digit division-code editions of about 700,000 rows each, built from two real
editions of Hainan's statistical codes (levels 1-4, from ../shared/data/divisions): the province
copied under 68 province codes, and 41 villages (level 5) under every township. The new edition
carries the real changes between the two Hainan editions in every copy, and per tenth township
a village renamed, one removed and one added, so the diff has thousands of changes of every kind.

usage: divcodes_gen.py OLD.csv NEW.csv OUT_OLD.csv OUT_NEW.csv
"""

import csv
import sys

PROVINCES = [f"{p:02d}" for p in range(11, 79)]
VILLAGES = 41
TYPES = ["街道办事处", "街道", "镇", "乡", "地区", "办事处"]


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return [(r["code"], r["name"]) for r in csv.DictReader(f)]


def stem(name):
    for t in TYPES:
        if name.endswith(t) and len(name) > len(t) + 1:
            return name[: -len(t)]
    return name


def edition(rows, new, stems):
    """`stems`: the old edition's township stems by code, so that a township renamed in form
    only (街道办事处 → 街道) keeps its villages' names."""
    out = []
    for p in PROVINCES:
        for code, name in rows:
            c = p + code[2:]
            out.append((c, name))
            if code[6:9] != "000" and code[9:] == "000":
                # A township's villages, named after the township (the same in both editions
                # while the township keeps its stem).
                s = stems.get(code[2:], stem(name))
                t = int(code[6:9])
                for v in range(1, VILLAGES + 1):
                    vname = f"{s}{v}村委会"
                    if new and t % 10 == 0:
                        if v == 5:
                            vname = f"{s}{v}社区居委会"
                        if v == VILLAGES:
                            continue
                    out.append((c[:9] + f"{v:03d}", vname))
                if new and t % 10 == 0:
                    out.append((c[:9] + f"{VILLAGES + 1:03d}", f"{s}新{VILLAGES + 1}村委会"))
    return out


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("code,name\n")
        for c, n in rows:
            f.write(f"{c},{n}\n")


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    old, new = read(sys.argv[1]), read(sys.argv[2])
    stems = {c[2:]: stem(n) for c, n in old}
    a, b = edition(old, False, stems), edition(new, True, stems)
    write(sys.argv[3], a)
    write(sys.argv[4], b)
    print(f"{sys.argv[3]}: {len(a)} rows; {sys.argv[4]}: {len(b)} rows")


if __name__ == "__main__":
    main()
