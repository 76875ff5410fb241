#!/usr/bin/env bash
# N concurrent media calls between two processes on loopback (issue 5, Load).
# The callee answers each call, plays a looped prompt and records both directions to a two-channel WAV;
# the caller places N calls (SIP over UDP, SDP offer/answer, G.711 20 ms), plays a looped prompt on each,
# holds them SECONDS, then hangs up. Both processes print the gap between consecutive packets each call sends
# (goal: p99 <= 30 ms for 20 ms ptime), the gap between arrivals, CPU and memory over the measured window.
#
# Usage: benchmarks/load/media-calls.sh [N=1000] [SECONDS=20]
# Environment: SIP_PORT (default 35060), SETUP_CONCURRENCY (default 50); MEDIA_RECEIVE=tick makes both ends read RTP
# on the media clock (RtpSessionOptions.ReceiveOnClockTick) instead of as it arrives; MEDIA_PARALLELISM sets the
# clock's threads (MediaClock.Parallelism; default here twice the core count, which suits these media-only processes,
# see MediaClock.Parallelism); MEDIA_RT_PRIORITY=N runs both ends' clock threads
# under real-time round-robin scheduling at priority N (MediaClock.RealtimePriority; needs root or CAP_SYS_NICE).
# CALLER_NICE=N runs the calling side (the load generator) at nice N (default 0), so that on a machine too small to
# give the generator cores of its own it takes the CPU from the endpoint under test (the callee) less often; its own
# send gaps are still measured and printed.
# The header prints the load average at the start: figures taken while other work shares the cores are not
# comparable with figures from an idle machine.
# Bounded: the callee quits after SECONDS+120 s whatever happens; the whole run is killed after SECONDS+180 s.
set -euo pipefail

calls="${1:-1000}"
seconds="${2:-20}"
sip_port="${SIP_PORT:-35060}"
concurrency="${SETUP_CONCURRENCY:-50}"
export MEDIA_PARALLELISM="${MEDIA_PARALLELISM:-$((2 * $(nproc)))}"
here="$(cd "$(dirname "$0")" && pwd)"
project="$here/MediaLoad/MediaLoad.csproj"
recordings="$(mktemp -d -t cc-media-recordings-XXXXXX)"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

dotnet build -c Release "$project" -nologo -v quiet >/dev/null
exe=(dotnet run -c Release --no-build --project "$project" --)

callee_out="$(mktemp)"
timeout $((seconds + 180)) "${exe[@]}" callee "$sip_port" "$calls" $((seconds + 120)) "$recordings" >"$callee_out" 2>&1 &
callee_pid=$!
cleanup() { kill "$callee_pid" 2>/dev/null || true; rm -rf "$recordings" "$callee_out"; }
trap cleanup EXIT

for _ in $(seq 1 100); do grep -q "callee ready" "$callee_out" && break; sleep 0.2; done
grep -q "callee ready" "$callee_out" || { cat "$callee_out"; echo "callee did not start" >&2; exit 1; }

echo "media-calls: N=$calls, ${seconds}s, receive=${MEDIA_RECEIVE:-arrival}, rt-priority=${MEDIA_RT_PRIORITY:-0}, clock-threads=$MEDIA_PARALLELISM, caller-nice=${CALLER_NICE:-0}, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
timeout $((seconds + 150)) nice -n "${CALLER_NICE:-0}" "${exe[@]}" caller "$sip_port" "$calls" "$seconds" "$concurrency" || status=$?
wait "$callee_pid" || status=$?
cat "$callee_out"
exit "$status"
