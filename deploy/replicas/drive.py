#!/usr/bin/env python3
"""Load driver for the replica test (deploy/replicas/run.sh): W worker threads call
copydesk.v1.NormalizerService/Normalize through a target (nginx) for a fixed time, with or
without gRPC's retry policy, optionally signalling one replica mid-load, and measure.

    python3 drive.py load --target 127.0.0.1:PORT --duration 8 --workers 16 \
        [--no-retry] [--kill-pid PID --kill-signal KILL --kill-at 3 --kill-addr 127.0.0.1:P \
         --kill-metrics http://127.0.0.1:M/metrics] [--access-log nginx/access.log] \
        [--max-failures 0] [--max-recovery 2] [--json out.json] --label NAME
    python3 drive.py table out1.json out2.json ...     # a Markdown table of results

What is measured, and how:
- calls, failures: each Normalize call as the application sees it (after the retries of the
  retry policy, if any), its outcome and completion time (time.time()).
- throughput: successful calls completed per 100 ms bucket; "calls/s" is over the run minus the
  first --warmup seconds.
- recovery (with --kill-*): pre-signal rate = mean of the 100 ms buckets in the 2 s before the
  signal; recovery time = from the signal to the start of the first run of 5 consecutive buckets
  (0.5 s) at or above --recovery-threshold (50 %) of that rate; 0 when it never dips below.
- attempts and retries (with --access-log, nginx's JSON log of run.sh's nginx.conf): grpcio does
  not expose how many attempts a call took, but every attempt is one request at nginx, and a
  retried attempt carries the header grpc-previous-rpc-attempts (gRPC retry design, A6), which
  nginx logs. So: attempts = Normalize requests logged in the run; client retries = those with
  the header; failed attempts = those whose gRPC status was not OK; proxy retries = requests
  nginx sent to more than one replica (grpc_next_upstream: a refused connection); broken on the
  signalled replica = failed attempts whose last replica tried was the signalled one (calls
  nginx had sent to it and not seen answered when its connections broke), and how many of
  those nginx received after the signal (sent to the replica while it was dying).
- with --kill-metrics and --probe-after S1,S2: the signalled replica's Normalize answers
  (copydesk_calls_total, summed over codes) S1 and S2 seconds after the signal, to see whether
  calls still reach it.
"""
import argparse
import glob
import json
import os
import re
import signal
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
METHOD = "/copydesk.v1.NormalizerService/Normalize"

# Short wire copy (about 600 bytes), English so that the replicas' first call compiles only one
# language's rules.
WIRE_TEXT = (
    "Harbour authority approves night ferry to the islands\n\n"
    "PORTSMOUTH, March 3 (Reuters) - The regional harbour authority on Tuesday approved a night "
    "ferry service between the mainland and the outer islands, ending a two-year dispute over "
    "noise and berth fees.\n\n"
    "The first crossings are planned for the summer season. Operators said the timetable would "
    "be published in April, once the crews had been hired and trained.\n\n"
    "Enlarge image\n\n"
    "Residents of the islands had campaigned for the service since the last evening boat was "
    "withdrawn. \"We finally get our evenings back,\" one shop owner said after the vote.\n\n"
    "(Reporting by Jane Doe; Editing by John Roe)"
)

# The service config of the replica test: the retry policy of examples/clients/python/client.py
# (documented in docs/operations.md). Every Normalize call that ends UNAVAILABLE (a replica gone,
# nginx finding no replica) or RESOURCE_EXHAUSTED (a replica shedding) is tried again, up to 4
# attempts in all, after a random backoff of up to 0.1 s, 0.2 s, 0.4 s.
RETRY_SERVICE_CONFIG = {
    "methodConfig": [
        {
            "name": [{"service": "copydesk.v1.NormalizerService"}],
            "timeout": "30s",
            "retryPolicy": {
                "maxAttempts": 4,
                "initialBackoff": "0.1s",
                "maxBackoff": "2s",
                "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE", "RESOURCE_EXHAUSTED"],
            },
        }
    ]
}
NO_RETRY_SERVICE_CONFIG = {
    "methodConfig": [{"name": [{"service": "copydesk.v1.NormalizerService"}], "timeout": "30s"}]
}


