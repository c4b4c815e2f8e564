#!/usr/bin/env bash
# Measures the analyzer on generated recordings of N exchanges (HTTP/1.1 and HTTP/2): exchanges/s and
# peak RSS for `analyze --stats`, and the same question answered by tshark (-z http,tree / http2,tree)
# on the equivalent pcapng written by `analyze --export-pcapng`. Prints a table and writes
# bench/results/analyze-<time>.json. Usage: bench/analyze.sh [exchanges] (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
CAPTURE_WHO=bench
source scripts/prepare.sh
install_packages tshark time
ensure_dotnet
build_if_needed analyze src/Analyzer/Analyzer.csproj

total=${1:-1000000}
work=$(mktemp -d /tmp/capture-bench-analyze.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p bench/results
analyze=src/Analyzer/bin/Release/net10.0/analyze

# Prints "seconds peak_rss_kb" of a command whose output is discarded.
measure() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; return 1; }
  cat "$work/time"
}

json="{"
printf '%-8s %12s %12s %12s %14s %12s %12s\n' protocol exchanges "analyze s" "exch/s" "analyze MB" "tshark s" "tshark MB"
for protocol in http1 h2; do
  db="$work/$protocol.db"
  /usr/bin/python3 bench/gen_recording.py "$db" "$total" "$protocol"
  read -r seconds rss < <(measure "$analyze" "$db" --stats)
  rate=$(awk -v n="$total" -v s="$seconds" 'BEGIN { printf "%.0f", n / (s > 0 ? s : 0.01) }')
  tshark_seconds=n/a tshark_rss=n/a
  if "$analyze" "$db" --export-pcapng "$work/$protocol.pcapng" >/dev/null 2>&1; then
    tree=$([ "$protocol" = h2 ] && echo http2,tree || echo http,tree)
    read -r tshark_seconds tshark_rss < <(measure tshark -q -r "$work/$protocol.pcapng" -z "$tree")
    tshark_rss=$((tshark_rss / 1024))
  fi
  printf '%-8s %12s %12s %12s %14s %12s %12s\n' "$protocol" "$total" "$seconds" "$rate" "$((rss / 1024))" "$tshark_seconds" "$tshark_rss"
  json+="\"$protocol\":{\"exchanges\":$total,\"analyze_seconds\":$seconds,\"exchanges_per_second\":$rate,\"analyze_peak_rss_mb\":$((rss / 1024)),\"tshark_seconds\":\"$tshark_seconds\",\"tshark_peak_rss_mb\":\"$tshark_rss\"},"
  rm -f "$db" "$work/$protocol.pcapng"
done
out="bench/results/analyze-$(date -u +%Y%m%dT%H%M%SZ).json"
echo "${json%,}}" >"$out"
echo "wrote $out"
