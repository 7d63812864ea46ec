#!/usr/bin/env python3
"""Summarises `jfr print --events jdk.ExecutionSample[,jdk.NativeMethodSample]` output.

    jfr-top.py FILE [INCLUSIVE_REGEX] [TOP_N]

Prints the number of samples, the TOP_N frames that were on top of the stack (self time), and,
when INCLUSIVE_REGEX is given, every frame matching it with the share of samples it appears in
(inclusive time).
"""
import collections
import re
import sys

path = sys.argv[1]
pattern = re.compile(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] else None
top_n = int(sys.argv[3]) if len(sys.argv) > 3 else 15
events = open(path).read().split("Sample {")[1:]
inclusive = collections.Counter()
top = collections.Counter()
n = 0
for e in events:
    frames = re.findall(r"^\s+(\S+?)\(", e, re.M)
    if not frames:
        continue
    n += 1
    top[frames[0]] += 1
    for f in set(frames):
        inclusive[f] += 1
print("samples", n)
print("--- top self frames")
for k, v in top.most_common(top_n):
    print(f"{v:5d} {100 * v / max(n, 1):5.1f}% {k}")
if pattern:
    print("--- inclusive, frames matching", pattern.pattern)
    for k, v in inclusive.most_common(400):
        if pattern.search(k):
            print(f"{v:5d} {100 * v / max(n, 1):5.1f}% {k}")