def load_stubs(stubs):
    if not stubs:
        stubs = tempfile.mkdtemp(prefix="copydesk-stubs-")
        from grpc_tools import protoc

        proto = os.path.join(ROOT, "proto")
        rc = protoc.main(["protoc", f"-I{proto}", f"--python_out={stubs}", f"--grpc_python_out={stubs}",
                          os.path.join(proto, "copydesk", "v1", "copydesk.proto")])
        if rc != 0:
            sys.exit(f"drive.py: protoc failed ({rc})")
    sys.path.insert(0, stubs)
    from copydesk.v1 import copydesk_pb2, copydesk_pb2_grpc

    return copydesk_pb2, copydesk_pb2_grpc


def scrape(url, timeout=2.0):
    """The replica's Normalize answers (summed over codes) and documents in its engine now;
    None when it does not answer."""
    try:
        text = urllib.request.urlopen(url, timeout=timeout).read().decode()
    except Exception:
        return None
    calls = 0.0
    in_flight = rss = None
    for line in text.splitlines():
        if line.startswith("copydesk_calls_total{") and 'method="Normalize"' in line:
            calls += float(line.rsplit(" ", 1)[1])
        elif line.startswith("copydesk_in_flight "):
            in_flight = float(line.rsplit(" ", 1)[1])
        elif line.startswith("process_resident_memory_bytes "):
            rss = float(line.rsplit(" ", 1)[1])
    return {"calls": calls, "in_flight": in_flight, "rss": rss}


def cpu_seconds(pid):
    """utime + stime of PID and of its direct children that are alive (nginx's workers)."""
    tick = os.sysconf("SC_CLK_TCK")

    def one(p):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return fields[1], (int(fields[11]) + int(fields[12])) / tick  # ppid, utime + stime
        except (OSError, IndexError, ValueError):
            return None, 0.0

    total = one(pid)[1]
    for entry in os.listdir("/proc"):
        if entry.isdigit() and entry != str(pid):
            ppid, cpu = one(entry)
            if ppid == str(pid):
                total += cpu
    return total


def cpu_sample(named):
    out = {name: cpu_seconds(pid) for name, pid in named.items()}
    t = os.times()
    out["driver"] = t.user + t.system
    return out


def split_upstreams(field):
    """nginx's $upstream_addr / $upstream_status: ', ' between replicas tried, ' : ' between
    upstream groups (an internal redirect)."""
    return [p.strip() for p in re.split(r", | : ", field) if p.strip()] if field else []


def read_access_log(path, offset, t0, t1, kill_addr, t_kill):
    out = {"attempts": 0, "retried_attempts": 0, "failed_attempts": 0, "cut_off_attempts": 0, "proxy_retries": 0,
           "answered_per_replica": {}, "broken_on_signalled": 0, "broken_received_after_signal": 0,
           "last_start_on_signalled": None}
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read().decode("utf-8", "replace")
    for line in data.splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("uri") not in (METHOD, "/grpc-unavailable"):
            continue
        end = float(r["msec"])
        start = end - float(r["request_time"])
        if end < t0 - 0.5 or start > t1 + 0.5:
            continue
        out["attempts"] += 1
        prev = r.get("previous_attempts") or ""
        if prev not in ("", "0"):
            out["retried_attempts"] += 1
        # nginx's own failure is a 204 with grpc-status 14 (the /grpc-unavailable page); a 200
        # without any grpc-status is an answer cut off after its headers (the replica died
        # mid-answer, nginx reset the client's stream).
        grpc_status = r.get("grpc_status_trailer") or r.get("grpc_status_header") or ""
        failed = r["status"] != 200 or grpc_status != "0"
        cut_off = r["status"] == 200 and grpc_status == ""
        if failed:
            out["failed_attempts"] += 1
        if cut_off:
            out["cut_off_attempts"] += 1
        addrs = split_upstreams(r.get("upstream_addr", ""))
        statuses = split_upstreams(r.get("upstream_status", ""))
        if len(addrs) > 1:
            out["proxy_retries"] += 1
        for i, a in enumerate(addrs):
            st = statuses[i] if i < len(statuses) else ""
            if st == "200":
                out["answered_per_replica"][a] = out["answered_per_replica"].get(a, 0) + 1
            if kill_addr and a == kill_addr and st == "200":
                last = out["last_start_on_signalled"]
                out["last_start_on_signalled"] = start if last is None else max(last, start)
        if failed and kill_addr and addrs and addrs[-1] == kill_addr and t_kill is not None and end >= t_kill:
            out["broken_on_signalled"] += 1
            if start > t_kill:
                out["broken_received_after_signal"] += 1
    return out


