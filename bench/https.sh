#!/usr/bin/env bash
# Measures what recording costs an HTTPS server: nginx over TLS 1.3 (keep-alive, `return 200`)
# under wrk, alternating four runs per round: untraced, traced by Capture, Capture with --no-tls
# (its syscall tracepoints alone: they see only ciphertext here), and bare bpftrace
# uprobes+uretprobes on the same SSL_read/SSL_write of the same libssl (the floor any
# uprobe-based recorder pays). wrk links the same libssl, so every probe fires on both ends in
# every traced run. Prints a table and writes bench/results/https-<time>.json. Needs root.
# Usage: sudo bench/https.sh [seconds] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
CAPTURE_WHO=bench
source scripts/prepare.sh
install_packages "${BUILD_PACKAGES[@]}" nginx-light wrk openssl bpftrace
ensure_dotnet
build_if_needed record src/Recorder/Recorder.csproj
build_if_needed analyze src/Analyzer/Analyzer.csproj

seconds=${1:-10}
rounds=${2:-2}
port=18443
work=$(mktemp -d /tmp/capture-bench-https.XXXXXX)
mkdir -p bench/results
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 -subj /CN=localhost 2>/dev/null
cat >"$work/nginx.conf" <<CONF
daemon off; master_process off; worker_processes 1; pid $work/nginx.pid; error_log $work/error.log;
events { worker_connections 1024; }
http { access_log off;
  server { listen 127.0.0.1:$port ssl; ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem;
           ssl_protocols TLSv1.3; keepalive_requests 1000000; location / { return 200 "hello, capture\n"; } } }
CONF
# nginx on CPU 0, wrk and the tracer on CPU 1: the same placement for every run.
taskset -c 0 /usr/sbin/nginx -c "$work/nginx.conf" & nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null; rm -rf "$work"' EXIT
sleep 0.5
libssl=$(awk '$6 ~ /\/libssl\.so/ {print $6; exit}' /proc/$nginx_pid/maps)
[ -n "$libssl" ] || { echo "bench: nginx maps no libssl" >&2; exit 1; }

run_wrk() { taskset -c 1 wrk -t1 -c32 -d"${seconds}s" --latency "https://127.0.0.1:$port/" 2>&1; }
reqs() { awk '/Requests\/sec/ {print $2}' <<<"$1"; }
p99() { awk '$1=="99%" {print $2}' <<<"$1"; }

# Waits until a tracer started in the background printed its ready line into its log.
wait_for() { for _ in $(seq 1 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "bench: no '$2' in $1" >&2; cat "$1" >&2; exit 1; }

results=()
for round in $(seq 1 "$rounds"); do
  out=$(run_wrk); results+=("untraced $(reqs "$out") $(p99 "$out") -")

  db="$work/run-$round.db"
  taskset -c 1 src/Recorder/bin/Release/net10.0/record -o "$db" --port $port 2>"$work/record.log" & rec=$!
  wait_for "$work/record.log" '^recording'
  out=$(run_wrk)
  kill -TERM $rec; wait $rec || true  # SIGINT is ignored by background jobs of a script
  captured=$(src/Analyzer/bin/Release/net10.0/analyze "$db" --slowest 100000000 --json | grep -c '"side":"server"' || true)
  results+=("capture $(reqs "$out") $(p99 "$out") $captured")

  # The syscall tracepoints alone (what plaintext recording costs on the same traffic).
  taskset -c 1 src/Recorder/bin/Release/net10.0/record -o "$work/notls-$round.db" --port $port --no-tls 2>"$work/record-notls.log" & rec=$!
  wait_for "$work/record-notls.log" '^recording'
  out=$(run_wrk)
  kill -TERM $rec; wait $rec || true
  results+=("no-tls $(reqs "$out") $(p99 "$out") -")

  taskset -c 1 bpftrace -e "
    uprobe:$libssl:SSL_read, uprobe:$libssl:SSL_write, uretprobe:$libssl:SSL_read, uretprobe:$libssl:SSL_write { @calls[probe] = count(); }
    BEGIN { printf(\"tracing\\n\"); }" >"$work/bpftrace.log" 2>&1 & bt=$!
  wait_for "$work/bpftrace.log" '^tracing'
  out=$(run_wrk)
  kill -INT $bt; wait $bt || true
  results+=("bpftrace $(reqs "$out") $(p99 "$out") -")
done

# Ratios against the mean of the untraced runs.
base=$(printf '%s\n' "${results[@]}" | awk '$1=="untraced" {s+=$2; n++} END {printf "%.1f", s/n}')
printf '%-9s %12s %10s %10s %14s\n' run req/s p99 vs_untraced server_exchanges
for r in "${results[@]}"; do
  set -- $r
  printf '%-9s %12s %10s %10s %14s\n' "$1" "$2" "$3" "$(awk -v a="$2" -v b="$base" 'BEGIN {printf "%.2f", a/b}')" "$4"
done
json="bench/results/https-$(date +%Y%m%d-%H%M%S).json"
printf '%s\n' "${results[@]}" | awk -v base="$base" 'BEGIN{print "["} {printf "%s{\"run\":\"%s\",\"req_per_s\":%s,\"p99\":\"%s\",\"vs_untraced\":%.3f,\"server_exchanges\":\"%s\"}", (NR>1?",\n":""), $1,$2,$3,$2/base,$4} END{print "\n]"}' >"$json"
echo "saved $json"
