#!/usr/bin/env python3
"""Runs the examples in README.md and checks that they print what the README shows.

Every ```console block holds commands (`$ ...`, continued by a trailing backslash) each
followed by its output. `copydesk` runs the given binary, `grpcurl` talks to the given server
(the README's 127.0.0.1:50051 becomes --addr). A command whose comment says `abridged` only has
to print the shown lines, in order; every other command must print exactly what is shown.

    tools/readme_examples.py --bin target/release/copydesk --addr 127.0.0.1:PORT [--only grpcurl|copydesk] [--update]

--update rewrites the shown outputs of the exact examples with what the commands print now.
Standard library only. Exit 1 with a diff where an example drifted.
"""

import argparse
import difflib
import os
import re
import subprocess
import sys

README_ADDR = "127.0.0.1:50051"


def blocks(lines):
    """(start, end) line indexes of the bodies of ```console blocks."""
    out, start = [], None
    for i, line in enumerate(lines):
        if start is None and line.strip() == "```console":
            start = i + 1
        elif start is not None and line.strip() == "```":
            out.append((start, i))
            start = None
    return out


def examples(lines, start, end):
    """(command, comment, first output line, end of output) of one block."""
    out, i = [], start
    while i < end:
        if not lines[i].startswith("$ "):
            i += 1
            continue
        cmd = lines[i][2:]
        while cmd.endswith("\\") and i + 1 < end:
            i += 1
            cmd = cmd[:-1] + " " + lines[i].strip()
        i += 1
        first = i
        while i < end and not lines[i].startswith("$ "):
            i += 1
        comment = ""
        m = re.search(r"\s+#\s*(.*)$", cmd)
        if m and cmd[: m.start()].count("'") % 2 == 0:
            comment, cmd = m.group(1), cmd[: m.start()]
        out.append((cmd.strip(), comment, first, i))
    return out


def run(cmd, args):
    tool = cmd.split()[0]
    if tool == "copydesk":
        cmd = args.bin + cmd[len("copydesk"):]
    elif tool == "grpcurl":
        cmd = cmd.replace(README_ADDR, args.addr)
    p = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, cwd=args.root, timeout=120)
    return (p.stdout + p.stderr).rstrip("\n").split("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--addr", default=README_ADDR)
    ap.add_argument("--only", choices=["grpcurl", "copydesk"])
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--readme", default=None)
    args = ap.parse_args()
    args.root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    args.bin = os.path.abspath(args.bin)
    path = args.readme or os.path.join(args.root, "README.md")
    lines = open(path, encoding="utf-8").read().split("\n")
    failed, checked, edits = 0, 0, []
    for start, end in blocks(lines):
        for cmd, comment, first, last in examples(lines, start, end):
            tool = cmd.split()[0]
            if tool not in ("copydesk", "grpcurl") or (args.only and tool != args.only):
                continue
            shown = lines[first:last]
            while shown and not shown[-1].strip():
                shown.pop()
            got = run(cmd, args)
            checked += 1
            if "abridged" in comment:
                it = iter(got)
                ok = all(any(g.rstrip() == s.rstrip() for g in it) for s in shown)
            else:
                ok = [s.rstrip() for s in shown] == [g.rstrip() for g in got]
                if not ok and args.update:
                    edits.append((first, first + len(shown), got))
                    continue
            if not ok:
                failed += 1
                print(f"README example drifted: $ {cmd}")
                sys.stdout.writelines(
                    l + "\n" for l in difflib.unified_diff(shown, got, "README", "now", lineterm="")
                )
    for a, b, got in sorted(edits, reverse=True):
        lines[a:b] = got
    if edits:
        open(path, "w", encoding="utf-8").write("\n".join(lines))
        print(f"updated {len(edits)} example outputs in {path}")
    print(f"{checked} README examples run, {failed} drifted")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