def recovery(buckets, t_start, t_kill, bucket_s, threshold, need=5, window=2.0):
    """Buckets of successful completions; returns (pre-kill rate/s, recovery seconds or None)."""
    k = int((t_kill - t_start) / bucket_s)
    pre = buckets[max(0, k - int(window / bucket_s)):k]
    if not pre:
        return None, None
    pre_rate = sum(pre) / len(pre)
    bar = threshold * pre_rate
    # The bucket that holds the signal counts from its start: a dip in it is a dip after it.
    for i in range(k, len(buckets) - need + 1):
        if all(b >= bar for b in buckets[i:i + need]):
            return pre_rate / bucket_s, max(0.0, (t_start + i * bucket_s) - t_kill)
    return pre_rate / bucket_s, None


def percentile(sorted_vals, p):
    if not sorted_vals:
        return None
    i = min(len(sorted_vals) - 1, max(0, int(round(p / 100.0 * (len(sorted_vals) - 1)))))
    return sorted_vals[i]


def cmd_load(args):
    pb, pb_grpc = load_stubs(args.stubs)
    import grpc

    config = NO_RETRY_SERVICE_CONFIG if args.no_retry else RETRY_SERVICE_CONFIG
    # grpc.enable_retries is grpcio's default (1) either way: without a retry policy it still
    # makes the transparent retries of gRFC A6 (an attempt that never reached the server, e.g.
    # a stream opened as nginx's reload sent GOAWAY), which are not the retry policy's.
    options = [("grpc.service_config", json.dumps(config)), ("grpc.enable_retries", 1)]
    channel = grpc.insecure_channel(args.target, options=options)
    try:
        grpc.channel_ready_future(channel).result(timeout=10)
    except grpc.FutureTimeoutError:
        sys.exit(f"drive.py: {args.target} not reachable in 10 s")
    stub = pb_grpc.NormalizerServiceStub(channel)
    # Normalize with a response decoder that keeps what it could not decode (grpcio reports
    # only "Exception deserializing response!"), to tell a damaged answer from a client fault.
    undecodable = []

    def decode(data):
        try:
            return pb.NormalizeResponse.FromString(data)
        except Exception as e:
            undecodable.append({"bytes": len(data), "error": repr(e)[:200], "head": data[:48].hex(),
                                "tail": data[-48:].hex()})
            raise

    normalize = channel.unary_unary(METHOD, request_serializer=pb.NormalizeRequest.SerializeToString,
                                    response_deserializer=decode)
    good = stub.Normalize(pb.NormalizeRequest(document=pb.Document(id="replica-test", text=WIRE_TEXT)),
                          timeout=30).SerializeToString()
    if args.feed == "fixtures":
        # Every test fixture's input (55 documents, 26 languages, 0.9-3.1 KB) as raw bytes: each replica
        # compiles the rules of every language it meets, as on a mixed feed.
        paths = sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "*", "input.txt")))
        requests = [pb.NormalizeRequest(document=pb.Document(id=os.path.basename(os.path.dirname(p)),
                                                             raw=open(p, "rb").read())) for p in paths]
    else:
        requests = [pb.NormalizeRequest(document=pb.Document(id="replica-test", text=WIRE_TEXT))]
    # (the call above is also the one call before the clock starts)

    log_offset = os.path.getsize(args.access_log) if args.access_log else 0
    cpu_pids = dict((kv.split("=", 1)[0], int(kv.split("=", 1)[1])) for kv in args.cpu_pids.split(",") if kv)
    cpu_before = cpu_sample(cpu_pids)
    stop = threading.Event()
    results = [[] for _ in range(args.workers)]  # per worker: (end, ok, code, latency)
    t_start = time.time()
    t_end = t_start + args.duration

    def worker(n):
        out = results[n]
        i = n
        while not stop.is_set() and time.time() < t_end:
            t0 = time.time()
            i += 1
            try:
                normalize(requests[i % len(requests)], timeout=args.call_timeout)
                out.append((time.time(), True, "OK", time.time() - t0))
            except grpc.RpcError as e:
                out.append((time.time(), False, e.code().name, time.time() - t0, t0, e.details()))

    event = {}

    def signaller():
        if stop.wait(max(0.0, t_start + args.kill_at - time.time())):
            return
        event["t_kill"] = time.time()
        os.kill(args.kill_pid, getattr(signal, "SIG" + args.kill_signal))
        event["probes"] = []
        for s in args.probe_after:
            if stop.wait(max(0.0, event["t_kill"] + s - time.time())):
                return
            event["probes"].append({"after": s, "metrics": scrape(args.kill_metrics) if args.kill_metrics else None})

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(args.workers)]
    for t in threads:
        t.start()
    sig_thread = None
    if args.kill_pid:
        sig_thread = threading.Thread(target=signaller, daemon=True)
        sig_thread.start()
    for t in threads:
        t.join(args.duration + args.call_timeout + 5)
    stop.set()
    if sig_thread:
        sig_thread.join(5)
    t_stop = time.time()
    cpu_after = cpu_sample(cpu_pids)
    rss = {}
    for kv in filter(None, args.rss_metrics.split(",")):
        name, url = kv.split("=", 1)
        m = scrape(url)
        rss[name] = round(m["rss"] / 1e6, 1) if m and m["rss"] is not None else None
    channel.close()

    calls = sorted((r for rs in results for r in rs), key=lambda r: r[0])
    failures = [r for r in calls if not r[1]]
    codes = {}
    for r in failures:
        codes[r[2]] = codes.get(r[2], 0) + 1
    details = {}
    for r in failures:
        details[r[5]] = details.get(r[5], 0) + 1
    bucket_s = 0.1
    nb = int((t_stop - t_start) / bucket_s) + 1
    buckets = [0] * nb
    for r in calls:
        if r[1]:
            buckets[min(nb - 1, int((r[0] - t_start) / bucket_s))] += 1
    measured = [r for r in calls if r[1] and r[0] >= t_start + args.warmup]
    span = max(1e-9, min(t_stop, t_end) - (t_start + args.warmup))
    lat = sorted(r[3] for r in calls if r[1] and r[0] >= t_start + args.warmup)
    res = {
        "label": args.label, "target": args.target, "retry_policy": not args.no_retry,
        "workers": args.workers, "duration_s": round(t_stop - t_start, 2),
        "calls": len(calls), "ok": len(calls) - len(failures), "failures": len(failures),
        "failure_codes": codes, "failure_details": details,
        "calls_per_s": round(len(measured) / span, 1),
        "p50_ms": round(lat and percentile(lat, 50) * 1000 or 0, 2),
        "p99_ms": round(lat and percentile(lat, 99) * 1000 or 0, 2),
        "buckets_100ms": buckets,
        # CPU seconds per wall second over the whole run (2 cores: at most 2.0 in all); a
        # replica that was killed and restarted in the run is not comparable.
        "cpu_cores": {k: round((cpu_after[k] - cpu_before[k]) / max(1e-9, t_stop - t_start), 2)
                      for k in cpu_after},
        "rss_mb_after": rss,
    }
    if undecodable:
        res["undecodable_responses"] = undecodable[:10]
        res["good_response_bytes"] = len(good)
    if "t_kill" in event:
        t_kill = event["t_kill"]
        pre_rate, rec = recovery(buckets, t_start, t_kill, bucket_s, args.recovery_threshold)
        res.update({
            "signal": args.kill_signal, "signal_at_s": round(t_kill - t_start, 3),
            "pre_signal_calls_per_s": round(pre_rate, 1) if pre_rate else None,
            "recovery_s": None if rec is None else round(rec, 2),
            "recovery_threshold": args.recovery_threshold,
            "failures_after_signal": sum(1 for r in failures if r[0] >= t_kill),
        })
        if args.kill_metrics and args.probe_after:
            res["signalled_calls_at"] = {
                f"{p['after']}s": (p["metrics"] or {}).get("calls") for p in event.get("probes", [])}
    if failures:
        t_ref = event.get("t_kill", t_start)
        res["failed_calls"] = [{"start_s": round(r[4] - t_ref, 3), "end_s": round(r[0] - t_ref, 3),
                                "code": r[2], "details": r[5]} for r in failures[:50]]
    if args.access_log:
        time.sleep(0.2)  # nginx writes a request's line when it ends
        log = read_access_log(args.access_log, log_offset, t_start, t_stop, args.kill_addr, event.get("t_kill"))
        if log["last_start_on_signalled"] is not None and "t_kill" in event:
            log["last_start_on_signalled_after_signal_s"] = round(log["last_start_on_signalled"] - event["t_kill"], 3)
        log.pop("last_start_on_signalled", None)
        res["nginx"] = log

    problems = []
    if args.max_failures is not None and res["failures"] > args.max_failures:
        problems.append(f"{res['failures']} failed calls > {args.max_failures} ({codes})")
    if args.max_recovery is not None and "t_kill" in event:
        if res["recovery_s"] is None or res["recovery_s"] > args.max_recovery:
            problems.append(f"recovery {res['recovery_s']} s > {args.max_recovery} s")
    n = res.get("nginx")
    if args.failures_within_broken and n is not None:
        if res["failures"] > n["broken_on_signalled"]:
            problems.append(f"{res['failures']} failed calls, more than the {n['broken_on_signalled']} "
                            f"attempts broken on the signalled replica")
        if n["broken_on_signalled"] > args.workers:
            problems.append(f"{n['broken_on_signalled']} attempts broken on the signalled replica, "
                            f"more than the {args.workers} calls in flight in all")
    if args.every_failure_retried and n is not None:
        # An answer cut off after its headers is committed (gRFC A6): no retry policy re-sends it.
        retryable = n["failed_attempts"] - n["cut_off_attempts"]
        if n["retried_attempts"] < retryable:
            problems.append(f"{retryable} failed attempts the retry policy could retry, but only "
                            f"{n['retried_attempts']} retries")
    if args.max_failures_not_cut_off is not None:
        cut = [r for r in failures if r[2] == "INTERNAL" and "RST_STREAM" in (r[5] or "")]
        others = len(failures) - len(cut)
        if others > args.max_failures_not_cut_off:
            problems.append(f"{others} failed calls ({codes}) other than answers cut off mid-way")
        if n is not None and len(cut) > n["cut_off_attempts"]:
            problems.append(f"{len(cut)} calls reset mid-answer, but nginx saw only {n['cut_off_attempts']} cut off")
        res["failures_cut_off"] = len(cut)
    if args.min_calls and res["ok"] < args.min_calls:
        problems.append(f"only {res['ok']} successful calls (< {args.min_calls})")
    if args.no_calls_after is not None:
        vals = list(res.get("signalled_calls_at", {}).values())
        if len(vals) < 2 or None in vals:
            problems.append(f"the signalled replica's metrics were not read at {args.probe_after} s "
                            f"after the signal: {res.get('signalled_calls_at')}")
        elif vals[-1] != vals[0]:
            problems.append(f"the signalled replica answered {vals[-1] - vals[0]:.0f} Normalize calls "
                            f"between {args.probe_after[0]} s and {args.probe_after[-1]} s after the signal")
    res["problems"] = problems
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    print(summary(res))
    return 1 if problems else 0


