#!/usr/bin/env bash
# The recorder's user space alone: the events of nginx's side of HTTP/1.1 keep-alive exchanges fed through the
# poll thread's copy, the writer (decoding, redaction, SQLite) and the log's checkpoint into a db in DIR, with no BPF,
# no root and no load generator beside it. Prints CPU seconds per 1k exchanges per round: compare builds with it, it
# is steadier than a saturation run. --no-redact: as record --no-redact, the chunks stored unread (the difference is
# redaction's cost). Usage: bench/writer.sh [exchanges] [rounds] [DIR] [--no-redact] (default 500000 3 /tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
CAPTURE_WHO=bench
source scripts/prepare.sh
install_packages "${BUILD_PACKAGES[@]}"  # the recorder it links builds its BPF object too
ensure_dotnet
dotnet build bench/WriterBench/WriterBench.csproj -c Release -v quiet -nologo -clp:NoSummary >/dev/null
dir=$(mktemp -d "${3:-/tmp}/capture-writer-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
bench/WriterBench/bin/Release/net10.0/writer-bench "$dir" "${1:-500000}" "${2:-3}" ${4:-}
