# Shared by the bench/ scripts: setup, servers, load generators, the recorder and what it cost.
# Source it after `cd` to the repository root; it sets up $work (removed on exit) and builds.
set -euo pipefail
CAPTURE_WHO=bench
source scripts/prepare.sh
install_packages "${BUILD_PACKAGES[@]}" "$@"
ensure_dotnet
build_if_needed record src/Recorder/Recorder.csproj
build_if_needed analyze src/Analyzer/Analyzer.csproj
RECORD=src/Recorder/bin/Release/net10.0/record
ANALYZE=src/Analyzer/bin/Release/net10.0/analyze
# Another tracer's probes would slow every run, untraced ones included: measure on a quiet kernel.
if others=$(pgrep -x 'record|bpftrace' | paste -sd, -) && [ -n "$others" ]; then
  echo "bench: a recorder or bpftrace is running (pid $others): its probes would slow every run; stop it first" >&2
  exit 1
fi
# So would any other tracing program left attached (a throwaway loader once stayed for a whole bench round).
tracing_programs() {
  bpftool prog show -j | python3 -c '
import json, sys
kinds = ("tracing", "tracepoint", "raw_tracepoint", "kprobe", "perf_event")
print(", ".join("%s %s" % (p["id"], p.get("name", "?")) for p in json.load(sys.stdin) if p.get("type") in kinds))'
}
if tracers=$(tracing_programs) && [ -n "$tracers" ]; then
  echo "bench: BPF tracing programs are loaded ($tracers): they would slow every run; stop what loaded them (bpftool prog show)" >&2
  exit 1
fi
work=$(mktemp -d /tmp/capture-bench.XXXXXX)
mkdir -p bench/results
server_pids=()
cleanup() { for p in "${server_pids[@]}" ${rec:-}; do kill "$p" 2>/dev/null || true; done; [ -z "${rec:-}" ] || wait "$rec" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# Placement for every run: the server on CPU 0, the load generator on CPU 1, and the tracer (Capture,
# tcpdump, bpftrace alike) on CPU 1 by default. TRACER_CPU=server puts the tracer on the server's CPU
# instead: as on a production host, where clients are elsewhere and recording competes with the server,
# not with its load. Each placement answers a different question, so the report names the one used.
server_cpu=0 client_cpu=1
case ${TRACER_CPU:-client} in
  client) tracer_cpu=$client_cpu ;;
  server) tracer_cpu=$server_cpu ;;
  *) echo "bench: TRACER_CPU must be client or server, not '$TRACER_CPU'" >&2; exit 2 ;;
esac
export BENCH_PLACEMENT="tracer on CPU $tracer_cpu (${TRACER_CPU:-client}'s), server on CPU $server_cpu, load on CPU $client_cpu"
# The server every script starts (start_nginx), by its command name; and a pid no process can have
# (PID_MAX_LIMIT: pids stay below it).
server_comm=nginx pid_beyond_max=4194304

# Waits until a process started in the background printed its ready line into its log.
wait_for() { for _ in $(seq 1 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "bench: no '$2' in $1" >&2; cat "$1" >&2; exit 1; }

# start_nginx <port> [extra listen flags] [extra server directives]: nginx answering `return 200`.
start_nginx() {
  local conf="$work/nginx-$1.conf"
  cat >"$conf" <<CONF
daemon off; master_process off; worker_processes 1; pid $work/nginx-$1.pid; error_log $work/nginx-$1.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$1 ${2:-}; ${3:-} location / { return 200 "hello, capture\n"; } } }
CONF
  taskset -c $server_cpu /usr/sbin/nginx -c "$conf" & server_pids+=($!)
  sleep 0.5
}

# CPU seconds (user + system) a process has used so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
peak_rss_mb() { awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }

# start_recorder <db> [record options...]: sets $rec (its pid) once it prints its ready line.
start_recorder() {
  local db=$1; shift
  taskset -c $tracer_cpu "$RECORD" -o "$db" --overwrite "$@" 2>"$work/record.log" & rec=$!
  wait_for "$work/record.log" '^recording'
}
# Stops the recorder ($rec); SIGINT is ignored by the background jobs of a script, so SIGTERM. Sets
# $rec_cpu_end and $rec_peak_rss to its CPU seconds and peak RSS when it exits (sampled every 50 ms until then):
# a recorder still storing what it took in during the load spends that CPU after the load, and it counts.
stop_recorder() {
  local cpu hwm
  kill -TERM "$rec"
  rec_cpu_end="" rec_peak_rss=0
  while cpu=$(cpu_seconds "$rec" 2>/dev/null) && hwm=$(peak_rss_mb "$rec" 2>/dev/null) && [ -n "$hwm" ]; do
    rec_cpu_end=$cpu rec_peak_rss=$hwm
    sleep 0.05
  done
  wait "$rec" || true; rec=
}
kernel_drops() { sqlite3 "$1" "select value from run_info where key='kernel_drops'"; }
# exchange_counts <db>: "whole gap" — the server-side exchanges analyze finds with a request and a response
# and no flag, and those flagged gap (their connection lost bytes to a kernel drop). Exchanges cut by the
# load generator's stop (incomplete, reset) are neither.
exchange_counts() {
  "$ANALYZE" "$1" --slowest 1000000000 --json | /usr/bin/python3 -c '
import json, sys
whole = gap = 0
for line in sys.stdin:
    e = json.loads(line)
    if e["side"] != "server": continue
    if "gap" in e["flags"]: gap += 1
    elif not e["flags"] and e["method"] and e["status"]: whole += 1
print(whole, gap)'
}

