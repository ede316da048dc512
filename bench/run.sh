#!/usr/bin/env bash
# The edge against nginx, one run on this machine: ./bench/run.sh [--quick]
# Installs Debian's nginx and wrk if missing, starts a static fake upstream (nginx), nginx as a plain
# proxy_pass reverse proxy with upstream keepalive, and the local stack (edge with its real pipeline:
# app credential, policy, limits, key injection, metering to a real Kafka broker), then measures
# direct / nginx / edge (server key) / edge (split key) and writes bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[[ "${1:-}" == "--quick" ]] && quick=1
duration=${BENCH_DURATION:-10s}
[[ $quick == 1 ]] && duration=5s

if ! command -v nginx > /dev/null || ! command -v wrk > /dev/null; then
  echo "installing nginx and wrk (Debian packages)..."
  sudo_cmd=""; [[ $(id -u) != 0 ]] && sudo_cmd=sudo
  $sudo_cmd apt-get install -y -q nginx-light wrk > /dev/null || { $sudo_cmd apt-get update -q > /dev/null; $sudo_cmd apt-get install -y -q nginx-light wrk > /dev/null; }
fi

work=$(mktemp -d /tmp/symbolon-bench.XXXXXX)
data="$work/data"
upstream_port=18081
proxy_port=18082
cleanup() {
  [[ -f "$work/nginx.pid" ]] && kill "$(cat "$work/nginx.pid")" 2> /dev/null || true
  [[ -n "${stack_pid:-}" ]] && kill "$stack_pid" 2> /dev/null && wait "$stack_pid" 2> /dev/null || true
}
trap cleanup EXIT

body='{"id":"chatcmpl-bench","object":"chat.completion","model":"bench-1","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}'
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream fake { server 127.0.0.1:$upstream_port; keepalive 128; }
  server {
    listen 127.0.0.1:$upstream_port;
    location / { default_type application/json; return 200 '$body'; }
  }
  server {
    listen 127.0.0.1:$proxy_port;
    location / {
      proxy_pass http://fake;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
nginx -c "$work/nginx.conf"

echo "starting the local stack (edge → fake upstream as compat:bench)..."
export SYMBOLON_SKIP_BUILD=${SYMBOLON_SKIP_BUILD:-0}
export SYMBOLON_JAVA_OPTS="-XX:+UseSerialGC -Xss512k \
 -Dsymbolon.edge.compat.bench.base-url=http://127.0.0.1:$upstream_port/v1 \
 -Dsymbolon.key-vault.server-keys[compat:bench].api-key=sk-bench-upstream-key \
 -Dlogging.level.root=WARN"
./symbolon-local --data-dir="$data" > "$work/stack.log" 2>&1 &
stack_pid=$!
for _ in $(seq 1 600); do
  if [[ -f "$data/bootstrap.properties" ]] && curl -sf http://localhost:8080/actuator/health/readiness > /dev/null \
     && curl -sf http://localhost:8083/actuator/health/readiness > /dev/null; then break; fi
  sleep 1
done
credential=$(grep '^demo-credential=' "$data/bootstrap.properties" | cut -d= -f2-)
jvm_pid=$(pgrep -f "local-stack.jar" | head -1)
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$jvm_pid/status"; }
rss_idle=$(rss)

python3 bench/arms.py --credential "$credential" --upstream "127.0.0.1:$upstream_port" --proxy "127.0.0.1:$proxy_port" \
  --edge "localhost:8080" --requests $([[ $quick == 1 ]] && echo 1000 || echo 3000) --warmup 2000 > "$work/latency.md"

lua="$work/post.lua"
cat > "$lua" <<LUA
wrk.method = "POST"
wrk.body = '{"model":"bench-1","messages":[{"role":"user","content":"ping"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $credential"
LUA
throughput() { # url connections → "rps p99ms"
  local threads=2; [[ "$2" -lt 2 ]] && threads=1
  wrk -t"$threads" -c"$2" -d"$duration" --latency -s "$lua" "$1" 2> /dev/null | awk '
    /Requests\/sec/ {rps=$2}
    /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; p99=v}
    END {printf "%.0f %.2f", rps, p99}'
}
{
  echo "| connections | direct req/s (p99 ms) | nginx req/s (p99 ms) | edge req/s (p99 ms) | edge ÷ nginx throughput |"
  echo "|---|---|---|---|---|"
  for c in 1 16 64; do
    read -r d dp <<< "$(throughput "http://127.0.0.1:$upstream_port/v1/chat/completions" $c)"
    read -r n np <<< "$(throughput "http://127.0.0.1:$proxy_port/v1/chat/completions" $c)"
    read -r e ep <<< "$(throughput "http://localhost:8080/compat/bench/v1/chat/completions" $c)"
    ratio=$(awk -v e="$e" -v n="$n" 'BEGIN {printf "%.0f %%", (n > 0 ? 100 * e / n : 0)}')
    echo "| $c | $d ($dp) | $n ($np) | $e ($ep) | $ratio |"
  done
} > "$work/throughput.md"
rss_load=$(rss)
sleep 5
rss_after=$(rss)

{
  echo "# Benchmark results"
  echo
  echo "Command: \`./bench/run.sh\` — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(awk '/MemTotal/ {print int($2/1048576)}' /proc/meminfo) GiB,"
  echo "$(java -version 2>&1 | head -1), nginx $(nginx -v 2>&1 | cut -d/ -f2), wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2)."
  echo "Not pinned: client, nginx and the whole local stack (five services, Kafka, PostgreSQL in one JVM) share the cores."
  echo
  echo "## Added latency, one request at a time"
  echo
  cat "$work/latency.md"
  echo
  echo "## Throughput (wrk, 2 threads — 1 for one connection — $duration per cell)"
  echo
  cat "$work/throughput.md"
  echo
  echo "## Memory (RSS of the local-stack JVM: all five services, Kafka client, not only the edge)"
  echo
  echo "idle ${rss_idle} MiB, after the load ${rss_load} MiB, 5 s later ${rss_after} MiB."
} > bench/results.md
cat bench/results.md
