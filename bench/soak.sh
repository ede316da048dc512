#!/usr/bin/env bash
# Soak the edge under mixed hostile load: ./bench/soak.sh [--minutes N] (default 30)
#
# Starts a fake upstream (nginx: 200 answers, and a second server that answers 500), an SSE upstream
# (bench/streams.py), the local stack without the edge, and the edge on its own JVM; then
# bench/soak.py drives steady requests, upstream errors, streams (half cancelled mid-stream) and
# slow-header clients for N minutes, sampling the edge's RSS, heap, sockets, threads and usage
# journal. Writes bench/soak-results.md; exits non-zero when the figures are not flat.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
say() { printf '[%4d s] %s\n' $((SECONDS - started)) "$*"; }
minutes=30
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    *) echo "usage: bench/soak.sh [--minutes N]"; exit 2 ;;
  esac
done

source bench/common.sh
install_missing nginx:nginx-light python3:python3 curl:curl
build_unless_skipped
edge_jar=$(ls edge-proxy/target/edge-proxy-*-exec.jar)

work=$(mktemp -d /tmp/symbolon-soak.XXXXXX)
data="$work/data"
upstream_port=18181 broken_port=18182 sse_port=18184 edge_port=18183
pids=()
cleanup() {
  [[ -f "$work/upstream.pid" ]] && kill "$(cat "$work/upstream.pid")" 2> /dev/null || true
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2> /dev/null || true; done
  wait 2> /dev/null || true
  if [[ ${finished:-0} == 1 ]]; then rm -rf "$work"; else echo "logs and data kept in $work"; fi
}
trap cleanup EXIT

body='{"id":"chatcmpl-soak","object":"chat.completion","model":"bench-1","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}'
cat > "$work/upstream.conf" << CONF
worker_processes 1;
pid $work/upstream.pid;
error_log $work/upstream-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:$upstream_port; location / { default_type application/json; return 200 '$body'; } }
  server {
    listen 127.0.0.1:$broken_port;
    location / { default_type application/json; return 500 '{"error":{"message":"upstream broke","type":"server_error"}}'; }
  }
}
CONF
nginx -c "$work/upstream.conf"
python3 bench/streams.py serve $sse_port 2> "$work/sse.log" &
pids+=($!)

say "starting the local stack without the edge..."
keys=""
for name in bench benchsse broken; do keys="$keys -Dsymbolon.key-vault.server-keys[compat:$name].api-key=sk-soak-upstream-key"; done
SYMBOLON_SKIP_BUILD=1 SYMBOLON_JAVA_OPTS="-XX:+UseSerialGC -Xss512k -Dlogging.level.root=WARN $keys" \
  ./symbolon-local --data-dir="$data" --without=edge > "$work/stack.log" 2>&1 &
stack_pid=$!
pids+=($stack_pid)
wait_for_stack $stack_pid "$work/stack.log"

say "starting the edge..."
java -XX:+UseSerialGC -Xmx256m -Xss512k \
  -jar "$edge_jar" --spring.config.additional-location="file:$data/edge-proxy.properties" \
  --server.port=$edge_port --logging.level.root=WARN \
  --symbolon.edge.compat.bench.base-url=http://127.0.0.1:$upstream_port/v1 \
  --symbolon.edge.compat.broken.base-url=http://127.0.0.1:$broken_port/v1 \
  --symbolon.edge.compat.benchsse.base-url=http://127.0.0.1:$sse_port/v1 > "$work/edge.log" 2>&1 &
edge_pid=$!
pids+=($edge_pid)
wait_until_ready $edge_port "$work/edge.log"
credential=$(grep '^demo-credential=' "$data/bootstrap.properties" | cut -d= -f2-)
journal=$(grep -E '^SYMBOLON_USAGE_JOURNAL_DIR=' "$data/edge-proxy.properties" | cut -d= -f2- || true)
journal=${journal:-$data/usage-journal}

say "soaking for $minutes minutes (a sample every 30 s)..."
{
  echo "# Soak results"
  echo
  echo "Command: \`./bench/soak.sh --minutes $minutes\` — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores,"
  echo "$(java -version 2>&1 | head -1). The edge on its own JVM (serial GC, 256 MiB heap) against nginx"
  echo "(200 and 500 answers) and an SSE upstream; the local stack without the edge beside it."
  echo
} > bench/soak-results.md
status=0
python3 bench/soak.py --edge "localhost:$edge_port" --credential "$credential" --pid "$edge_pid" \
  --journal "$journal" --minutes "$minutes" --out "$work/table.md" || status=$?
cat "$work/table.md" >> bench/soak-results.md
echo >> bench/soak-results.md
echo "The whole run took $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s." >> bench/soak-results.md
say "wrote bench/soak-results.md"
finished=1
exit $status
