#!/usr/bin/env python3
"""Checks a host-side `procwardend --once --json` report over a container.

usage: container-report.py PID... [+PID...] < report.json

The PIDs are the container's processes; +PID is a host process entered into
the container's root (nsenter --root), held to the same except `container`.
Passes when the report has a record for them, none of them is deleted,
replaced or hidden, no alert names any of them, no alert message anywhere
holds an internal root key ("root="), and every record of a container
process that is still running carries `container` and `root`.
"""
import json
import sys


def main():
    report = json.load(sys.stdin)
    entered = {int(p[1:]) for p in sys.argv[1:] if p.startswith("+")}
    pids = {int(p) for p in sys.argv[1:] if not p.startswith("+")} | entered
    records = [p for p in report["processes"] if p["pid"] in pids]
    if not [r for r in records if r["pid"] in entered] and entered:
        problems_entered = [f"no record for entered pid {sorted(entered)}"]
    else:
        problems_entered = []
    problems = problems_entered
    if not records:
        problems.append(f"no record for any of {sorted(pids)}")
    for r in records:
        if r["exe_state"] in ("deleted", "replaced", "hidden"):
            problems.append(f"pid {r['pid']} ({r['comm']}) is {r['exe_state']}: {r['exe']}")
        if r["pid"] not in entered and r["exe_state"] not in ("vanished", "kernel") and not r.get("container"):
            problems.append(f"pid {r['pid']} ({r['comm']}) has no container (unit {r.get('unit')!r})")
        if r["pid"] not in entered and r["exe_state"] not in ("vanished", "kernel") and not r.get("root"):
            problems.append(f"pid {r['pid']} ({r['comm']}) has no root")
    for a in report["alerts"]:
        if a.get("pid") in pids:
            problems.append(f"alert for container pid {a['pid']}: {a['message']}")
        if "root=" in json.dumps(a):
            problems.append(f"internal key in alert: {a['message']}")
    containers = sorted({r.get("container") or "-" for r in records})
    roots = sorted({r.get("root") or "-" for r in records})
    entered_states = sorted(r["exe_state"] for r in records if r["pid"] in entered)
    print(
        f"{len(records) - len(entered_states)} container processes; container {containers}; root {roots};"
        f" nsenter --root: {entered_states}"
    )
    for p in problems:
        print(p)
    return 1 if problems else 0


sys.exit(main())
