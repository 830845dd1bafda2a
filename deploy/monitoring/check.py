#!/usr/bin/env python3
"""Checks the alert rules and the dashboard against a real scrape of the server.

    check.py --metrics SCRAPE.txt [--rules alerts.yaml] [--dashboard dashboard.json]

- alerts.yaml is YAML with the groups copydesk.rules and copydesk.alerts, the three alerts the
  issue asks for (error ratio, shed ratio, p99), and each alert has `for`, a severity and a
  summary;
- every expression parses as PromQL (with the `promql-parser` package; without it, only the
  metric-name check runs, and says so);
- every metric an expression names is in the scrape (SCRAPE.txt: GET /metrics of the release
  server after some calls), or is a recording rule of the file, or is made by Prometheus (`up`).
  prometheus-client leaves a labelled family out of the exposition until it has a sample
  (copydesk_cancelled_total before any call was cancelled): such a name passes when
  src/grpc/metrics.rs registers it, and is listed as not seen in the scrape.

promtool is not used: it is not on PyPI and Debian's package pulls in the whole server.
Exit 1 with every problem listed.
"""

import argparse
import json
import re
import sys

import yaml

try:
    import promql_parser
except ImportError:  # the name check below still runs
    promql_parser = None

REQUIRED_ALERTS = {"CopydeskErrorRatioHigh", "CopydeskShedding", "CopydeskNormalizeP99High"}
MADE_BY_PROMETHEUS = {"up"}
NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def scrape_names(text):
    """Sample names in the exposition, plus the names a declared family will have."""
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            parts = line.split()
            family, kind = parts[2], parts[3]
            suffixes = {
                "counter": ["_total"],
                "histogram": ["_bucket", "_sum", "_count"],
                "info": ["_info"],
                "gauge": [""],
            }.get(kind, [""])
            names.update(family + s for s in suffixes)
        elif line and not line.startswith("#"):
            m = NAME.match(line)
            if m:
                names.add(m.group(0))
    return names


def registered_names(source):
    """Names registered in src/grpc/metrics.rs, as they are exposed (counters get _total)."""
    try:
        text = open(source, encoding="utf-8").read()
    except OSError:
        return set()
    out = set()
    for name, _kind in re.findall(r'register\(\s*"(\w+)",[^;]*?(\w+)\.clone\(\)', text, re.S):
        out.add(name)
    # A counter family's samples end in _total; a histogram's in _bucket/_sum/_count.
    return out | {n + "_total" for n in out} | {n + s for n in out for s in ("_bucket", "_sum", "_count")}


def names_by_ast(node, out):
    kind = type(node).__name__
    if kind == "VectorSelector" and node.name:
        out.add(node.name)
    for attr in ("lhs", "rhs", "expr", "args", "param", "vector_selector"):
        child = getattr(node, attr, None)
        if child is None:
            continue
        for c in child if isinstance(child, (list, tuple)) else [child]:
            if type(c).__module__.startswith("promql_parser"):
                names_by_ast(c, out)


def names_by_regex(expr):
    """Without a parser: identifiers followed by `{` or `[` or standing alone, less functions
    and keywords, with label matchers and strings removed."""
    stripped = re.sub(r'"[^"]*"', '""', expr)
    stripped = re.sub(r"\{[^}]*\}", "{}", stripped)
    stripped = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", stripped)
    words = set(re.findall(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()", stripped))
    keywords = {"and", "or", "unless", "bool", "offset", "le", "inf", "nan"}
    return {w for w in words if w not in keywords and not re.fullmatch(r"\d+[smhdwy]", w)}


def metric_names(expr, problems, where):
    """Metric names in a PromQL expression (Grafana's variables replaced first)."""
    expr = expr.replace("$__rate_interval", "5m").replace("$__interval", "1m")
    if promql_parser is None:
        return names_by_regex(expr)
    try:
        tree = promql_parser.parse(expr)
    except Exception as e:  # the parser raises its own error types
        problems.append(f"{where}: does not parse as PromQL: {e}")
        return set()
    out = set()
    names_by_ast(tree, out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--metrics", required=True, help="a GET /metrics answer of the server")
    ap.add_argument("--rules", default="deploy/monitoring/alerts.yaml")
    ap.add_argument("--dashboard", default="deploy/monitoring/dashboard.json")
    ap.add_argument("--source", default="src/grpc/metrics.rs")
    args = ap.parse_args()
    scraped = scrape_names(open(args.metrics, encoding="utf-8").read())
    registered = registered_names(args.source)
    unseen = []
    problems = []

    doc = yaml.safe_load(open(args.rules, encoding="utf-8"))
    groups = {g["name"]: g for g in doc.get("groups", [])}
    for want in ("copydesk.rules", "copydesk.alerts"):
        if want not in groups:
            problems.append(f"{args.rules}: no group {want}")
    recorded, used = set(), {}
    alerts = set()
    for g in groups.values():
        for r in g.get("rules", []):
            where = f"{args.rules}: {r.get('alert') or r.get('record')}"
            if "record" in r:
                recorded.add(r["record"])
            else:
                alerts.add(r.get("alert"))
                if not r.get("for") or not r.get("labels", {}).get("severity"):
                    problems.append(f"{where}: needs `for` and a severity label")
                if not r.get("annotations", {}).get("summary"):
                    problems.append(f"{where}: needs a summary annotation")
            for n in metric_names(str(r.get("expr", "")), problems, where):
                used.setdefault(n, where)
    for missing in sorted(REQUIRED_ALERTS - alerts):
        problems.append(f"{args.rules}: no alert {missing}")

    dash = json.load(open(args.dashboard, encoding="utf-8"))
    targets = 0
    for p in dash.get("panels", []):
        for t in p.get("targets", []):
            targets += 1
            where = f"{args.dashboard}: panel {p.get('title')!r}"
            for n in metric_names(t.get("expr", ""), problems, where):
                used.setdefault(n, where)
    for v in dash.get("templating", {}).get("list", []):
        m = re.search(r"label_values\((\w+)", str(v.get("query", "")))
        if m:
            used.setdefault(m.group(1), f"{args.dashboard}: variable {v['name']}")

    for name, where in sorted(used.items()):
        if name in scraped or name in recorded or name in MADE_BY_PROMETHEUS:
            continue
        if name in registered:
            unseen.append(name)
        else:
            problems.append(f"{where}: metric {name} is not exported by the server")
    parser = "PromQL parsed with promql-parser" if promql_parser else "promql-parser missing: PromQL not parsed"
    print(
        f"monitoring: {len(alerts)} alerts, {len(recorded)} recording rules, {targets} dashboard "
        f"queries; {len(used)} metric names used, all checked against the scrape; {parser}"
    )
    if unseen:
        print(f"registered in {args.source}, no sample in this scrape yet: {', '.join(unseen)}")
    if problems:
        print("\n".join(problems))
        sys.exit(1)


if __name__ == "__main__":
    main()
