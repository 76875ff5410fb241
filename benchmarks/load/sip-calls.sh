#!/usr/bin/env bash
# End-to-end SIP load: sipp's built-in uac scenario against `contactcenter sip serve`, which answers every call
# (100, 200 with an SDP answer); sipp hangs up after the call duration. Loopback only; stops by itself.
#
#   benchmarks/load/sip-calls.sh [RATE_PER_SECOND] [SECONDS] [CALL_MS]
#   defaults: 2000 calls/s for 60 s, calls of 1000 ms (the SIP core issue's goal: >= 2000 cps, 0 failed calls)
#
# Prints calls attempted/succeeded/failed, INVITE-to-200 latency p50/p99 (sipp's response-time measure),
# and the server's CPU and memory. Needs sipp (Debian package sip-tester) and the .NET SDK.
set -euo pipefail
cd "$(dirname "$0")/../.."

RATE=${1:-2000}
SECONDS_TO_RUN=${2:-60}
CALL_MS=${3:-1000}
PORT=${SIP_PORT:-5080}
CALLS=$((RATE * SECONDS_TO_RUN))
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v sipp >/dev/null || { echo "sipp is missing: apt-get install -y sip-tester" >&2; exit 1; }
dotnet build src/ContactCenter.Cli -c Release -nologo -v quiet >/dev/null
CLI=src/ContactCenter.Cli/bin/Release/net10.0/contactcenter.dll

DOTNET_gcServer=1 dotnet "$CLI" sip serve --listen "udp:127.0.0.1:$PORT" --quiet >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do grep -q "listening" "$WORK/server.log" && break; sleep 0.1; done

# Sample the server's CPU time and resident memory once a second while sipp runs.
ticks=$(getconf CLK_TCK)
. benchmarks/load/process-usage.sh
sample_process "$SERVER" "$WORK/done" "$WORK/usage" &
SAMPLER=$!

began=$(date +%s.%N)
set +e
(cd "$WORK" && sipp -sn uac "127.0.0.1:$PORT" -i 127.0.0.1 -p $((PORT + 10)) \
  -r "$RATE" -rp 1000 -m "$CALLS" -l $((RATE * (CALL_MS / 1000 + 4))) -d "$CALL_MS" \
  -max_socket 1000 -buff_size 4194304 -nostdin -timeout $((SECONDS_TO_RUN + 60))s -timeout_error \
  -trace_stat -fd 1 -trace_rtt -rtt_freq 100 -trace_err >"$WORK/sipp.out" 2>&1)
status=$?
set -e
ended=$(date +%s.%N)
touch "$WORK/done"; wait $SAMPLER || true

stat=$(ls "$WORK"/*_.csv 2>/dev/null | head -n1 || true)
[ -n "$stat" ] || stat=$(ls "$WORK"/*.csv | grep -v rtt | head -n1)
rtt=$(ls "$WORK"/*_rtt.csv | head -n1)
python3 - "$stat" "$rtt" "$WORK/usage" "$began" "$ended" "$RATE" "$SECONDS_TO_RUN" "$CALL_MS" "$ticks" "$status" <<'PY'
import csv, sys
stat, rtt, usage, began, ended, rate, secs, call_ms, ticks, status = sys.argv[1:]
rows = list(csv.reader(open(stat), delimiter=';'))
head, last = rows[0], rows[-1]
col = lambda name: int(last[head.index(name)])
attempted, ok, failed = col('TotalCallCreated'), col('SuccessfulCall(C)'), col('FailedCall(C)')
times = sorted(float(r[1]) for r in csv.reader(open(rtt), delimiter=';') if r and r[0][0].isdigit())
pct = lambda p: times[min(len(times) - 1, int(p * len(times)))] if times else float('nan')
cpu_ticks, peak_kib = (int(x) for x in open(usage).read().split())
wall = float(ended) - float(began)
print(f"target: {rate} calls/s for {secs} s, {call_ms} ms calls")
print(f"calls: {attempted} attempted, {ok} successful, {failed} failed; achieved {ok / wall:.0f} calls/s over {wall:.1f} s")
print(f"INVITE to 200: p50 {pct(0.50):.2f} ms, p99 {pct(0.99):.2f} ms ({len(times)} samples)")
print(f"server: CPU {cpu_ticks / int(ticks) / wall * 100:.0f}% of one core on average, peak RSS {peak_kib / 1024:.0f} MiB")
print(f"sipp exit code: {status}")
PY
