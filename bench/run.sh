#!/usr/bin/env bash
# The edge against nginx, one run on this machine: ./bench/run.sh [--quick] [--hold]
#
# Installs Debian's nginx and wrk if missing and builds the project, then starts:
#   core 0  a static fake upstream (nginx, one worker), an SSE upstream (bench/streams.py), the load
#           generator (wrk or the Python clients), and the local stack without edge, analytics and
#           dispatcher (Kafka broker, PostgreSQL, admin-api, key-vault-service);
#   core 1  the proxy under test: nginx (plain proxy_pass, upstream keepalive, one worker), or the
#           edge on its own JVM with its real pipeline (app credential, policy, limits, key injection,
#           metering to the stack's Kafka broker).
# Both proxies get the same single core; everything else stays off it. Writes bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
say() { printf '[%3d s] %s\n' $((SECONDS - started)) "$*"; }
quick=0 hold=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --hold) hold=1 ;; # start and warm everything up, then wait (to profile the edge by hand)
    *) echo "usage: bench/run.sh [--quick] [--hold]"; exit 2 ;;
  esac
done
duration=${BENCH_DURATION:-10s}
warm=${BENCH_WARMUP:-60s}
requests=3000
streams=300
if [[ $quick == 1 ]]; then duration=4s; warm=30s; requests=1000; streams=100; fi
[[ $(nproc) -ge 2 ]] || { echo "needs at least 2 cores (one for the proxy under test)"; exit 1; }
load_cpu=0
proxy_cpu=1

source bench/common.sh
install_missing nginx:nginx-light wrk:wrk python3:python3 curl:curl unzip:unzip
build_unless_skipped
edge_jar=$(ls edge-proxy/target/edge-proxy-*-exec.jar)

