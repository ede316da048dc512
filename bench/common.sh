# What bench/run.sh and bench/soak.sh do alike. Sourced, not run; expects say() and, for the waits,
# a pids array the caller's cleanup kills.

# install_missing command:debian-package ... — installs the packages whose commands are missing
install_missing() {
  local need=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" > /dev/null || need+=("${pair#*:}")
  done
  if [[ ${#need[@]} -gt 0 ]]; then
    say "installing ${need[*]} (Debian packages)..."
    local sudo_cmd=""
    [[ $(id -u) != 0 ]] && sudo_cmd=sudo
    $sudo_cmd apt-get install -y -q "${need[@]}" > /dev/null \
      || { $sudo_cmd apt-get update -q > /dev/null; $sudo_cmd apt-get install -y -q "${need[@]}" > /dev/null; }
  fi
}

# build_unless_skipped — the jars the benchmarks run, unless SYMBOLON_SKIP_BUILD=1
build_unless_skipped() {
  if [[ "${SYMBOLON_SKIP_BUILD:-0}" != 1 ]]; then
    say "building..."
    ./mvnw -q -B -DskipTests -Dspotless.check.skip=true -Denforcer.skip=true -pl local-stack -am package
  fi
}

# wait_for_stack PID LOG — until the local stack says it runs (5 min at most), else show its log and fail
wait_for_stack() {
  local _
  for _ in $(seq 1 300); do
    grep -q "Symbolon is running" "$2" && return 0
    kill -0 "$1" 2> /dev/null || break
    sleep 1
  done
  grep -q "Symbolon is running" "$2" || { cat "$2"; exit 1; }
}

# wait_until_ready PORT LOG — until a service on the port is ready (2 min at most), else show its log and fail
wait_until_ready() {
  local _
  for _ in $(seq 1 120); do
    curl -sf "http://localhost:$1/actuator/health/readiness" > /dev/null && return 0
    sleep 1
  done
  cat "$2"
  exit 1
}
