#!/usr/bin/env python3
"""Compares two journal entries read as `journalctl -o json`.

usage: same-fields.py SENT RECEIVED
  SENT, RECEIVED  files holding one JSON entry each (the first line counts)

Passes when MESSAGE, MESSAGE_ID and every PROCWARDEN_* field are the same in
both, with none missing or added on either side. Otherwise prints one line
per difference and exits 1.
"""
import json
import sys


def fields(path):
    with open(path, encoding="utf-8") as f:
        entry = json.loads(f.readline())
    return {k: v for k, v in entry.items() if k.startswith("PROCWARDEN_") or k in ("MESSAGE", "MESSAGE_ID")}


sent, received = fields(sys.argv[1]), fields(sys.argv[2])
differences = [
    f"{name}: sent {sent.get(name)!r}, received {received.get(name)!r}"
    for name in sorted(set(sent) | set(received))
    if sent.get(name) != received.get(name)
]
for line in differences:
    print(line)
if not any(k.startswith("PROCWARDEN_") for k in sent):
    print("the sent entry has no PROCWARDEN_* field")
    sys.exit(1)
sys.exit(1 if differences else 0)