# BPF cost per program, from the kernel's own accounting (insensitive to other load): the ids of
# the programs a process holds, then run_cnt and run_time_ns of each.
bpf_stats_on() { bpf_stats_before=$(sysctl -n kernel.bpf_stats_enabled); sysctl -qw kernel.bpf_stats_enabled=1; }
bpf_stats_off() { sysctl -qw kernel.bpf_stats_enabled="${bpf_stats_before:-0}"; }
prog_ids_of() { grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u; }
# bpf_snapshot <pid>: "name id run_cnt run_time_ns" per program the process holds.
bpf_snapshot() {
  local ids; ids=$(prog_ids_of "$1" | paste -sd,)
  bpftool prog show -j | python3 -c '
import json, sys
ids = set(int(i) for i in sys.argv[1].split(",") if i)
for p in json.load(sys.stdin):
    if p["id"] in ids: print(p["name"], p["id"], p.get("run_cnt", 0), p.get("run_time_ns", 0))' "$ids"
}
# bpf_cost <before> <after> <requests>: per program, hits, ns per hit and ns per request; then the total.
bpf_cost() {
  python3 - "$1" "$2" "$3" <<'PY'
import sys
def load(path):
    return {f[1]: (f[0], int(f[2]), int(f[3])) for f in (l.split() for l in open(path)) if len(f) == 4}
before, after, requests = load(sys.argv[1]), load(sys.argv[2]), max(1, int(sys.argv[3]))
total = 0
for pid, (name, cnt, ns) in sorted(after.items(), key=lambda kv: -(kv[1][2] - before.get(kv[0], ("", 0, 0))[2])):
    _, cnt0, ns0 = before.get(pid, (name, 0, 0))
    hits, spent = cnt - cnt0, ns - ns0
    if hits == 0: continue
    total += spent
    print(f"  {name:32s} {hits:10d} hits {spent / hits:8.0f} ns/hit {spent / requests:8.0f} ns/req")
print(f"  {'all programs':32s} {'':15s} {'':15s} {total / requests:8.0f} ns/req")
PY
}

# Load generators, on the client CPU. Each prints "req_per_s p99_ms requests".
load_wrk() {  # keep-alive HTTP/1.1 at saturation: wrk -c32
  taskset -c $client_cpu wrk -t1 -c32 -d"${seconds}s" --latency "$1" 2>&1 | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ {rps = $2} $1 == "99%" {p99 = ms($2)} /requests in/ {n = $1}
    END {printf "%s %.3f %s\n", rps, p99, n}'
}
# h2load_summary <log file> <h2load output>: req/s and succeeded requests from its output, p99 from its per-request log.
h2load_summary() {
  local rps n p99
  rps=$(awk '/^finished in/ {gsub(",", "", $4); print $4}' <<<"$2")
  n=$(awk '/^requests:/ {print $8}' <<<"$2")
  p99=$(awk '{print $3}' "$1" | sort -n | awk '{v[NR] = $1} END {i = int(NR * 0.99); if (i < 1) i = 1; printf "%.3f", v[i] / 1000}')
  echo "$rps $p99 $n"
}
load_h2() {  # HTTP/2 (h2c, prior knowledge) at saturation: 32 connections, 10 streams each
  local out; out=$(taskset -c $client_cpu h2load -c32 -m10 -D "$seconds" --log-file="$work/h2load.log" "$1" 2>&1)
  h2load_summary "$work/h2load.log" "$out"
}
load_rate() {  # HTTP/1.1 at a fixed rate well below saturation: 10 keep-alive clients sharing $rate req/s
  local out; out=$(taskset -c $client_cpu h2load --h1 -c10 --rps=$((rate / 10)) -D "$rate_seconds" --log-file="$work/h2load.log" "$1" 2>&1)
  h2load_summary "$work/h2load.log" "$out"
}