def summary(r):
    s = (f"{r['label']}: {r['calls']} calls, {r['failures']} failed"
         + (f" {r['failure_codes']}" if r["failure_codes"] else "")
         + f", {r['calls_per_s']:.0f} calls/s (p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms)"
         + (", retry policy" if r["retry_policy"] else ", no retry policy"))
    if "signal" in r:
        rec = "never within the run" if r["recovery_s"] is None else f"{r['recovery_s']:.2f} s"
        s += (f"; SIG{r['signal']} at {r['signal_at_s']:.1f} s, "
              f"recovery {rec} (to {r['recovery_threshold']:.0%} of {r['pre_signal_calls_per_s']}/s)")
    if "nginx" in r:
        n = r["nginx"]
        s += (f"; nginx: {n['attempts']} attempts, {n['retried_attempts']} client retries, "
              f"{n['failed_attempts']} failed attempts ({n['cut_off_attempts']} cut off mid-answer), "
              f"{n['proxy_retries']} proxy retries")
        if "signal" in r:
            s += (f", {n['broken_on_signalled']} broken on the signalled replica "
                  f"({n['broken_received_after_signal']} of them received by nginx after the signal)")
        if "last_start_on_signalled_after_signal_s" in n:
            s += f", last call sent to it {n['last_start_on_signalled_after_signal_s']:+.2f} s after the signal"
    if "signalled_calls_at" in r:
        s += f"; its Normalize answers after the signal: {r['signalled_calls_at']}"
    if r.get("cpu_cores") and "signal" not in r:
        s += "; CPU cores used: " + ", ".join(f"{k} {v:.2f}" for k, v in r["cpu_cores"].items())
    if r.get("rss_mb_after"):
        s += "; RSS MB after: " + ", ".join(f"{k} {v}" for k, v in r["rss_mb_after"].items())
    s += " -> " + ("FAIL: " + "; ".join(r["problems"]) if r["problems"] else "ok")
    return s


