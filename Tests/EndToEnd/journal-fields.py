#!/usr/bin/env python3
"""Checks journal entries read as `journalctl -o json` on stdin.

usage: journal-fields.py EXPECT...
  NAME=VALUE   the field is present with exactly this value
  NAME~REGEX   the field is present and matches REGEX (re.fullmatch)
  NAME         the field is present and not empty
  !NAME        the field is absent

Passes when at least one entry meets every expectation. Otherwise prints, for
the entry that came closest, one line per unmet expectation, and exits 1.
"""
import json
import re
import sys


def field_text(value):
    # journalctl prints non-UTF-8 values as byte arrays and repeated fields as lists.
    if isinstance(value, list) and all(isinstance(b, int) for b in value):
        return bytes(value).decode("utf-8", "backslashreplace")
    if isinstance(value, list):
        return "\n".join(field_text(v) for v in value)
    return "" if value is None else str(value)


def problems(entry, expectations):
    found = []
    for expect in expectations:
        if expect.startswith("!"):
            name = expect[1:]
            if name in entry:
                found.append(f"{name} should be absent, is {field_text(entry[name])!r}")
            continue
        match = re.match(r"([A-Z0-9_]+)([=~])(.*)", expect, re.S)
        if match is None:
            name = expect
            if not field_text(entry.get(name)):
                found.append(f"{name} missing or empty")
            continue
        name, op, wanted = match.groups()
        if name not in entry:
            found.append(f"{name} missing (want {wanted!r})")
            continue
        value = field_text(entry[name])
        if op == "=" and value != wanted:
            found.append(f"{name}={value!r}, want {wanted!r}")
        elif op == "~" and re.fullmatch(wanted, value, re.S) is None:
            found.append(f"{name}={value!r} does not match {wanted!r}")
    return found


def main():
    expectations = sys.argv[1:]
    entries = [json.loads(line) for line in sys.stdin if line.strip()]
    if not entries:
        print("no journal entries")
        return 1
    best = min((problems(e, expectations) for e in entries), key=len)
    if not best:
        return 0
    print(f"{len(entries)} entries, none matches; closest one:")
    for line in best:
        print(f"  {line}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
