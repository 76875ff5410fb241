#!/usr/bin/env bash
# End-to-end contact-center load: sipp's uac scenario calls the main number of a running contact center
# (`contactcenter serve`), so every call is answered by the IVR (SDP answer, RTP from our side: a spoken greeting,
# then a menu waiting for a digit) and held for the call duration before sipp hangs up. Loopback only.
#
#   benchmarks/load/ivr-calls.sh [RATE_PER_SECOND] [SECONDS] [CALL_MS]
#   defaults: 200 calls/s for 60 s, calls of 5000 ms (about 1,000 calls in the IVR at once)
#   (the Hosting issue's goal: >= 200 calls/s entering the IVR, >= 1,000 concurrent calls with media, 0 failed)
#
# Prints calls attempted/succeeded/failed, INVITE-to-200 latency p50/p99, the host's CPU and peak memory, and the
# call records written. Needs sipp (Debian package sip-tester), espeak-ng and sox, and the .NET SDK.
set -euo pipefail
cd "$(dirname "$0")/../.."

RATE=${1:-200}
SECONDS_TO_RUN=${2:-60}
CALL_MS=${3:-5000}
PORT=${SIP_PORT:-5090}
WEB=${WEB_PORT:-18090}
CALLS=$((RATE * SECONDS_TO_RUN))
WORK=$(mktemp -d)
trap 'kill -INT $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v sipp >/dev/null || { echo "sipp is missing: apt-get install -y sip-tester" >&2; exit 1; }
dotnet build src/ContactCenter.Cli -c Release -nologo -v quiet >/dev/null
CLI=src/ContactCenter.Cli/bin/Release/net10.0/contactcenter.dll

mkdir -p "$WORK/flows"
cat >"$WORK/flows/load.json" <<'JSON'
{ "id": "load", "name": "Load test", "start": "start",
  "nodes": [
    { "id": "start", "type": "start", "transitions": { "next": "greeting" } },
    { "id": "greeting", "type": "play", "parameters": { "text": "Welcome to the load test.", "interruptible": true }, "transitions": { "next": "menu" } },
    { "id": "menu", "type": "menu", "parameters": { "prompt": "For sales, press 1.", "timeoutSeconds": 60, "maxRetries": 0 },
      "transitions": { "1": "bye", "failed": "bye" } },
    { "id": "bye", "type": "hangup", "parameters": { "prompt": "Goodbye." } } ] }
JSON
cat >"$WORK/config.json" <<JSON
{ "Logging": { "LogLevel": { "Default": "Warning", "ContactCenter.Media": "Error" } },
  "ContactCenter": {
    "Sip": { "Listen": [ "udp:127.0.0.1:$PORT" ] },
    "Media": { "RtpPortMin": 20000, "RtpPortMax": 39999, "MediaTimeout": "00:00:00" },
    "Storage": { "DataDirectory": "$WORK/data" },
    "Flows": { "Directory": "$WORK/flows" },
    "Numbers": [ { "Number": "+18005550100", "Flow": "load@live" } ],
    "MaxConcurrentCalls": 10000,
    "Web": { "Listen": "http://127.0.0.1:$WEB" } } }
JSON

DOTNET_gcServer=1 dotnet "$CLI" serve --config "$WORK/config.json" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$WEB/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$WEB/health/ready" >/dev/null || { echo "the contact center did not start:" >&2; cat "$WORK/server.log" >&2; exit 1; }

# One warm-up call so the greeting is synthesized and cached before the measured run.
(cd "$WORK" && sipp -sn uac "127.0.0.1:$PORT" -s +18005550100 -i 127.0.0.1 -p $((PORT + 10)) -m 1 -d 2000 \
  -nostdin -timeout 30s >/dev/null 2>&1) || true

ticks=$(getconf CLK_TCK)
. benchmarks/load/process-usage.sh
sample_process "$SERVER" "$WORK/done" "$WORK/usage" &
SAMPLER=$!

began=$(date +%s.%N)
set +e
(cd "$WORK" && sipp -sn uac "127.0.0.1:$PORT" -s +18005550100 -i 127.0.0.1 -p $((PORT + 11)) -mi 127.0.0.1 -mp 50000 \
  -r "$RATE" -rp 1000 -m "$CALLS" -l $((RATE * (CALL_MS / 1000 + 4))) -d "$CALL_MS" \
  -max_socket 1000 -buff_size 4194304 -nostdin -timeout $((SECONDS_TO_RUN + 90))s -timeout_error \
  -trace_stat -fd 1 -trace_rtt -rtt_freq 100 -trace_err >"$WORK/sipp.out" 2>&1)
status=$?
set -e
ended=$(date +%s.%N)
touch "$WORK/done"; wait $SAMPLER || true
sleep 2
records=$(curl -s "http://127.0.0.1:$WEB/health/ready" >/dev/null; sqlite3 "$WORK/data/contactcenter.db" "select count(*) from call_records" 2>/dev/null || echo "?")

stat=$(ls "$WORK"/*_.csv 2>/dev/null | head -n1 || true)
[ -n "$stat" ] || stat=$(ls "$WORK"/*.csv | grep -v rtt | head -n1)
rtt=$(ls "$WORK"/*_rtt.csv | head -n1)
python3 - "$stat" "$rtt" "$WORK/usage" "$began" "$ended" "$RATE" "$SECONDS_TO_RUN" "$CALL_MS" "$ticks" "$status" "$records" <<'PY'
import csv, sys
stat, rtt, usage, began, ended, rate, secs, call_ms, ticks, status, records = sys.argv[1:]
rows = list(csv.reader(open(stat), delimiter=';'))
head, last = rows[0], rows[-1]
col = lambda name: int(last[head.index(name)])
attempted, ok, failed = col('TotalCallCreated'), col('SuccessfulCall(C)'), col('FailedCall(C)')
peak_concurrent = max(int(r[head.index('CurrentCall')]) for r in rows[1:])
times = sorted(float(r[1]) for r in csv.reader(open(rtt), delimiter=';') if r and r[0][0].isdigit())
pct = lambda p: times[min(len(times) - 1, int(p * len(times)))] if times else float('nan')
cpu_ticks, peak_kib = (int(x) for x in open(usage).read().split())
wall = float(ended) - float(began)
print(f"target: {rate} calls/s into the IVR for {secs} s, {call_ms} ms calls")
print(f"calls: {attempted} attempted, {ok} successful, {failed} failed; achieved {ok / wall:.0f} calls/s over {wall:.1f} s; peak {peak_concurrent} calls at once")
print(f"INVITE to 200 (answered by the IVR): p50 {pct(0.50):.2f} ms, p99 {pct(0.99):.2f} ms ({len(times)} samples)")
print(f"host: CPU {cpu_ticks / int(ticks) / wall * 100:.0f}% of one core on average, peak RSS {peak_kib / 1024:.0f} MiB; call records written: {records}")
print(f"sipp exit code: {status}")
PY