def cmd_table(args):
    rows = [json.load(open(p)) for p in args.files]
    print("| run | retry policy | calls | failed | calls/s | attempts at nginx | client retries "
          "| failed attempts | of them cut off mid-answer | proxy retries | broken on the signalled replica "
          "| of them sent after the signal | recovery |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        n = r.get("nginx", {})
        sig = "signal" in r
        rec = "–" if not sig else ("none" if r["recovery_s"] is None else f"{r['recovery_s']:.2f} s")
        print(f"| {r['label']} | {'yes' if r['retry_policy'] else 'no'} | {r['calls']} | {r['failures']} | "
              f"{r['calls_per_s']:.0f} | {n.get('attempts', '–')} | {n.get('retried_attempts', '–')} | "
              f"{n.get('failed_attempts', '–')} | {n.get('cut_off_attempts', '–')} | {n.get('proxy_retries', '–')} | "
              f"{n.get('broken_on_signalled', '–') if sig else '–'} | "
              f"{n.get('broken_received_after_signal', '–') if sig else '–'} | {rec} |")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    lp = sub.add_parser("load", help="drive Normalize for a fixed time")
    lp.add_argument("--target", required=True, help="HOST:PORT (nginx)")
    lp.add_argument("--stubs", help="folder with generated copydesk/v1 stubs (default: generate)")
    lp.add_argument("--label", default="load")
    lp.add_argument("--workers", type=int, default=16, help="concurrent calls (threads)")
    lp.add_argument("--duration", type=float, default=8.0)
    lp.add_argument("--feed", choices=["wire", "fixtures"], default="wire",
                    help="wire: one 650-byte English story; fixtures: tests/fixtures/*/input.txt in turn")
    lp.add_argument("--warmup", type=float, default=1.0, help="seconds left out of calls/s")
    lp.add_argument("--call-timeout", type=float, default=10.0, help="deadline of each call, retries included")
    lp.add_argument("--no-retry", action="store_true",
                    help="no retry policy in the service config (grpcio's transparent retries stay on)")
    lp.add_argument("--kill-pid", type=int)
    lp.add_argument("--kill-signal", default="TERM", choices=["TERM", "KILL", "INT"])
    lp.add_argument("--kill-at", type=float, default=3.0, help="seconds after the start")
    lp.add_argument("--kill-addr", help="the signalled replica's HOST:PORT, as nginx logs it")
    lp.add_argument("--kill-metrics", help="the signalled replica's /metrics URL")
    lp.add_argument("--probe-after", type=lambda s: [float(x) for x in s.split(",")], default=[],
                    help="seconds after the signal to read the replica's Normalize answers, e.g. 1,5")
    lp.add_argument("--access-log", help="nginx access log (run.sh's JSON format)")
    lp.add_argument("--recovery-threshold", type=float, default=0.5)
    lp.add_argument("--max-failures", type=int)
    lp.add_argument("--max-recovery", type=float)
    lp.add_argument("--max-failures-not-cut-off", type=int,
                    help="like --max-failures, but not counting calls whose answer was cut off after "
                         "its headers (INTERNAL, RST_STREAM from nginx; as many as nginx logged): "
                         "gRPC commits a call once its headers arrive, so no retry policy re-sends it")
    lp.add_argument("--min-calls", type=int, default=0)
    lp.add_argument("--failures-within-broken", action="store_true",
                    help="fail when the failed calls outnumber the attempts broken on the signalled "
                         "replica (nginx log), or those outnumber --workers")
    lp.add_argument("--every-failure-retried", action="store_true",
                    help="fail when nginx logged fewer retried attempts than failed attempts")
    lp.add_argument("--no-calls-after", action="store_true",
                    help="fail when the signalled replica's Normalize answers grow between the probes")
    lp.add_argument("--rss-metrics", default="",
                    help="name=URL,...: /metrics to read process_resident_memory_bytes from at the end")
    lp.add_argument("--cpu-pids", default="", help="name=PID,...: CPU time of these (and their children)")
    lp.add_argument("--json")
    tp = sub.add_parser("table", help="Markdown table of --json results")
    tp.add_argument("files", nargs="+")
    args = ap.parse_args()
    if args.cmd == "load":
        if args.no_calls_after is False:
            args.no_calls_after = None
        return cmd_load(args)
    return cmd_table(args)


if __name__ == "__main__":
    sys.exit(main())
