# Sourced by ./record, ./analyze and ./test: installs what is missing, then builds if sources changed.
# Usage: prepare <who> <build target> <debian packages...>
set -euo pipefail

CAPTURE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { echo "$CAPTURE_WHO: $*" >&2; }

install_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages: ${missing[*]}; run once with sudo to install them"
    exit 3
  fi
  say "installing missing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/tmp/capture-apt.log 2>&1 || {
    apt-get update -qq >>/tmp/capture-apt.log 2>&1 || true
    apt-get install -y -qq "${missing[@]}" >>/tmp/capture-apt.log 2>&1 || {
      say "apt-get install ${missing[*]} failed; see /tmp/capture-apt.log"; exit 3; }
  }
}

ensure_dotnet() {
  if command -v dotnet >/dev/null 2>&1 && dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then return 0; fi
  if [ "$(id -u)" -eq 0 ] && apt-cache policy dotnet-sdk-10.0 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    say "installing the .NET 10 SDK (dotnet-sdk-10.0)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dotnet-sdk-10.0 >/tmp/capture-apt.log 2>&1 && return 0
  fi
  say "the .NET 10 SDK is required and was not found: install it (https://learn.microsoft.com/dotnet/core/install/linux-debian), then run this again"
  exit 3
}

# build_if_needed <stamp name> <project or solution>
build_if_needed() {
  local stamp="$CAPTURE_ROOT/.build/$1.stamp" target="$2"
  mkdir -p "$CAPTURE_ROOT/.build"
  if [ -f "$stamp" ] && [ -z "$(find "$CAPTURE_ROOT/src" "$CAPTURE_ROOT/bpf" "$CAPTURE_ROOT/tests" "$CAPTURE_ROOT/Directory.Build.props" \
        -newer "$stamp" -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.c' -o -name '*.h' -o -name '*.sql' -o -name '*.props' -o -name Makefile \) \
        -not -path '*/obj/*' -not -path '*/bin/*' -not -name vmlinux.h -print -quit)" ]; then
    return 0
  fi
  say "building $target (Release)"
  if ! dotnet build "$CAPTURE_ROOT/$target" -c Release -v quiet -nologo -clp:NoSummary >"$CAPTURE_ROOT/.build/$1.log" 2>&1; then
    grep -E 'error|Error' "$CAPTURE_ROOT/.build/$1.log" | sort -u | head -20 >&2
    say "build failed; full log in .build/$1.log"
    exit 1
  fi
  touch "$stamp"
}

BUILD_PACKAGES=(clang llvm make libbpf1 libbpf-dev bpftool)