work=$(mktemp -d /tmp/symbolon-bench.XXXXXX)
data="$work/data"
upstream_port=18081 proxy_port=18082 edge_port=18083 sse_port=18084 sse_proxy_port=18085 bare_port=18086
edge_off_port=18087 edge_on_port=18088
pids=()
cleanup() {
  for pid_file in "$work"/*.pid; do [[ -f "$pid_file" ]] && kill "$(cat "$pid_file")" 2> /dev/null || true; done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2> /dev/null || true; done # edge before Kafka
  wait 2> /dev/null || true
  # Logs stay for a look when the run failed; a finished run leaves nothing behind.
  if [[ ${finished:-0} == 1 ]]; then rm -rf "$work"; else echo "logs and data kept in $work"; fi
}
trap cleanup EXIT

body='{"id":"chatcmpl-bench","object":"chat.completion","model":"bench-1","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}'
nginx_run() { # name cpu http-block: one nginx, one worker, pinned
  cat > "$work/$1.conf" << CONF
worker_processes 1;
pid $work/$1.pid;
error_log $work/$1-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
$3
}
CONF
  taskset -c "$2" nginx -c "$work/$1.conf"
}
nginx_run upstream $load_cpu "
  server {
    listen 127.0.0.1:$upstream_port;
    location / { default_type application/json; return 200 '$body'; }
  }"
nginx_run proxy $proxy_cpu "
  upstream fake { server 127.0.0.1:$upstream_port; keepalive 128; }
  upstream sse { server 127.0.0.1:$sse_port; keepalive 16; }
  server {
    listen 127.0.0.1:$proxy_port;
    location / { proxy_pass http://fake; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
  }
  server {
    listen 127.0.0.1:$sse_proxy_port;
    location / {
      proxy_pass http://sse; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_buffering off;
    }
  }"
taskset -c $load_cpu python3 bench/streams.py serve $sse_port &
pids+=($!)

say "starting the local stack without edge, analytics and dispatcher..."
SYMBOLON_SKIP_BUILD=1 SYMBOLON_JAVA_OPTS="-XX:+UseSerialGC -Xss512k -Dlogging.level.root=WARN \
 -Dsymbolon.key-vault.server-keys[compat:bench].api-key=sk-bench-upstream-key \
 -Dsymbolon.key-vault.server-keys[compat:benchsse].api-key=sk-bench-upstream-key" \
  taskset -c $load_cpu ./symbolon-local --data-dir="$data" --without=edge,analytics,dispatcher > "$work/stack.log" 2>&1 &
stack_pid=$!
pids+=($stack_pid)
wait_for_stack $stack_pid "$work/stack.log"

say "starting the edge..."
# One event loop, as nginx has one worker; the serial collector suits a one-core heap. The JVM warms
# up on both cores (the JIT compiler would otherwise take the proxy's own core for minutes) and is
# pinned to the proxy core, every thread of it, before anything is measured.
java -XX:+UseSerialGC -Xmx256m -Xss512k -Dreactor.netty.ioWorkerCount=1 \
  -jar "$edge_jar" --spring.config.additional-location="file:$data/edge-proxy.properties" \
  --server.port=$edge_port --logging.level.root=WARN \
  --symbolon.edge.compat.bench.base-url=http://127.0.0.1:$upstream_port/v1 \
  --symbolon.edge.compat.benchsse.base-url=http://127.0.0.1:$sse_port/v1 \
  --symbolon.edge.compat.benchpool.base-url=http://127.0.0.1:$upstream_port/v1 > "$work/edge.log" 2>&1 &
edge_pid=$!
pids+=($edge_pid)
wait_until_ready $edge_port "$work/edge.log"
# What metrics cost: twin edges, started, warmed and loaded alike, one as deployed (every meter) and
# one with Micrometer's deny-all filter (each meter a no-op). Neither serves any other arm, so no
# other traffic shapes one JVM's compiled code and not the other's.
twin() { # name port extra-argument...
  local name=$1 port=$2
  shift 2
  java -XX:+UseSerialGC -Xmx256m -Xss512k -Dreactor.netty.ioWorkerCount=1 \
    -jar "$edge_jar" --spring.config.additional-location="file:$data/edge-proxy.properties" \
    --server.port=$port --logging.level.root=WARN "$@" \
    --symbolon.edge.usage-journal.directory="$work/journal-$name" \
    --symbolon.edge.compat.bench.base-url=http://127.0.0.1:$upstream_port/v1 > "$work/edge-$name.log" 2>&1 &
}
twin metrics-off $edge_off_port --management.metrics.enable.all=false
edge_off_pid=$!
pids+=($edge_off_pid)
twin metrics-on $edge_on_port
edge_on_pid=$!
pids+=($edge_on_pid)
wait_until_ready $edge_off_port "$work/edge-metrics-off.log"
wait_until_ready $edge_on_port "$work/edge-metrics-on.log"
# The most any proxy on the edge's I/O stack gets from the core: bench/BareProxy.java, no logic at all.
unzip -q -o "$edge_jar" 'BOOT-INF/lib/*' -d "$work/edge-jar" # the edge's own library versions
java -XX:+UseSerialGC -Xmx256m -Dreactor.netty.ioWorkerCount=1 -cp "$work/edge-jar/BOOT-INF/lib/*" \
  bench/BareProxy.java $bare_port "http://127.0.0.1:$upstream_port" > "$work/bare.log" 2>&1 &
bare_pid=$!
pids+=($bare_pid)
for _ in $(seq 1 60); do grep -q "bare proxy on" "$work/bare.log" && break; sleep 1; done
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$edge_pid/status"; }
rss_idle=$(rss)

credential=$(grep '^demo-credential=' "$data/bootstrap.properties" | cut -d= -f2-)
# A server-key pool of four (weights 4, 3, 2, 1) on the same fake upstream: what a pool lookup adds
# against the one-key pool of compat:bench.
service_token=$(grep '^service-token=' "$data/bootstrap.properties" | cut -d= -f2-)
key_vault_url=$(grep '^KEY_VAULT_URL=' "$data/edge-proxy.properties" | cut -d= -f2- | sed 's/\\:/:/g')
for weight in 4 3 2 1; do
  curl -sf -o /dev/null -H "Authorization: Bearer $service_token" -H "Content-Type: application/json" \
    -d "{\"provider\":\"compat:benchpool\",\"apiKey\":\"sk-bench-pool-$weight\",\"label\":\"pool-$weight\",\"weight\":$weight}" \
    "$key_vault_url/internal/v1/server-keys" || { echo "could not register the pool's keys"; exit 1; }
done
read -r split_id split_part <<< "$(python3 bench/arms.py split-key --edge "localhost:$edge_port" --credential "$credential")"
lua() { # file extra-header-lines
  cat > "$1" << LUA
wrk.method = "POST"
wrk.body = '{"model":"bench-1","messages":[{"role":"user","content":"ping"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $credential"
$2
LUA
}
lua "$work/server.lua" ""
lua "$work/split.lua" "wrk.headers[\"X-Partial-Key-Id\"] = \"$split_id\"
wrk.headers[\"X-Partial-Key\"] = \"$split_part\""
wrk_run() { # url connections lua duration → "rps p99ms"
  taskset -c $load_cpu wrk -t1 -c"$2" -d"$4" --latency -s "$3" "$1" 2> /dev/null | awk '
    /Requests\/sec/ {rps=$2}
    /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; p99=v}
    END {printf "%.0f %.2f", rps, p99}'
}
edge_url="http://localhost:$edge_port/compat/bench/v1/chat/completions"
edge_off_url="http://localhost:$edge_off_port/compat/bench/v1/chat/completions"
edge_on_url="http://localhost:$edge_on_port/compat/bench/v1/chat/completions"
edge_pool_url="http://localhost:$edge_port/compat/benchpool/v1/chat/completions"

say "warming the edge up for $warm on both cores, then pinning it to core $proxy_cpu..."
wrk_run "$edge_url" 16 "$work/server.lua" "$warm" > /dev/null
wrk_run "$edge_url" 16 "$work/split.lua" 10s > /dev/null
wrk_run "$edge_pool_url" 16 "$work/server.lua" 10s > /dev/null
curl -sf -o /dev/null -D "$work/pool-headers" -H "Authorization: Bearer $credential" -H "Content-Type: application/json" \
  -d '{"model":"bench-1"}' "$edge_pool_url"
grep -qi '^x-symbolon-served-by: key=.*target=compat:benchpool' "$work/pool-headers" || { echo "the pool does not serve"; exit 1; }
bare_url="http://127.0.0.1:$bare_port/v1/chat/completions"
wrk_run "$bare_url" 16 "$work/server.lua" 20s > /dev/null
wrk_run "$edge_off_url" 16 "$work/server.lua" "$warm" > /dev/null
wrk_run "$edge_on_url" 16 "$work/server.lua" "$warm" > /dev/null
taskset -a -p -c $proxy_cpu "$edge_pid" > /dev/null
taskset -a -p -c $proxy_cpu "$edge_off_pid" > /dev/null
taskset -a -p -c $proxy_cpu "$edge_on_pid" > /dev/null
taskset -a -p -c $proxy_cpu "$bare_pid" > /dev/null
# Warm means the JIT has stopped compiling: a compiler thread busy during a measurement takes the
# proxy's own core. Load each JVM in 5 s rounds until its compiler threads used < 50 ms in one.
jit_ticks() { # CPU ticks (1/100 s) of a JVM's JIT compiler threads
  local total=0
  for task in /proc/"$1"/task/*; do
    if grep -q "CompilerThre" "$task/comm" 2> /dev/null; then
      total=$((total + $(awk '{print $14 + $15}' "$task/stat")))
    fi
  done
  echo $total
}
cpu_ticks() { # CPU ticks (1/100 s, user and system) of a whole process
  awk '{print $14 + $15}' "/proc/$1/stat"
}
jit_quiet() { # pid url lua...
  local pid=$1 url=$2 rounds=0 before
  shift 2
  while ((rounds < 12)); do
    before=$(jit_ticks "$pid")
    for script in "$@"; do wrk_run "$url" 16 "$script" 5s > /dev/null; done
    rounds=$((rounds + 1))
    (($(jit_ticks "$pid") - before < 5)) && break
  done
  echo $rounds
}
edge_rounds=$(jit_quiet "$edge_pid" "$edge_url" "$work/server.lua" "$work/split.lua")
jit_quiet "$edge_pid" "$edge_pool_url" "$work/server.lua" > /dev/null
bare_rounds=$(jit_quiet "$bare_pid" "$bare_url" "$work/server.lua")
edge_off_rounds=$(jit_quiet "$edge_off_pid" "$edge_off_url" "$work/server.lua")
edge_on_rounds=$(jit_quiet "$edge_on_pid" "$edge_on_url" "$work/server.lua")
# The twins serve the same pipeline; the one with metrics must actually have them, the other none.
metrics_token=$(grep '^metrics-token=' "$data/bootstrap.properties" | cut -d= -f2-)
scrape() { curl -sf -H "Authorization: Bearer $metrics_token" "http://localhost:$1/actuator/prometheus"; }
# (each scrape to a file first: grep -q closing the pipe early would fail the curl under pipefail)
scrape $edge_on_port > "$work/scrape-on.txt" || { echo "the metrics-on edge's scrape failed"; exit 1; }
grep -q '^gen_ai_client_token_usage_count' "$work/scrape-on.txt" || { echo "the edge exports no GenAI meters"; exit 1; }
scrape $edge_off_port > "$work/scrape-off.txt" || { echo "the metrics-off edge's scrape failed"; exit 1; }
if grep -q '^gen_ai_client_token_usage_count' "$work/scrape-off.txt"; then echo "metrics are not off"; exit 1; fi

if [[ $hold == 1 ]]; then
  say "holding: edge pid $edge_pid on :$edge_port, nginx on :$proxy_port, upstream :$upstream_port; wrk script $work/server.lua"
  echo "e.g. jcmd $edge_pid JFR.start duration=20s filename=/tmp/edge.jfr settings=profile; Ctrl-C stops everything"
  wait "$edge_pid"
fi

say "one request at a time..."
taskset -c $load_cpu python3 bench/arms.py latency --credential "$credential" --split-key "$split_id" --client-part "$split_part" \
  --upstream "127.0.0.1:$upstream_port" --proxy "127.0.0.1:$proxy_port" --edge "localhost:$edge_port" \
  --requests $requests --warmup 1000 > "$work/latency.md"

say "throughput..."
{
  echo "| connections | direct | nginx | bare Reactor Netty proxy | edge, server key | edge, split key | edge ÷ nginx | bare ÷ nginx | edge ÷ bare |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for c in 1 16 64; do
    read -r d dp <<< "$(wrk_run "http://127.0.0.1:$upstream_port/v1/chat/completions" $c "$work/server.lua" "$duration")"
    read -r n np <<< "$(wrk_run "http://127.0.0.1:$proxy_port/v1/chat/completions" $c "$work/server.lua" "$duration")"
    read -r b bp <<< "$(wrk_run "$bare_url" $c "$work/server.lua" "$duration")"
    read -r e ep <<< "$(wrk_run "$edge_url" $c "$work/server.lua" "$duration")"
    [[ $c == 64 ]] && rss_load=$(rss)
    read -r s sp <<< "$(wrk_run "$edge_url" $c "$work/split.lua" "$duration")"
    pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f %%", (b > 0 ? 100 * a / b : 0)}'; }
    echo "| $c | $d ($dp) | $n ($np) | $b ($bp) | $e ($ep) | $s ($sp) | $(pct "$e" "$n") | $(pct "$b" "$n") | $(pct "$e" "$b") |"
  done
} > "$work/throughput.md"

# Two arms in interleaved rounds (a, b, b, a), the median of each side and each round's ratio:
# requests/s (p99) and the arm's own CPU per request. Prints one table row per connection count.
interleaved() { # rounds "a-url a-pid" "b-url b-pid" connections...
  local rounds=$1 a=$2 b=$3 c runs side url pid before rps p99 us
  shift 3
  for c in "$@"; do
    runs=""
    for _ in $(seq 1 "$rounds"); do
      # a round is a, b, b, a: a drift during it weighs on both alike
      for side in a b b a; do
        if [[ $side == a ]]; then read -r url pid <<< "$a"; else read -r url pid <<< "$b"; fi
        before=$(cpu_ticks "$pid")
        read -r rps p99 <<< "$(wrk_run "$url" $c "$work/server.lua" "$duration")"
        # the edge's own CPU per request: what a neighbour's stolen time does not inflate
        us=$(awk -v t=$(($(cpu_ticks "$pid") - before)) -v r="$rps" -v d="${duration%s}" 'BEGIN {printf "%.1f", (r > 0 ? t * 10000 / (r * d) : 0)}')
        runs="$runs $rps $p99 $us"
      done
    done
    # the median of each side's runs, and each round's ratio (how far one round's verdict can swing)
    echo "$runs" | awk -v c="$c" '
      function median(v, n,   i, j, t) {
        for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      }
      {
        # each round: a, b, b, a, each "rps p99 cpu-us-per-request"
        for (i = 1; i <= NF; i += 12) {
          r = (i + 11) / 12
          for (k = 0; k < 4; k++) {
            o = i + 3 * k
            if (k == 0 || k == 3) { on[++n] = $o; onp[n] = $(o + 1); onu[n] = $(o + 2) }
            else { off[++m] = $o; offp[m] = $(o + 1); offu[m] = $(o + 2) }
          }
          ratio = ($(i + 3) + $(i + 6)) > 0 ? 100 * ($i + $(i + 9)) / ($(i + 3) + $(i + 6)) : 0
          rounds = rounds (r > 1 ? ", " : "") sprintf("%.1f", ratio)
        }
        a = median(on, n); b = median(off, m); ap = median(onp, n); bp = median(offp, m)
        au = median(onu, n); bu = median(offu, m)
        printf "| %d | %.0f (%.2f) | %.0f (%.2f) | %.1f %% | %s %% | %+.2f ms | %.1f / %.1f µs | %+.1f %% |\n", c, a, ap, b, bp, (b > 0 ? 100 * a / b : 0), rounds, ap - bp, au, bu, (bu > 0 ? 100 * (au - bu) / bu : 0)
      }'
  done
}

say "metrics on and off..."
metrics_rounds=${BENCH_METRICS_ROUNDS:-4}
{
  echo "| connections | metrics on | metrics off | on ÷ off (requests/s) | per-round on ÷ off | on − off (p99) | edge CPU per request, on / off | CPU added by metrics |"
  echo "|---|---|---|---|---|---|---|---|"
  interleaved "$metrics_rounds" "$edge_on_url $edge_on_pid" "$edge_off_url $edge_off_pid" 1 16 64
} > "$work/metrics.md"

say "key pools..."
{
  echo "| connections | pool of four | pool of one | four ÷ one (requests/s) | per-round four ÷ one | four − one (p99) | edge CPU per request, four / one | CPU added by the pool |"
  echo "|---|---|---|---|---|---|---|---|"
  interleaved "$metrics_rounds" "$edge_pool_url $edge_pid" "$edge_url $edge_pid" 1 16
} > "$work/pools.md"

say "streams..."
taskset -c $load_cpu python3 bench/streams.py measure --direct "127.0.0.1:$sse_port" \
  --nginx "127.0.0.1:$sse_proxy_port" --edge "localhost:$edge_port" --credential "$credential" \
  --streams $streams --warmup 50 > "$work/streams.md"
sleep 10
rss_after=$(rss)
heap=$(jcmd "$edge_pid" GC.heap_info 2> /dev/null | awk '/total/ {print; exit}' | sed 's/^ *//')

{
  echo "# Benchmark results"
  echo
  echo "Command: \`./bench/run.sh$([[ $quick == 1 ]] && echo " --quick")\` — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)),"
  echo "$(awk '/MemTotal/ {print int($2/1048576)}' /proc/meminfo) GiB, $(java -version 2>&1 | head -1), nginx $(nginx -v 2>&1 | cut -d/ -f2), wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2)."
  echo
  echo "Pinning (taskset): the proxy under test — nginx (1 worker) or the edge (its own JVM, 1 event loop,"
  echo "serial GC, 256 MiB heap) — runs alone on core $proxy_cpu. Core $load_cpu runs the load generator, both fake"
  echo "upstreams and the rest of the system (Kafka broker, PostgreSQL, admin-api, key-vault-service). The edge"
  echo "runs its whole pipeline: app credential, policy, rate limits, key injection, a usage event per request"
  echo "to the real Kafka broker. Warm-up: $warm on both cores, then pinned load in 5 s rounds until the JIT"
  echo "compiler threads went quiet (< 50 ms CPU in a round): $edge_rounds rounds for the edge, $bare_rounds for the bare proxy."
  echo
  echo "## Added latency, one request at a time"
  echo
  cat "$work/latency.md"
  echo
  echo "## Throughput (wrk, 1 thread, $duration per cell): requests/s (p99 ms)"
  echo
  echo "Direct is the fake upstream's ceiling (load generator and upstream share core $load_cpu). The bare Reactor"
  echo "Netty proxy (bench/BareProxy.java: the edge's server and pooled client, same versions, no logic) is the"
  echo "most any design on the edge's I/O stack gets from core $proxy_cpu."
  echo
  cat "$work/throughput.md"
  echo
  echo "## Metrics on and off (requests/s (p99 ms), median of $((2 * metrics_rounds)) ${duration} runs each, interleaved)"
  echo
  echo "Twin edges, pinned to core $proxy_cpu, started, warmed and loaded alike and serving no other arm:"
  echo "one as deployed (every meter: GenAI tokens and durations, outcomes, overhead histogram, key cache,"
  echo "feeds, JVM), one with Micrometer's deny-all filter (every meter a no-op). One connection is one"
  echo "request at a time: its requests/s is the inverse of the latency the edge adds. $metrics_rounds rounds per"
  echo "cell, each on, off, off, on; the per-round column is each round's own ratio. CPU per request is the"
  echo "edge JVM's user and system time over the requests it served: time a neighbour steals from the core"
  echo "is not in it, so it is the steadier figure on a shared machine. Warm-up rounds until the JIT was"
  echo "quiet: $edge_on_rounds (metrics on), $edge_off_rounds (metrics off)."
  echo
  cat "$work/metrics.md"
  echo
  echo "## Key pools (requests/s (p99 ms), median of $((2 * metrics_rounds)) ${duration} runs each, interleaved)"
  echo
  echo "The same edge, two routes to the same fake upstream: compat:benchpool, a server-key pool of four"
  echo "keys (weights 4, 3, 2, 1: every request picks one by smooth weighted round robin and checks its"
  echo "breaker), and compat:bench, a pool of one. One connection is one request at a time: the difference"
  echo "of their inverse requests/s is what a pool lookup adds to a request's latency."
  echo
  cat "$work/pools.md"
  echo
  echo "## Streams (SSE)"
  echo
  cat "$work/streams.md"
  echo
  echo "## Edge memory (RSS of the edge JVM)"
  echo
  echo "idle after start ${rss_idle} MiB, under load (64 connections) ${rss_load} MiB, 10 s after the last"
  echo "load ${rss_after} MiB. Heap then: ${heap}."
  echo
  echo "The whole run took $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s."
} > bench/results.md
cat bench/results.md
finished=1
