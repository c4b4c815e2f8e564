#!/usr/bin/env bash
# Measures what recording costs a plaintext HTTP/1.1 server: nginx under wrk (keep-alive),
# untraced and traced by Capture, alternating, on loopback. Prints a table and writes
# bench/results/plaintext-<time>.json. Needs root. Usage: sudo bench/plaintext.sh [seconds] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
CAPTURE_WHO=bench
source scripts/prepare.sh
install_packages "${BUILD_PACKAGES[@]}" nginx-light wrk
ensure_dotnet
build_if_needed record src/Recorder/Recorder.csproj
build_if_needed analyze src/Analyzer/Analyzer.csproj

seconds=${1:-10}
rounds=${2:-2}
port=18480
work=$(mktemp -d /tmp/capture-bench.XXXXXX)
mkdir -p bench/results
cat >"$work/nginx.conf" <<CONF
daemon off; master_process off; worker_processes 1; pid $work/nginx.pid; error_log $work/error.log;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$port; location / { return 200 "hello, capture\n"; } } }
CONF
# nginx on CPU 0, wrk and the recorder on CPU 1: the same placement for every run.
taskset -c 0 /usr/sbin/nginx -c "$work/nginx.conf" & nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null; rm -rf "$work"' EXIT
sleep 0.5

run_wrk() { taskset -c 1 wrk -t1 -c32 -d"${seconds}s" --latency "http://127.0.0.1:$port/" 2>&1; }
reqs() { awk '/Requests\/sec/ {print $2}' <<<"$1"; }
p99() { awk '$1=="99%" {print $2}' <<<"$1"; }
total() { awk '/requests in/ {print $1}' <<<"$1"; }

results=()
for round in $(seq 1 "$rounds"); do
  out=$(run_wrk); results+=("untraced $(reqs "$out") $(p99 "$out") $(total "$out") - - - -")
  db="$work/run-$round.db"
  taskset -c 1 src/Recorder/bin/Release/net10.0/record -o "$db" --port $port 2>"$work/record.log" & rec=$!
  until grep -q '^recording' "$work/record.log" 2>/dev/null; do sleep 0.1; done
  cpu0=$(awk '{print $14+$15}' /proc/$rec/stat)
  out=$(run_wrk)
  cpu1=$(awk '{print $14+$15}' /proc/$rec/stat)
  rss=$(awk '/VmHWM/ {print $2}' /proc/$rec/status)
  kill -TERM $rec; wait $rec || true  # SIGINT is ignored by background jobs of a script
  drops=$(sqlite3 "$db" "select value from run_info where key='kernel_drops'")
  captured=$(src/Analyzer/bin/Release/net10.0/analyze "$db" --slowest 100000000 --json | grep -c '"side":"server"' || true)
  n=$(total "$out")
  cpu_per_1k=$(awk -v t=$((cpu1 - cpu0)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", (t / hz) / (n / 1000) }')
  results+=("capture $(reqs "$out") $(p99 "$out") $n $cpu_per_1k $((rss / 1024)) $captured $drops")
done

printf '%-9s %12s %10s %10s %14s %8s %14s %8s\n' run req/s p99 requests cpu_s/1k_req rss_MB server_exch drops
for r in "${results[@]}"; do printf '%-9s %12s %10s %10s %14s %8s %14s %8s\n' $r; done
json="bench/results/plaintext-$(date +%Y%m%d-%H%M%S).json"
printf '%s\n' "${results[@]}" | awk 'BEGIN{print "["} {printf "%s{\"run\":\"%s\",\"req_per_s\":\"%s\",\"p99\":\"%s\",\"requests\":\"%s\",\"cpu_s_per_1k\":\"%s\",\"rss_mb\":\"%s\",\"server_exchanges\":\"%s\",\"drops\":\"%s\"}", (NR>1?",\n":""), $1,$2,$3,$4,$5,$6,$7,$8} END{print "\n]"}' >"$json"
echo "saved $json"
