#!/usr/bin/env bash
# ContactCenter build script.
#   ./build.sh test   install what the tests need (when missing), build, pack, run every test project
#   ./build.sh run    run the reference contact center (same as: dotnet run --project samples/ContactCenter.Reference)
#   ./build.sh pack   build the NuGet packages into artifacts/packages
# The test run ends with one line summing every test project: "Tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")"

CONFIGURATION=${CONFIGURATION:-Release}
# Debian packages the tests use as real peers and tools. Later issues add to this list.
DEB_PACKAGES=(python3 espeak-ng sox sip-tester postgresql baresip-core chromium chromium-driver)

log() { printf '\n== %s\n' "$*"; }

install_test_dependencies() {
  local missing=()
  for pkg in "${DEB_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "The tests need these Debian packages, which are missing: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  log "Installing test dependencies: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  log "Building ($CONFIGURATION)"
  dotnet build ContactCenter.sln -c "$CONFIGURATION" -nologo -clp:NoSummary -warnaserror
}

pack() {
  log "Packing"
  rm -rf artifacts/packages
  dotnet pack ContactCenter.sln -c "$CONFIGURATION" --no-build -nologo -o artifacts/packages >/dev/null
  local expected=(ContactCenter.Sip ContactCenter.Routing ContactCenter.Ivr ContactCenter.Dialer ContactCenter.Hosting ContactCenter.Cli)
  local failed=0
  for id in "${expected[@]}"; do
    local nupkg
    nupkg=$(ls artifacts/packages/"$id".[0-9]*.nupkg 2>/dev/null | grep -v snupkg | head -n1 || true)
    if [ -z "$nupkg" ]; then
      echo "pack: no package for $id" >&2; failed=1; continue
    fi
    if ! python3 -c 'import sys,zipfile; sys.exit(0 if "README.md" in zipfile.ZipFile(sys.argv[1]).namelist() else 1)' "$nupkg"; then
      echo "pack: $nupkg does not carry README.md" >&2; failed=1
    fi
  done
  [ $failed -eq 0 ] || exit 1
  echo "packed: $(ls artifacts/packages/*.nupkg | wc -l) packages, each with its README"
}

run_tests() {
  log "Testing"
  local out status
  out=$(mktemp)
  set +e
  dotnet test ContactCenter.sln -c "$CONFIGURATION" --no-build -nologo \
    --blame-hang-timeout 10m --results-directory artifacts/test-results 2>&1 | tee "$out" | grep -v -E '^A total of 1 test files matched|^Test run for '
  status=${PIPESTATUS[0]}
  set -e
  # Sum the per-assembly summaries ("Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ...").
  python3 - "$out" "$status" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
rows = re.findall(r"(Passed|Failed)!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+),\s+Total:\s+(\d+).*?-\s+(\S+\.dll)", text)
failed = sum(int(r[1]) for r in rows); passed = sum(int(r[2]) for r in rows); skipped = sum(int(r[3]) for r in rows)
for r in rows:
    print(f"  {r[5]:45} {int(r[2]):5} passed, {int(r[1])} failed, {int(r[3])} skipped")
if int(sys.argv[2]) != 0 and failed == 0:
    failed = 1  # the runner failed outside a test (build, crash, timeout): count it
print(f"Tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
  rm -f "$out"
  return "$status"
}

case "${1:-test}" in
  test) install_test_dependencies; build; pack; run_tests ;;
  run)  shift; exec dotnet run --project samples/ContactCenter.Reference -c "$CONFIGURATION" -- "$@" ;;
  pack) build; pack ;;
  *) echo "usage: ./build.sh [test|run|pack]" >&2; exit 2 ;;
esac