# run_one <label> <tracer> <load function> <url>: one measured run; appends to $results
# "label tracer req/s p99_ms requests tracer_cpu_s_per_1k tracer_rss_mb whole gap drops" (- where not applicable).
# Tracers: none (untraced); capture (Capture, --port: both ends of every connection, each request recorded
# twice); server (Capture, only the server's process: each request recorded once, as tcpdump has it);
# hooks (Capture with a --pid no process can have: its programs attached and run on every syscall, nothing
# recorded; the floor under any recorder that hooks syscalls); no-tls (Capture, --no-tls); bpftrace (bare
# uprobes on the TLS functions); tcpdump (`tcpdump -w`).
results=()
run_one() {
  local label=$1 tracer=$2 load=$3 url=$4 port pid="" cpu0 rps p99 n cost=- rss=- whole=- gap=- drops=-
  port=${url##*:}; port=${port%%/*}
  case $tracer in
    capture) start_recorder "$work/run.db" --port "$port"; pid=$rec ;;
    server) start_recorder "$work/run.db" --comm "$server_comm"; pid=$rec ;;
    hooks) start_recorder "$work/run.db" --pid "$pid_beyond_max"; pid=$rec ;;
    no-tls) start_recorder "$work/run.db" --port "$port" --no-tls; pid=$rec ;;  # the syscall tracepoints alone
    bpftrace)  # bare uprobes+uretprobes on SSL_read/SSL_write of $libssl: the floor of any uprobe-based recorder
      taskset -c $tracer_cpu bpftrace -e "
        uprobe:$libssl:SSL_read, uprobe:$libssl:SSL_write, uretprobe:$libssl:SSL_read, uretprobe:$libssl:SSL_write { @calls[probe] = count(); }
        BEGIN { printf(\"tracing\\n\"); }" >"$work/bpftrace.log" 2>&1 & pid=$!
      wait_for "$work/bpftrace.log" '^tracing' ;;
    tcpdump)
      taskset -c $tracer_cpu tcpdump -i lo -s 0 -w "$work/run.pcap" "tcp port $port" 2>"$work/tcpdump.log" & pid=$!
      wait_for "$work/tcpdump.log" 'listening on' ;;
  esac
  [ -z "$pid" ] || cpu0=$(cpu_seconds "$pid")
  read -r rps p99 n < <("$load" "$url")
  local cpu_end=""
  if [ -n "$pid" ]; then
    cpu_end=$(cpu_seconds "$pid")
    rss=$(peak_rss_mb "$pid")
  fi
  case $tracer in
    capture|server|hooks|no-tls)
      # Its CPU and peak RSS when it exited (what was read after the load stands in had it exited already).
      stop_recorder; cpu_end=${rec_cpu_end:-$cpu_end}; [ "$rec_peak_rss" = 0 ] || rss=$rec_peak_rss
      drops=$(kernel_drops "$work/run.db")
      case $tracer in capture|server) read -r whole gap < <(exchange_counts "$work/run.db") ;; esac ;;
    bpftrace) kill -INT "$pid"; wait "$pid" || true ;;
    tcpdump) kill -INT "$pid"; wait "$pid" || true; drops=$(awk '/dropped by kernel/ {print $1}' "$work/tcpdump.log"); rm -f "$work/run.pcap" ;;
  esac
  [ -z "$pid" ] || cost=$(awk -v a="$cpu0" -v b="$cpu_end" -v n="$n" 'BEGIN {printf "%.4f", (b - a) / (n / 1000)}')
  results+=("$label $tracer $rps $p99 $n $cost $rss $whole $gap $drops")
  echo "  $label $tracer: $rps req/s, p99 $p99 ms" >&2
}

# alternate <label> <load function> <url> <tracer>...: an untraced run before each tracer's run and one after
# the last, so that every traced run is compared with the untraced runs on either side of it (report.py). The
# machine's speed drifts by a quarter within minutes on a shared VM: a ratio to untraced runs far away in time
# measured the drift as much as the tracer.
alternate() {
  local label=$1 load=$2 url=$3 tracer; shift 3
  run_one "$label" none "$load" "$url"
  for tracer in "$@"; do run_one "$label" "$tracer" "$load" "$url"; run_one "$label" none "$load" "$url"; done
}

# report <name>: prints $results as a table (bench/report.py) and saves them as bench/results/<name>-<time>.json.
report() {
  local json="bench/results/$1-$(date +%Y%m%d-%H%M%S).json"
  printf '%s\n' "${results[@]}" | /usr/bin/python3 bench/report.py "$json"
  echo "saved $json"
}

# thread_cpu <pid>: "name/tid cpu-seconds" of each thread of a process (to diff before and after).
thread_cpu() {
  for t in /proc/"$1"/task/*; do
    # Fields after the ")" that closes the name (names may hold spaces): utime and stime are the 12th and 13th.
    sed 's/.*) //' "$t/stat" 2>/dev/null | awk -v hz="$(getconf CLK_TCK)" -v name="$(tr ' ' _ <"$t/comm")" -v tid="${t##*/}" \
      '{printf "%s/%s %.2f\n", name, tid, ($12 + $13) / hz}' || true
  done
}
# thread_cost <before> <after> <requests>: CPU milliseconds per 1k requests of each busy thread.
thread_cost() {
  awk -v n="$3" 'NR == FNR {before[$1] = $2; next} { d = $2 - before[$1]; if (d > 0.01) printf "  %-32s %8.2f ms CPU per 1k requests\n", $1, d / (n / 1000) * 1000 }' "$1" "$2" | sort -k2 -nr
}
