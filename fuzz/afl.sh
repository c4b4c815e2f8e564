#!/usr/bin/env bash
# Coverage-guided fuzzing of one parser with AFL++ and SharpFuzz, for as long as you give it. Not run by
# ./test (CI runs the seeded fuzz tests in tests/Capture.Tests/Fuzz, which end in bounded time).
#   fuzz/afl.sh TARGET [MINUTES]    TARGET: http1-request http1-response http2-client http2-server hpack
# Findings (crashes, hangs) land in .build/fuzz/findings/TARGET; each file is an input to replay with
#   .build/fuzz/out/TARGET/Capture.Fuzz TARGET < FILE
CAPTURE_WHO=fuzz
source "$(dirname "$0")/../scripts/prepare.sh"
target=${1:-}
minutes=${2:-10}
case "$target" in
  http1-request|http1-response|http2-client|http2-server|hpack) ;;
  *) echo "usage: fuzz/afl.sh http1-request|http1-response|http2-client|http2-server|hpack [MINUTES]" >&2; exit 2 ;;
esac
install_packages afl++
ensure_dotnet
work="$CAPTURE_ROOT/.build/fuzz"
mkdir -p "$work"
if [ ! -x "$work/tools/sharpfuzz" ]; then
  dotnet tool install --tool-path "$work/tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi
# A fresh copy per target: sharpfuzz instruments analyze.dll and Capture.Hpack.dll in place, and only once.
out="$work/out/$target"
rm -rf "$out"
say "building and instrumenting the Analyzer"
dotnet build "$CAPTURE_ROOT/fuzz/Capture.Fuzz/Capture.Fuzz.csproj" -c Release -o "$out" 2>&1 | tail -1
"$work/tools/sharpfuzz" "$out/analyze.dll"
"$work/tools/sharpfuzz" "$out/Capture.Hpack.dll"

# Seeds: the recorded fixtures, small enough for AFL (HTTP/2 directions cut to their first 4 KiB). The first
# byte of every input says how the rest is split into feeds (0: whole).
seeds="$work/seeds/$target"
rm -rf "$seeds" && mkdir -p "$seeds"
seed() { { printf '\0'; head -c 4096 "$1"; } > "$seeds/$2"; }
case "$target" in
  http1-request) seed "$CAPTURE_ROOT/fixtures/http1/keepalive-session.requests.http" session ;;
  http1-response) seed "$CAPTURE_ROOT/fixtures/http1/keepalive-session.responses.http" session ;;
  http2-client) seed "$CAPTURE_ROOT/fixtures/http2/session.client.bin" session ;;
  http2-server) seed "$CAPTURE_ROOT/fixtures/http2/session.server.bin" session ;;
  hpack) printf '\0\x82\x86\x84\x41\x8c\xf1\xe3\xc2\xe5\xf2\x3a\x6b\xa0\xab\x90\xf4\xff' > "$seeds/rfc7541-c4-1" ;;
esac

mkdir -p "$work/findings"
say "fuzzing $target for $minutes minutes (findings in $work/findings/$target)"
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  afl-fuzz -V $((minutes * 60)) -i "$seeds" -o "$work/findings/$target" -t 5000 -m none -- "$out/Capture.Fuzz" "$target" \
  | grep -E --line-buffered 'Statistics|ERROR|PROGRAM ABORT' || true
stats="$work/findings/$target/default/fuzzer_stats"
[ -f "$stats" ] && grep -E '^(execs_done|execs_per_sec|corpus_count)' "$stats" | tr -s ' ' | paste -sd' ' 
crashes=$(find "$work/findings/$target" -path '*crashes/id:*' 2>/dev/null | wc -l)
hangs=$(find "$work/findings/$target" -path '*hangs/id:*' 2>/dev/null | wc -l)
echo "fuzz $target: $crashes crashes, $hangs hangs (see $work/findings/$target)"
[ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ]
