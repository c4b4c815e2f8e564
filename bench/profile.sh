#!/usr/bin/env bash
# Where the recorder's cost goes: nginx (`return 200`, keep-alive) under wrk for a while, recorded
# by Capture with the kernel's BPF statistics on. Prints, per BPF program, its hits and nanoseconds
# per hit and per request (run_time_ns / run_cnt: the kernel's own accounting, insensitive to other
# load on the machine), then the recorder's CPU seconds per 1k requests and its peak RSS.
# Needs root. Usage: sudo bench/profile.sh [seconds] [plaintext|https] [record options...]
cd "$(dirname "$0")/.."
source bench/lib.sh nginx-light wrk openssl
seconds=${1:-10}; mode=${2:-plaintext}; shift $(( $# < 2 ? $# : 2 ))
port=18490
if [ "$mode" = https ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 -subj /CN=localhost 2>/dev/null
  start_nginx $port ssl "ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem; ssl_protocols TLSv1.3;"
  url=https://127.0.0.1:$port/
else
  start_nginx $port; url=http://127.0.0.1:$port/
fi
bpf_stats_on; trap 'bpf_stats_off; cleanup' EXIT
start_recorder "$work/run.db" --port $port "$@"
bpf_snapshot $rec >"$work/before"; thread_cpu $rec >"$work/threads-before"; cpu0=$(cpu_seconds $rec)
out=$(taskset -c $client_cpu wrk -t1 -c32 -d"${seconds}s" "$url" 2>&1)
bpf_snapshot $rec >"$work/after"; thread_cpu $rec >"$work/threads-after"; cpu1=$(cpu_seconds $rec); rss=$(peak_rss_mb $rec)
stop_recorder
n=$(awk "/requests in/ {print \$1}" <<<"$out")
echo "$mode: $(awk "/Requests\\/sec/ {print \$2}" <<<"$out") req/s, $n requests in ${seconds}s"
bpf_cost "$work/before" "$work/after" "$n"
awk -v c="$cpu0" -v d="$cpu1" -v n="$n" 'BEGIN {printf "recorder: %.4f CPU-s per 1k requests\n", (d - c) / (n / 1000)}'
thread_cost "$work/threads-before" "$work/threads-after" "$n"
echo "recorder peak RSS: $rss MB; kernel drops: $(kernel_drops "$work/run.db"); server exchanges whole and flagged gap: $(exchange_counts "$work/run.db")"
