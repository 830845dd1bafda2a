#!/usr/bin/env bash
# The replica test: three copydesk replicas on loopback behind nginx (grpc_pass), Normalize
# driven through nginx by drive.py (grpcio, with gRPC's retry policy), and what happens when a
# replica goes away. docs/operations.md has the method and the numbers.
#
#   bash deploy/replicas/run.sh        (COPYDESK_BIN=path/to/copydesk, default target/release/copydesk)
#
# Scenarios, one result line each; the script exits 1 when an assertion fails:
#   throughput   Normalize calls/s through nginx with 1, 2 and 3 replicas, and straight to one
#                replica (no assertion but a floor of 100 calls)
#   sigterm      SIGTERM to one replica mid-load (2 s NOT_SERVING grace, then listener close
#                and drain): 0 failed calls
#   sigterm-no-watch  the same with watch.py paused: nginx, blind to NOT_SERVING, meets the
#                closed listener and the GOAWAY; with the retry policy, 0 failed calls
#   sigkill      SIGKILL to one replica mid-load, with the retry policy: every failed attempt
#                retried (nginx's log) and 0 failed calls, except a call whose answer the
#                replica had begun (headers sent) when it died, which gRPC cannot retry (it is
#                committed): nginx resets it, INTERNAL; throughput back to half its pre-kill
#                rate within 2 s
#   sigkill-no-retry  the same without a retry policy (grpcio's defaults: transparent retries
#                only): the failures an application without the policy would see,
#                at most the calls nginx had sent to the killed replica (its access log), and
#                those at most the calls in flight in all (the driver's workers)
#   mixed        (only when named in REPLICAS_SCENARIOS) every test fixture, 26 languages,
#                through the three for 15 s: CPU and RSS on a mixed feed
#   not-serving  SIGTERM with a 6 s grace: the replica answers NOT_SERVING but still serves;
#                watch.py takes it out of nginx's rotation, so 1 s after the signal no new call
#                reaches it (its copydesk_calls_total stands still until 5 s after)
# nginx (Debian's package) is installed with apt-get when missing (root only). Python needs
# grpcio, grpcio-tools and grpcio-health-checking: PYTHON=..., default .venv/bin/python where it
# exists, else python3. Environment: REPLICAS_WORKERS (16 concurrent calls),
# REPLICAS_DURATION (8 s per scenario), REPLICAS_SCENARIOS (a subset of the names above),
# REPLICAS_KEEP=1 keeps the temp dir (logs, nginx's access log, results as JSON).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
HERE="$ROOT/deploy/replicas"
BIN="${COPYDESK_BIN:-target/release/copydesk}"
[[ "$BIN" = /* ]] || BIN="$ROOT/$BIN"
WORKERS="${REPLICAS_WORKERS:-16}"
DURATION="${REPLICAS_DURATION:-8}"
TPUT_DURATION="${REPLICAS_TPUT_DURATION:-5}"
SCENARIOS="${REPLICAS_SCENARIOS:-throughput sigterm sigterm-no-watch sigkill sigkill-no-retry not-serving}"
SERVICE=copydesk.v1.NormalizerService
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x "$ROOT/.venv/bin/python" ]]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi
T_BEGIN=$(date +%s)

[[ -x "$BIN" ]] || { echo "replicas: no copydesk binary at $BIN (set COPYDESK_BIN)"; exit 1; }
"$PYTHON" -c 'import grpc, grpc_tools, grpc_health' 2>/dev/null || {
  echo "replicas: $PYTHON lacks grpcio, grpcio-tools or grpcio-health-checking"; exit 1; }

# --- nginx: Debian's package, installed when missing, never started as a system service.
NGINX="$(command -v nginx || true)"
[[ -z "$NGINX" && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
if [[ -z "$NGINX" ]]; then
  [[ $(id -u) -eq 0 ]] || { echo "replicas: nginx is missing; as root: apt-get install nginx"; exit 1; }
  command -v apt-get >/dev/null || { echo "replicas: nginx is missing and there is no apt-get"; exit 1; }
  # policy-rc.d 101: the package's postinst must not start a system nginx on port 80.
  POLICY_MADE=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d; POLICY_MADE=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx </dev/null
  [[ -n "$POLICY_MADE" ]] && rm -f /usr/sbin/policy-rc.d
  NGINX=/usr/sbin/nginx
fi
"$NGINX" -v 2>&1 | sed 's/^/replicas: /'

TMP="$(mktemp -d "${TMPDIR:-/tmp}/copydesk-replicas.XXXXXX")"
# nginx's workers run as nobody when the master is root: they must reach the temp dir.
chmod 0755 "$TMP"
declare -A RPID=() WRAP=() RPORT=() MPORT=() RGRACE=()
NGINX_PID="" WATCH_PID="" FAILED=() RC=""

stop_pid() {  # PID SIGNAL: signal a process we started, wait up to 5 s, then SIGKILL it
  local pid="$1" sig="${2:-TERM}" i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -"$sig" "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  set +e
  [[ -n "$WATCH_PID" ]] && kill -CONT "$WATCH_PID" 2>/dev/null
  stop_pid "$WATCH_PID" TERM
  for i in "${!RPID[@]}"; do stop_pid "${RPID[$i]}" KILL; done
  for i in "${!WRAP[@]}"; do wait "${WRAP[$i]}" 2>/dev/null; done
  stop_pid "$NGINX_PID" QUIT
  if [[ $rc -ne 0 ]]; then
    for f in "$TMP"/error.log "$TMP"/watch.log "$TMP"/replica-*.log; do
      [[ -f "$f" ]] || continue
      echo "--- $f (last lines, without per-call lines)"
      grep -v ' INFO call \|\[notice\]' "$f" | tail -n 12
    done
  fi
  if [[ "${REPLICAS_KEEP:-}" == 1 ]]; then echo "replicas: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_healthy() {  # INDEX: until the replica answers SERVING (30 s at most)
  local i="$1" n
  for n in $(seq 1 150); do
    "$BIN" health --addr "127.0.0.1:${RPORT[$i]}" --service "$SERVICE" --timeout 1s >/dev/null 2>&1 && return 0
    kill -0 "${RPID[$i]}" 2>/dev/null || { tail -n 20 "$TMP/replica-$i.log"; echo "replicas: replica $i died"; exit 1; }
    sleep 0.2
  done
  echo "replicas: replica $i not SERVING after 30 s"; exit 1
}

start_replica() {  # INDEX: start (or restart) replica INDEX on its ports
  local i="$1" n
  rm -f "$TMP/replica-$i.pid" "$TMP/replica-$i.rc"
  # A subshell waits for the server and keeps its exit code: the status of a replica killed on
  # purpose is then read from the file, without bash's "Killed" notices in the output.
  (
    "$BIN" serve --listen "127.0.0.1:${RPORT[$i]}" --metrics-listen "127.0.0.1:${MPORT[$i]}" \
      --shutdown-grace "${RGRACE[$i]}" --drain-timeout 10s >>"$TMP/replica-$i.log" 2>&1 </dev/null &
    echo $! >"$TMP/replica-$i.pid"
    rc=0; wait $! || rc=$?
    echo "$rc" >"$TMP/replica-$i.rc"
  ) 2>/dev/null &
  WRAP[$i]=$!
  for n in $(seq 1 50); do [[ -s "$TMP/replica-$i.pid" ]] && break; sleep 0.05; done
  RPID[$i]="$(cat "$TMP/replica-$i.pid")"
}

replica_rc() {  # INDEX: wait until the replica has exited; its exit code in RC
  local i="$1"
  wait "${WRAP[$i]}" 2>/dev/null || true
  RC="$(cat "$TMP/replica-$i.rc" 2>/dev/null || echo unknown)"
}

wait_rotation() {  # "ADDR ..." : until watch.py has reloaded nginx with exactly these in rotation
  local want="$1" n
  for n in $(seq 1 100); do
    if [[ -f "$TMP/state.json" ]] && "$PYTHON" - "$TMP/state.json" "$want" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if sorted(s["up"]) == sorted(sys.argv[2].split()) else 1)
PY
    then sleep 0.3; return 0; fi  # the reload: new worker up, old one finishing
    sleep 0.1
  done
  echo "replicas: the rotation did not become [$want] in 10 s"; cat "$TMP/watch.log"; exit 1
}

set_replicas() {  # "1 2 3": the replicas listed for nginx (service discovery)
  : >"$TMP/replicas.txt.new"
  for i in $1; do echo "127.0.0.1:${RPORT[$i]}" >>"$TMP/replicas.txt.new"; done
  mv "$TMP/replicas.txt.new" "$TMP/replicas.txt"
}
addrs() { local i out=""; for i in $1; do out+="127.0.0.1:${RPORT[$i]} "; done; echo "$out"; }

want() { [[ " $SCENARIOS " == *" $1 "* ]]; }

drive() {  # LABEL ARGS...: one drive.py run; a failed assertion is recorded, the script goes on
  local label="$1"; shift
  if ! "$PYTHON" "$HERE/drive.py" load --target "127.0.0.1:$NPORT" --stubs "$TMP/stubs" \
      --workers "$WORKERS" --access-log "$TMP/access.log" --label "$label" \
      --json "$TMP/result-$label.json" "$@"; then
    FAILED+=("$label")
  fi
}

restart_and_rejoin() {  # INDEX: restart a replica that exited and wait until nginx has it back
  local i="$1"
  replica_rc "$i"
  start_replica "$i"; wait_healthy "$i"
  wait_rotation "$(addrs "1 2 3")"
}

# --- stubs, replicas, nginx, the watcher
mkdir -p "$TMP/stubs"
"$PYTHON" -m grpc_tools.protoc -I proto --python_out="$TMP/stubs" --grpc_python_out="$TMP/stubs" \
  proto/copydesk/v1/copydesk.proto
NPORT="$(free_port)"
for i in 1 2 3; do RPORT[$i]="$(free_port)"; MPORT[$i]="$(free_port)"; done
# Replica 1 takes the SIGTERM (2 s grace), 2 the SIGKILLs, 3 the long NOT_SERVING grace (6 s).
RGRACE[1]=2s RGRACE[2]=2s RGRACE[3]=6s
for i in 1 2 3; do start_replica "$i"; done
for i in 1 2 3; do wait_healthy "$i"; done
echo "replicas: 3 replicas SERVING on 127.0.0.1:${RPORT[1]}, :${RPORT[2]}, :${RPORT[3]} ($(( $(date +%s) - T_BEGIN )) s)"

USER_LINE=""
if [[ $(id -u) -eq 0 ]]; then
  if getent group nogroup >/dev/null; then USER_LINE="user nobody nogroup;"; else USER_LINE="user nobody;"; fi
fi
sed -e "s#@TMP@#$TMP#g" -e "s#@PORT@#$NPORT#g" -e "s#@USER@#$USER_LINE#" \
  "$HERE/nginx.conf.template" >"$TMP/nginx.conf"
set_replicas "1 2 3"
for i in 1 2 3; do echo "server 127.0.0.1:${RPORT[$i]} max_fails=1 fail_timeout=5s;"; done >"$TMP/upstream.conf"
"$NGINX" -t -q -p "$TMP" -c "$TMP/nginx.conf" -e "$TMP/error.log"
"$NGINX" -p "$TMP" -c "$TMP/nginx.conf" -e "$TMP/error.log" -g 'daemon off;' >>"$TMP/nginx.out" 2>&1 </dev/null &
NGINX_PID=$!
for n in $(seq 1 50); do [[ -s "$TMP/nginx.pid" ]] && break; sleep 0.1; done
[[ -s "$TMP/nginx.pid" ]] || { cat "$TMP/nginx.out" "$TMP/error.log"; echo "replicas: nginx did not start"; exit 1; }
"$PYTHON" -u "$HERE/watch.py" --replicas "$TMP/replicas.txt" --upstream-conf "$TMP/upstream.conf" \
  --nginx-pid "$TMP/nginx.pid" --state "$TMP/state.json" --service "$SERVICE" >"$TMP/watch.log" 2>&1 </dev/null &
WATCH_PID=$!
wait_rotation "$(addrs "1 2 3")"
echo "replicas: nginx on 127.0.0.1:$NPORT, watch.py polling health every 250 ms; load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

# --- throughput with 1, 2, 3 replicas in the rotation (all three processes run throughout)
if want throughput; then
  for n in 1 2 3; do
    members="$(seq -s ' ' 1 "$n")"
    set_replicas "$members"; wait_rotation "$(addrs "$members")"
    drive "throughput-$n" --duration "$TPUT_DURATION" --warmup 1 --min-calls 100 \
      --cpu-pids "nginx=$NGINX_PID,replica1=${RPID[1]},replica2=${RPID[2]},replica3=${RPID[3]}" \
      --rss-metrics "replica1=http://127.0.0.1:${MPORT[1]}/metrics,replica2=http://127.0.0.1:${MPORT[2]}/metrics,replica3=http://127.0.0.1:${MPORT[3]}/metrics"
  done
  set_replicas "1 2 3"; wait_rotation "$(addrs "1 2 3")"
  # The same load on one replica straight, without nginx: what the proxy costs.
  drive throughput-direct --target "127.0.0.1:${RPORT[1]}" --access-log "" --duration "$TPUT_DURATION" --warmup 1 --min-calls 100 \
    --cpu-pids "nginx=$NGINX_PID,replica1=${RPID[1]},replica2=${RPID[2]},replica3=${RPID[3]}"
fi

# --- not run by default: a mixed feed (every test fixture, 26 languages) through the three,
# for RSS once every replica has compiled the rules of every language
if want mixed; then
  drive mixed --feed fixtures --duration 15 --warmup 5 --min-calls 100 \
    --cpu-pids "nginx=$NGINX_PID,replica1=${RPID[1]},replica2=${RPID[2]},replica3=${RPID[3]}" \
    --rss-metrics "replica1=http://127.0.0.1:${MPORT[1]}/metrics,replica2=http://127.0.0.1:${MPORT[2]}/metrics,replica3=http://127.0.0.1:${MPORT[3]}/metrics"
fi

# --- (a) SIGTERM mid-load: 0 failed calls
if want sigterm; then
drive sigterm --duration "$DURATION" --kill-pid "${RPID[1]}" --kill-signal TERM --kill-at 3 \
  --kill-addr "127.0.0.1:${RPORT[1]}" --kill-metrics "http://127.0.0.1:${MPORT[1]}/metrics" \
  --max-failures 0
replica_rc 1
[[ $RC == 0 ]] || { echo "sigterm: the replica exited with $RC, not 0"; FAILED+=(sigterm-exit); }
restart_and_rejoin 1
fi

# --- (a') the same with watch.py paused (SIGSTOP): nginx alone, which does not see NOT_SERVING,
# meets the closed listener and the GOAWAY; the retry policy covers what breaks: 0 failed calls
if want sigterm-no-watch; then
kill -STOP "$WATCH_PID"
drive sigterm-no-watch --duration "$DURATION" --kill-pid "${RPID[1]}" --kill-signal TERM --kill-at 1.5 \
  --kill-addr "127.0.0.1:${RPORT[1]}" --kill-metrics "http://127.0.0.1:${MPORT[1]}/metrics" \
  --max-failures 0 --every-failure-retried
kill -CONT "$WATCH_PID"
replica_rc 1
[[ $RC == 0 ]] || { echo "sigterm-no-watch: the replica exited with $RC, not 0"; FAILED+=(sigterm-no-watch-exit); }
restart_and_rejoin 1
fi

# --- (b) SIGKILL mid-load with the retry policy: 0 failed calls but answers cut off mid-way,
# recovery within 2 s
if want sigkill; then
drive sigkill --duration "$DURATION" --kill-pid "${RPID[2]}" --kill-signal KILL --kill-at 3 \
  --kill-addr "127.0.0.1:${RPORT[2]}" --kill-metrics "http://127.0.0.1:${MPORT[2]}/metrics" \
  --max-failures-not-cut-off 0 --every-failure-retried --max-recovery 2
restart_and_rejoin 2
fi

# --- (b') SIGKILL mid-load without a retry policy: failures at most the calls in flight
if want sigkill-no-retry; then
drive sigkill-no-retry --no-retry --duration "$DURATION" --kill-pid "${RPID[2]}" --kill-signal KILL \
  --kill-at 3 --kill-addr "127.0.0.1:${RPORT[2]}" --kill-metrics "http://127.0.0.1:${MPORT[2]}/metrics" \
  --failures-within-broken --max-recovery 2
restart_and_rejoin 2
fi

# --- (c) NOT_SERVING is taken out: no Normalize answered by it from 1 s to 5 s after SIGTERM
if want not-serving; then
drive not-serving --duration 7 --kill-pid "${RPID[3]}" --kill-signal TERM --kill-at 1.5 \
  --kill-addr "127.0.0.1:${RPORT[3]}" --kill-metrics "http://127.0.0.1:${MPORT[3]}/metrics" \
  --probe-after 1,5 --no-calls-after --max-failures 0
replica_rc 3
[[ $RC == 0 ]] || { echo "not-serving: the replica exited with $RC, not 0"; FAILED+=(not-serving-exit); }
fi

echo
results=()
for r in throughput-direct throughput-1 throughput-2 throughput-3 mixed sigterm sigterm-no-watch sigkill sigkill-no-retry not-serving; do
  [[ -f "$TMP/result-$r.json" ]] && results+=("$TMP/result-$r.json")
done
[[ ${#results[@]} -gt 0 ]] && "$PYTHON" "$HERE/drive.py" table "${results[@]}"
echo
echo "replicas: $(( $(date +%s) - T_BEGIN )) s in all; load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ ${#FAILED[@]} -gt 0 ]]; then
  echo "replicas: FAILED: ${FAILED[*]}"; exit 1
fi
echo "replicas: all scenarios passed"
