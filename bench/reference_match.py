#!/usr/bin/env python3
"""A straightforward, single-threaded reference for `hcs match`, using only
Python's standard library: the peer that docs/BENCHMARKS.md compares with.

    python3 bench/reference_match.py posts.csv applicants.csv rankings.csv matches.csv

Applicant-proposing deferred acceptance with a heap of assignees per post.
It reads the same files and writes the same matches.csv (rows sorted by
applicant_id, numerically when every id is a number). It trusts its input:
no validation beyond what the csv module does.
"""
import csv
import heapq
import sys


def main(posts_path, applicants_path, rankings_path, out_path):
    capacity = {}
    with open(posts_path, newline="") as f:
        for row in csv.DictReader(f):
            capacity[row["post_id"]] = int(row["capacity"])

    prefs = {}
    with open(applicants_path, newline="") as f:
        for row in csv.DictReader(f):
            prefs.setdefault(row["applicant_id"], []).append((int(row["rank"]), row["post_id"]))
    for a in prefs:
        prefs[a] = [p for _, p in sorted(prefs[a])]

    post_rank = {}
    with open(rankings_path, newline="") as f:
        for row in csv.DictReader(f):
            post_rank.setdefault(row["post_id"], {})[row["applicant_id"]] = int(row["rank"])

    # Keep only mutually acceptable pairs.
    for a, lst in prefs.items():
        prefs[a] = [p for p in lst if a in post_rank.get(p, {})]

    held = {p: [] for p in capacity}  # max-heap by rank: (-rank, applicant)
    nxt = {a: 0 for a in prefs}
    match = {}
    free = list(prefs)
    while free:
        a = free.pop()
        lst = prefs[a]
        while nxt[a] < len(lst):
            p = lst[nxt[a]]
            nxt[a] += 1
            r = post_rank[p][a]
            h = held[p]
            if len(h) < capacity[p]:
                heapq.heappush(h, (-r, a))
                match[a] = p
                break
            if h and -h[0][0] > r:
                _, out = heapq.heapreplace(h, (-r, a))
                del match[out]
                free.append(out)
                match[a] = p
                break

    ids = list(prefs)
    try:
        ids.sort(key=int)
    except ValueError:
        ids.sort()
    with open(out_path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["applicant_id", "post_id"])
        for a in ids:
            w.writerow([a, match.get(a, "")])
    matched = len(match)
    print(f"matched {matched}, unmatched {len(ids) - matched}", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:5])
