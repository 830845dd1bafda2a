#!/usr/bin/env bash
# What the Dockerfile does, run on this host (no container engine here): the same build command,
# the binary run as the image's non-root user with the image's environment, and the image's
# HEALTHCHECK command against it. Cheap after a release build: `cargo build --release --locked`
# is then a no-op (it checks the lockfile is current and the build fresh).
#
#   bash deploy/container-build-check.sh [TARGET_DIR]   (default: target, or $CARGO_TARGET_DIR)
#
# Not checked here: the base images, the user created by `useradd` in the image, file
# ownership inside the image, and the EXPOSE/STOPSIGNAL metadata (README, "Container").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TARGET="${1:-${CARGO_TARGET_DIR:-target}}"
DOCKERFILE=Dockerfile

echo "--- build: the Dockerfile's command"
grep -q 'cargo build --release --locked' "$DOCKERFILE" || { echo "the Dockerfile no longer runs 'cargo build --release --locked'"; exit 1; }
CARGO_TARGET_DIR="$TARGET" cargo build --release --locked </dev/null

WORK="$(mktemp -d)"
PID=""
cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
chmod 0755 "$WORK"
install -m 0755 "$TARGET/release/copydesk" "$WORK/copydesk"

# The image's user and environment, read from the Dockerfile so that this check follows it.
USER_SPEC="$(awk '$1 == "USER" {print $2}' "$DOCKERFILE" | tail -n 1)"
UID_="${USER_SPEC%%:*}"; GID_="${USER_SPEC##*:}"
[[ "$UID_" =~ ^[0-9]+$ && "$UID_" != 0 ]] || { echo "the Dockerfile's USER is not a numeric non-root uid: '$USER_SPEC'"; exit 1; }
mapfile -t ENVS < <(python3 - "$DOCKERFILE" <<'PY'
import re, shlex, sys
text = re.sub(r"\\\n", " ", open(sys.argv[1]).read())
for line in text.splitlines():
    if line.startswith("ENV "):
        for kv in shlex.split(line[4:]):
            print(kv)
PY
)
printf 'image env: %s\n' "${ENVS[@]}"
printf '%s\n' "${ENVS[@]}" | grep -qx 'COPYDESK_LISTEN=0.0.0.0:50051' || { echo "COPYDESK_LISTEN is not 0.0.0.0:50051 in the Dockerfile"; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT="$(free_port)"; MPORT="$(free_port)"
# The image's values, on free ports (50051 may be taken on a shared host).
RUN_ENV=()
for kv in "${ENVS[@]}"; do
  case "$kv" in
    COPYDESK_LISTEN=*) RUN_ENV+=("COPYDESK_LISTEN=${kv#*=}"); RUN_ENV[-1]="${RUN_ENV[-1]%:*}:$PORT" ;;
    COPYDESK_METRICS_LISTEN=*) RUN_ENV+=("COPYDESK_METRICS_LISTEN=${kv#*=}"); RUN_ENV[-1]="${RUN_ENV[-1]%:*}:$MPORT" ;;
    *) RUN_ENV+=("$kv") ;;
  esac
done

AS_USER=()
if [[ "$(id -u)" == 0 ]] && command -v setpriv >/dev/null; then
  AS_USER=(setpriv --reuid="$UID_" --regid="$GID_" --clear-groups --)
  echo "--- run as uid $UID_ gid $GID_ (setpriv), the image's USER"
else
  echo "--- run as $(id -un) (not root, or no setpriv: the USER switch is not checked)"
fi

echo "--- serve with the image's environment and CMD (serve)"
env -i PATH=/usr/bin:/bin "${RUN_ENV[@]}" "${AS_USER[@]}" "$WORK/copydesk" serve >"$WORK/server.log" 2>&1 &
PID=$!
# The HEALTHCHECK's command, with the free port.
HEALTH=("${AS_USER[@]}" "$WORK/copydesk" health --addr "127.0.0.1:$PORT" --timeout 4s)
grep -q 'CMD \["copydesk", "health", "--addr", "127.0.0.1:50051"' "$DOCKERFILE" || { echo "the HEALTHCHECK no longer runs copydesk health on 127.0.0.1:50051"; exit 1; }
for i in $(seq 1 150); do
  if "${HEALTH[@]}" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$PID" 2>/dev/null; then cat "$WORK/server.log"; echo "server died"; exit 1; fi
  [[ $i -eq 150 ]] && { cat "$WORK/server.log"; echo "not SERVING after 30 s"; exit 1; }
  sleep 0.2
done
"${HEALTH[@]}"
python3 - "$WORK/server.log" "$PORT" "$UID_" "$PID" "${#AS_USER[@]}" <<'PY'
import json, sys
log, port, uid, pid, switched = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
lines = [json.loads(l) for l in open(log) if l.startswith("{")]
assert lines, "no JSON log lines: COPYDESK_LOG_FORMAT=json did not take"
listening = [l for l in lines if "listening" in l.get("message", "")]
assert listening and listening[0]["addr"] == f"0.0.0.0:{port}", listening
print(f"log: JSON, listening on {listening[0]['addr']}")
if switched:
    status = open(f"/proc/{pid}/status").read()
    ruid = next(l.split()[1] for l in status.splitlines() if l.startswith("Uid:"))
    assert ruid == uid, f"runs as uid {ruid}, not {uid}"
    print(f"process runs as uid {ruid}")
PY
curl_metrics() { python3 -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1"; }
curl_metrics "http://127.0.0.1:$MPORT/metrics" >"$WORK/metrics.txt"
grep -q '^copydesk_build_info{version=' "$WORK/metrics.txt" || { echo "no copydesk metrics on COPYDESK_METRICS_LISTEN"; exit 1; }
echo "metrics: answered on COPYDESK_METRICS_LISTEN"

echo "--- SIGTERM (STOPSIGNAL): NOT_SERVING during the grace, exit 0"
kill -TERM "$PID"
for i in $(seq 1 50); do
  if ! "${HEALTH[@]}" >/dev/null 2>&1; then echo "health: not SERVING after SIGTERM (exit 1)"; break; fi
  [[ $i -eq 50 ]] && { echo "still SERVING 10 s after SIGTERM"; exit 1; }
  sleep 0.2
done
set +e; wait "$PID"; RC=$?; set -e; PID=""
[[ $RC -eq 0 ]] || { tail -n 5 "$WORK/server.log"; echo "exit $RC after SIGTERM"; exit 1; }
echo "container build check passed"
