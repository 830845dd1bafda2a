#!/usr/bin/env python3
"""Health watcher for copydesk replicas behind open-source nginx, which has no active health
checks: what Kubernetes' readiness probe and endpoints controller do, in 150 lines.

Every --interval (250 ms) it asks each replica listed in --replicas (HOST:PORT per line, re-read
at each round, so editing the file adds or removes replicas) grpc.health.v1.Health/Check for
--service. A replica is in the rotation while it answers SERVING; it is taken out at once when
it answers anything else (NOT_SERVING: a replica in its shutdown grace), and after
--fail-after consecutive failed checks (refused, timed out). On every change it rewrites
--upstream-conf (one `server` line per listed replica, `down` for those out of the rotation)
and sends SIGHUP to the nginx master (--nginx-pid), a graceful reload: calls in progress finish
on the old worker. --state gets a JSON line with the rotation after each reload.

    python3 watch.py --replicas replicas.txt --upstream-conf upstream.conf \
        --nginx-pid nginx.pid --state state.json [--service copydesk.v1.NormalizerService]
"""
import argparse
import json
import os
import signal
import sys
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def log(msg):
    print(f"{time.time():.3f} watch: {msg}", flush=True)


class Replica:
    def __init__(self, addr):
        self.addr = addr
        self.channel = None
        self.stub = None
        self.failures = 0
        self.status = "UNKNOWN"

    def check_future(self, service, timeout):
        if self.channel is None:
            # A fresh channel after every failure: a channel's reconnect backoff would otherwise
            # delay seeing a restarted replica by up to minutes.
            self.channel = grpc.insecure_channel(self.addr)
            self.stub = health_pb2_grpc.HealthStub(self.channel)
        return self.stub.Check.future(health_pb2.HealthCheckRequest(service=service), timeout=timeout)

    def reset(self):
        if self.channel is not None:
            self.channel.close()
        self.channel = None
        self.stub = None


def read_replicas(path):
    with open(path) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def write_upstream(path, listed, up, server_params):
    lines = [f"# written by watch.py at {time.time():.3f}\n"]
    for addr in listed:
        lines.append(f"server {addr} {server_params}{'' if addr in up else ' down'};\n")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.writelines(lines)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replicas", required=True)
    ap.add_argument("--upstream-conf", required=True)
    ap.add_argument("--nginx-pid", required=True, help="nginx's pid file")
    ap.add_argument("--state", required=True)
    ap.add_argument("--service", default="copydesk.v1.NormalizerService")
    ap.add_argument("--interval", type=float, default=0.25)
    ap.add_argument("--timeout", type=float, default=1.0)
    ap.add_argument("--fail-after", type=int, default=2, help="failed checks before a replica is taken out")
    ap.add_argument("--server-params", default="max_fails=1 fail_timeout=5s")
    args = ap.parse_args()

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    replicas = {}
    applied = None  # (listed, up) last written
    generation = 0
    while not stopping:
        t0 = time.time()
        try:
            listed = read_replicas(args.replicas)
        except OSError as e:
            log(f"cannot read {args.replicas}: {e}")
            listed = list(replicas)
        for addr in listed:
            replicas.setdefault(addr, Replica(addr))
        for addr in [a for a in replicas if a not in listed]:
            replicas.pop(addr).reset()
        futures = {addr: replicas[addr].check_future(args.service, args.timeout) for addr in listed}
        for addr, fut in futures.items():
            r = replicas[addr]
            try:
                status = health_pb2.HealthCheckResponse.ServingStatus.Name(fut.result().status)
                r.failures = 0
            except grpc.RpcError as e:
                status = f"error {e.code().name}"
                r.failures += 1
                r.reset()
            if status != r.status:
                log(f"{addr}: {r.status} -> {status}")
            r.status = status
        up = {a for a in listed
              if replicas[a].status == "SERVING"
              or (replicas[a].status.startswith("error") and 0 < replicas[a].failures < args.fail_after
                  and applied is not None and a in applied[1])}
        want = (tuple(listed), frozenset(up))
        if want != applied:
            write_upstream(args.upstream_conf, listed, up, args.server_params)
            try:
                with open(args.nginx_pid) as f:
                    os.kill(int(f.read().strip()), signal.SIGHUP)
            except (OSError, ValueError) as e:
                log(f"cannot signal nginx: {e}")
            generation += 1
            applied = want
            log(f"reload {generation}: in rotation {sorted(up)}, out {sorted(set(listed) - up)}")
            with open(args.state + ".tmp", "w") as f:
                json.dump({"generation": generation, "time": time.time(), "listed": listed,
                           "up": sorted(up)}, f)
            os.replace(args.state + ".tmp", args.state)
        time.sleep(max(0.0, args.interval - (time.time() - t0)))
    for r in replicas.values():
        r.reset()
    return 0


if __name__ == "__main__":
    sys.exit(main())
