#!/usr/bin/env python3
"""Writes procwarden alert entries of many hosts in the journal export format.

usage: fleet-export.py DIR ENTRIES HOSTS

Writes DIR/host-NN.export, one per host, ENTRIES in all, shaped like the
daemon's alert entries (the fields of SPEC §4, MESSAGE_ID, PRIORITY) with
_HOSTNAME and _MACHINE_ID of their host, for systemd-journal-remote to turn
into the files a collector holds (make bench-compare's fleet part).
"""
import hashlib
import os
import sys

RULES = [
    ("integrity.disk_mismatch", "high", "05674463b65b43e1ae2a10a72f71ccde"),
    ("integrity.memfd_exec", "high", "b1c8952fe09b4e0da423f4e024ae7712"),
    ("integrity.binary_change", "medium", "e22e57dc98644c238f6d977e558ee1b3"),
    ("integrity.binary_update", "low", "f8c57eb5e1524f888bef99885294fc25"),
]
PRIORITY = {"high": 3, "medium": 4, "low": 5}

directory, entries, hosts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
start = 1_780_000_000_000_000
for h in range(hosts):
    machine = hashlib.md5(b"host-%d" % h).hexdigest()
    boot = hashlib.md5(b"boot-%d" % h).hexdigest()
    count = entries // hosts + (1 if h < entries % hosts else 0)
    with open(os.path.join(directory, "host-%02d.export" % h), "w", encoding="ascii") as out:
        for i in range(count):
            rule, severity, message_id = RULES[i % len(RULES)]
            pid = 1000 + i % 30000
            exe = "/usr/sbin/daemon-%d" % (i % 97)
            realtime = start + (i * hosts + h) * 1000
            out.write(
                f"__REALTIME_TIMESTAMP={realtime}\n__MONOTONIC_TIMESTAMP={realtime - start + 1}\n"
                f"_BOOT_ID={boot}\n_MACHINE_ID={machine}\n_HOSTNAME=host-{h:02d}\n"
                f"SYSLOG_IDENTIFIER=procwardend\nMESSAGE_ID={message_id}\nPRIORITY={PRIORITY[severity]}\n"
                f"MESSAGE=daemon[{pid}]: {rule} for {exe}\n"
                f"PROCWARDEN_RULE={rule}\nPROCWARDEN_SEVERITY={severity}\n"
                f"PROCWARDEN_DEDUP_KEY={hashlib.md5(b'%d-%d' % (h, i)).hexdigest()}\n"
                f"PROCWARDEN_PID={pid}\nPROCWARDEN_UID=0\nPROCWARDEN_COMM=daemon\nPROCWARDEN_EXE={exe}\n"
                f"PROCWARDEN_SHA256={hashlib.sha256(exe.encode()).hexdigest()}\n\n"
            )
