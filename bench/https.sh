#!/usr/bin/env bash
# What recording costs an HTTPS server: nginx over TLS 1.3 (keep-alive, `return 200`) under wrk -c32,
# nginx on CPU 0, wrk and the tracer on CPU 1, alternating per round: untraced, Capture, Capture with
# --no-tls (its syscall tracepoints alone: they see only ciphertext here), and bare bpftrace
# uprobes+uretprobes on the same SSL_read/SSL_write of the same libssl (the floor any uprobe-based
# recorder pays). wrk links the same libssl, so every probe fires on both ends in every traced run.
# Prints the table of bench/lib.sh's report and saves bench/results/https-<time>.json. Needs root.
# Usage: sudo bench/https.sh [seconds=10] [rounds=2]
cd "$(dirname "$0")/.."
source bench/lib.sh nginx-light wrk openssl bpftrace
seconds=${1:-10} rounds=${2:-2}
port=18443
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 -subj /CN=localhost 2>/dev/null
start_nginx $port ssl "ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem; ssl_protocols TLSv1.3;"
libssl=$(awk '$6 ~ /\/libssl\.so/ {print $6; exit}' "/proc/${server_pids[0]}/maps")
[ -n "$libssl" ] || { echo "bench: nginx maps no libssl" >&2; exit 1; }

for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds" >&2
  alternate https load_wrk "https://127.0.0.1:$port/" capture no-tls bpftrace
done
report https
