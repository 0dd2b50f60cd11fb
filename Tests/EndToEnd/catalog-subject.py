#!/usr/bin/env python3
"""Prints the Subject line `journalctl -x` should show for a journal entry.

usage: catalog-subject.py CATALOG < entry.json
Reads one `journalctl -o json` entry on stdin, looks its MESSAGE_ID up in
CATALOG and substitutes @NAME@ with the entry's fields, as journalctl does.
Exits 1 when the catalog has no entry for that MESSAGE_ID.
"""
import json
import re
import sys


def main():
    entry = json.loads(sys.stdin.readline())
    message_id = entry.get("MESSAGE_ID", "")
    section = None
    with open(sys.argv[1], encoding="utf-8") as catalog:
        for line in catalog:
            if line.startswith("-- "):
                section = line[3:].split()[0]
            elif section == message_id and line.startswith("Subject: "):
                subject = line[len("Subject: "):].rstrip("\n")
                print(re.sub(r"@([A-Z_]+)@", lambda m: str(entry.get(m.group(1), m.group(0))), subject))
                return 0
    print(f"no Subject for MESSAGE_ID {message_id!r} in {sys.argv[1]}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
