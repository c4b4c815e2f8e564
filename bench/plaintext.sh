#!/usr/bin/env bash
# What recording costs plaintext HTTP servers, on loopback, nginx on CPU 0, the load generator on CPU 1 and
# the tracer on CPU 1 (or on CPU 0 with TRACER_CPU=server). Each round alternates the tracers — none (untraced), Capture (--port: both ends),
# Capture on the server only (--comm nginx: each request once, as tcpdump sees it), Capture's hooks
# alone (attached, nothing matched: the floor of hooking syscalls) and `tcpdump -w` (the reference
# peer) — over three loads (the fixed rate: none, Capture and tcpdump):
#   h1    nginx `return 200` under wrk -c32 keep-alive, at saturation;
#   h2    the same nginx over HTTP/2 (h2c) under h2load -c32 -m10, at saturation;
#   rate  HTTP/1.1 at a fixed rate well below saturation (h2load --h1 --rps, 10 clients), where every
#         request must be captured whole (exchanges/requests) and what matters is the p99 added.
# Every traced run has an untraced run just before and just after it (alternate, bench/lib.sh).
# Prints req/s, its ratio to those two untraced runs, p99 and the p99 added, the tracer's CPU seconds per 1k requests
# and peak RSS, exchanges analyzed whole / requests sent, exchanges flagged gap, and kernel drops; saves
# bench/results/plaintext-<time>.json. Needs root. TRACER_CPU=server puts the tracer on the server's CPU (bench/lib.sh).
# Usage: sudo bench/plaintext.sh [seconds=10] [rounds=2] [rate seconds=60] [rate=5000]
cd "$(dirname "$0")/.."
source bench/lib.sh nginx-light wrk nghttp2-client tcpdump
seconds=${1:-10} rounds=${2:-2} rate_seconds=${3:-60} rate=${4:-5000}
h1=18480 h2=18481
start_nginx $h1
start_nginx $h2 http2

for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds" >&2
  alternate h1 load_wrk "http://127.0.0.1:$h1/" capture server hooks tcpdump
  alternate h2 load_h2 "http://127.0.0.1:$h2/" capture server hooks tcpdump
  alternate rate load_rate "http://127.0.0.1:$h1/" capture tcpdump
done
report plaintext
