#!/usr/bin/env bash
# End-to-end contact-center load, callers through the IVR to agents. A Release `contactcenter serve` runs a flow that
# greets the caller and queues the call; AGENTS agents (6-digit extensions) register their phones (without digest: see
# agents/register.xml) and so log in Ready; one sipp UAS (agents/agent.xml) is every agent's phone and answers every
# INVITE at once. Callers (sipp uac, agents/caller.xml) call the main number at RATE calls/s and hang up CALL_MS after
# the IVR answered. Each call: IVR answer, greeting, queue, agent rung, answered, caller and agent legs bridged (RTP
# relayed) and recorded (two-channel WAV), the caller's BYE ends the agent leg too, call record and recording written.
# Loopback only; every sipp is bounded by -timeout and the server is stopped at exit.
#
#   benchmarks/load/agent-calls.sh [RATE_PER_SECOND] [SECONDS] [CALL_MS] [AGENTS]
#   defaults: 200 calls/s for 60 s, calls of 6000 ms, 1500 agents (about 1,250 callers at once, 700 of them bridged)
#   environment: SIPP_RTP=responder (default: both sides talk, their RTP from rtp-responder.c, compiled with gcc: one
#   socket per side advertised in every SDP, answering each of our call legs with sendmmsg batches and sending a late
#   leg's overdue frames at once; it costs about half of sipp's rtp_stream, so the contact center gets more of the
#   cores; sipp keeps the signalling), both (callers and agents stream a PCMU tone with sipp's rtp_stream), agents
#   (only the agents' phones send) or none (only our side sends: greeting, hold music; a bridge relays nothing);
#   RESPONDER_SCHED (a command prefix for the responder, default none: it runs at the ordinary priority, below the
#   clock's threads, and when starved it falls behind and reports the frames it could not send; "nice -n -10" or
#   "chrt -f 1" keep it on time but take the cores from the host's signalling: 2026-11-22 14:11 UTC, with chrt at 200
#   calls/s, calls piled up to 2,453 at once and 30,147 SIP retransmissions);
#   CLOCK_RT_PRIORITY (ContactCenter:Media:ClockRealtimePriority, default 0: off; needs root or CAP_SYS_NICE; at the
#   default load it starves signalling: 2026-11-22 about 06:20 UTC, 7,010 of 12,000 callers timed out);
#   CLOCK_NICE (ContactCenter:Media:ClockNice, default the product's -10: the clock's threads are favoured over the
#   rest of the host; 0 leaves them at the process's: on 2026-11-22 at the default load the host's own greeting and
#   music frames were 51-77 % sent with 0, 95-96 % with -10);
#   SHED_ABOVE (ContactCenter:Media:ShedAboveSkippedTicksPerSecond, default 0: off; new calls get 503 while the media
#   clock skipped more ticks than this in the last second: refused callers count as failed);
#   CLOCK_THREADS (ContactCenter:Media:ClockThreads, default 0: the media clock's default, the core count; 4 on 2
#   cores starved signalling: 2026-11-22 07:37 UTC, 2,489 callers without an agent against none with 2);
#   WRAP_UP (queue wrap-up, default 00:00:00); BUSY_TIMEOUT (ContactCenter:Storage:BusyTimeout, default the
#   product's 00:00:05); SIP_PORT (5090; callers use +11, the agents' phones +20), WEB_PORT (18090);
#   SKIP_BUILD=1 runs the Release build already there; KEEP_WORK=1 keeps the work folder (configuration, server log,
#   sipp files, database, recordings).
#
# Prints both sipp sides' counts (attempted, successful, failed; an agent call that the contact center cancels counts
# as failed on the agent side), peak calls at once (sipp's, and from the call records: calls in progress and
# caller-agent bridges), INVITE-to-200 p50/p99 at the caller (IVR answer) and INVITE-received-to-ACK-received at the
# agent phone, time in the IVR and queue wait p50/p99 (call records), calls that reached an agent, call records by
# status, recordings (index rows and WAV files), host CPU and peak RSS, the two sipp processes' CPU, the load average
# at the start, the media clock's skipped ticks and worst lateness, the SIP retransmissions the host sent, the RTP
# packets it sent (and their share of the 20 ms frames due on its sending legs, from the call records) and received,
# server warnings and sipp errors by kind. GC_SERVER=0 runs the host with the workstation garbage collector (default 1:
# server; no difference measured at the default load, 2026-11-22 09:26 UTC).
# Needs sipp (Debian package sip-tester, with RTP streaming), espeak-ng, sox, sqlite3, curl, python3, the .NET SDK.
set -euo pipefail
cd "$(dirname "$0")/../.."

RATE=${1:-200}
SECONDS_TO_RUN=${2:-60}
CALL_MS=${3:-6000}
AGENTS=${4:-1500}
SIPP_RTP=${SIPP_RTP:-responder}
WRAP_UP=${WRAP_UP:-00:00:00}
BUSY_TIMEOUT=${BUSY_TIMEOUT:-00:00:05}
CLOCK_RT_PRIORITY=${CLOCK_RT_PRIORITY:-0}
CLOCK_THREADS=${CLOCK_THREADS:-0}
CLOCK_NICE=${CLOCK_NICE:--10}
SHED_ABOVE=${SHED_ABOVE:-0}
PORT=${SIP_PORT:-5090}
WEB=${WEB_PORT:-18090}
CALLER_PORT=$((PORT + 11))
AGENT_PORT=$((PORT + 20))
CALLS=$((RATE * SECONDS_TO_RUN))
NUMBER=+18005550100
HERE=benchmarks/load/agents
case "$SIPP_RTP" in both|agents|none|responder) ;; *) echo "SIPP_RTP must be both, agents, none or responder" >&2; exit 2 ;; esac
[ "$AGENTS" -ge 1 ] && [ "$AGENTS" -le 899999 ] || { echo "AGENTS must be 1 to 899999" >&2; exit 2; }

WORK=$(mktemp -d)
SERVER=""; AGENT_SIPP=""; CALLER_SIPP=""; SAMPLER=""; RESPONDER=""
cleanup() {
  for pid in $SAMPLER $CALLER_SIPP $AGENT_SIPP $RESPONDER; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$SERVER" ]; then
    kill -INT "$SERVER" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SERVER" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] && echo "work folder kept: $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT

for tool in sipp sox sqlite3 curl python3 espeak-ng; do
  command -v $tool >/dev/null || { echo "$tool is missing (sipp: apt-get install -y sip-tester)" >&2; exit 1; }
done
for p in $PORT $CALLER_PORT $AGENT_PORT $((PORT + 10)); do
  ss -Hlun "sport = :$p" | grep -q . && { echo "UDP port $p is taken (another contact center or sipp running?)" >&2; exit 1; }
done
ss -Hltn "sport = :$WEB" | grep -q . && { echo "TCP port $WEB is taken" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
load_at_start=$(cut -d' ' -f1 /proc/loadavg)
if [ -z "${SKIP_BUILD:-}" ]; then
  dotnet build src/ContactCenter.Cli -c Release -nologo -v quiet >"$WORK/build.log" 2>&1 || { grep -E "error" "$WORK/build.log" | sort -u | head -n 20 >&2; exit 1; }
fi
CLI=src/ContactCenter.Cli/bin/Release/net10.0/contactcenter.dll

# Agents: ids a<extension>, 6-digit extensions from 100000 (passwords configured, unused without digest); the
# registering sipp reads the CSV.
KEY=agent-load-$RANDOM$RANDOM
python3 - "$WORK" "$AGENTS" "$PORT" "$WEB" "$NUMBER" "$WRAP_UP" "$BUSY_TIMEOUT" "$CLOCK_RT_PRIORITY" "$CLOCK_THREADS" "$CLOCK_NICE" "$SHED_ABOVE" "$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)" <<'PY'
import json, os, sys
work, agents, port, web, number, wrap_up, busy_timeout, clock_rt_priority, clock_threads, clock_nice, shed_above, key_hash = sys.argv[1:]
agents = int(agents)
extensions = [str(100000 + i) for i in range(agents)]
os.makedirs(f"{work}/flows")
json.dump({"id": "agents", "name": "Load test to agents", "start": "start", "nodes": [
    {"id": "start", "type": "start", "transitions": {"next": "greeting"}},
    {"id": "greeting", "type": "play", "parameters": {"text": "Welcome to the load test."}, "transitions": {"next": "queue"}},
    {"id": "queue", "type": "queue", "parameters": {"queue": "Load", "skills": ["load"]}}]},
    open(f"{work}/flows/agents.json", "w"))
json.dump({"Logging": {"LogLevel": {"Default": "Warning"}},
  "ContactCenter": {
    "Sip": {"Listen": [f"udp:127.0.0.1:{port}"], "AuthenticateExtensions": False},
    "Media": {"RtpPortMin": 20000, "RtpPortMax": 39999, "MediaTimeout": "00:00:00", "ClockRealtimePriority": int(clock_rt_priority),
              "ClockThreads": int(clock_threads), "ClockNice": int(clock_nice),
              "ShedAboveSkippedTicksPerSecond": int(shed_above)},
    "Storage": {"DataDirectory": f"{work}/data", "BusyTimeout": busy_timeout},
    "Flows": {"Directory": f"{work}/flows"},
    "Numbers": [{"Number": number, "Flow": "agents@live"}],
    "Queues": [{"Name": "Load", "Skills": {"load": 10}, "WrapUp": wrap_up, "RingTimeout": "00:00:15"}],
    "Agents": [{"Id": f"a{e}", "Extension": e, "Password": f"pw-{e}", "Skills": {"load": 50}} for e in extensions],
    "Recording": {"Enabled": True},
    "MaxConcurrentCalls": 10000,
    "Web": {"Listen": f"http://127.0.0.1:{web}", "ApiKeys": [{"Name": "load", "Hash": key_hash, "Roles": ["supervisor"]}],
            "RequestsPerMinutePerKey": 100000}}},
  open(f"{work}/config.json", "w"), indent=1)
with open(f"{work}/agents.csv", "w") as f:
    f.write("SEQUENTIAL\n")
    for e in extensions:
        f.write(f"{e};pw-{e}\n")
PY

# The voices: a looped PCMU tone each way (sipp's rtp_stream sends a WAV's data chunk as payload).
sox -n -r 8000 -c 1 -e u-law "$WORK/caller.wav" synth 2 sine 440 vol 0.3
sox -n -r 8000 -c 1 -e u-law "$WORK/agent.wav" synth 2 sine 660 vol 0.3
sed "s|NUMBER|$NUMBER|g; s|CALLER_WAV|$WORK/caller.wav|" $HERE/caller.xml >"$WORK/caller.xml"
sed "s|AGENT_WAV|$WORK/agent.wav|" $HERE/agent.xml >"$WORK/agent.xml"
[ "$SIPP_RTP" = both ] || sed -i '/rtp_stream=/d' "$WORK/caller.xml"
case "$SIPP_RTP" in none|responder) sed -i '/rtp_stream=/d' "$WORK/agent.xml" ;; esac
if [ "$SIPP_RTP" = responder ]; then
  # Every caller advertises the responder's first port and every agent phone its second; it answers each call leg
  # of the contact center that sends there (symmetric RTP), batched from one socket per side.
  sed -i 's/\[rtpstream_audio_port\]/47000/' "$WORK/caller.xml"
  sed -i 's/\[rtpstream_audio_port\]/47002/' "$WORK/agent.xml"
  gcc -O2 -o "$WORK/rtp-responder" benchmarks/load/rtp-responder.c -lm
  # The generator runs at the ordinary priority unless RESPONDER_SCHED says otherwise. At the clock's nice value (-10)
  # it took the cores from the host's signalling, which collapsed in two of three runs (2026-11-22 13:06 and 13:11
  # UTC: 473 and 248 agent legs failed, calls piling up to 2,444 at once); below the clock it is what falls short at
  # the peak (its last line counts the frames it sent more than 200 ms late or not at all).
  ${RESPONDER_SCHED:-} "$WORK/rtp-responder" 47000 47002 >"$WORK/responder.out" 2>&1 &
  RESPONDER=$!
fi

DOTNET_gcServer=${GC_SERVER:-1} dotnet "$CLI" serve --config "$WORK/config.json" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$WEB/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
kill -0 $SERVER 2>/dev/null && curl -sf "http://127.0.0.1:$WEB/health/ready" >/dev/null || { echo "the contact center did not start:" >&2; cat "$WORK/server.log" >&2; exit 1; }

api() { curl -sf -H "X-Api-Key: $KEY" "http://127.0.0.1:$WEB/api/v1/$1"; }
ready_agents() { api agents | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("items", d) if isinstance(d, dict) else d; print(sum(1 for a in d if str(a.get("state", a.get("status", ""))).lower() in ("ready", "available")))'; }

# Every agent registers from AGENT_PORT (the registrar rings the address a REGISTER came from), then the agent
# phone (sipp UAS) binds that port.
cp $HERE/register.xml "$WORK/register.xml"
set +e
(cd "$WORK" && timeout $((AGENTS / 100 + 60)) sipp -sf register.xml -inf agents.csv "127.0.0.1:$PORT" -i 127.0.0.1 -p "$AGENT_PORT" \
  -r 200 -m "$AGENTS" -l 400 -nostdin -timeout $((AGENTS / 100 + 50))s -timeout_error -trace_err -trace_stat -fd 1 >"$WORK/register.out" 2>&1)
registered_status=$?
set -e
for _ in $(seq 50); do [ "$(ready_agents)" -ge "$AGENTS" ] && break; sleep 0.2; done
ready=$(ready_agents)
echo "agents registered (sipp exit $registered_status), Ready: $ready of $AGENTS; media clock threads: $CLOCK_THREADS (0 = the default, the core count), nice $CLOCK_NICE; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
[ "$ready" -ge "$AGENTS" ] || { echo "not every agent is Ready; sipp register errors:" >&2; tail -n 20 "$WORK"/register*errors.log >&2 2>/dev/null; exit 1; }

AGENT_LIMIT=$((AGENTS + 200))
(cd "$WORK" && exec sipp -sf agent.xml -i 127.0.0.1 -p "$AGENT_PORT" -timeout $((SECONDS_TO_RUN + CALL_MS / 1000 + 240))s \
  -mi 127.0.0.1 -mp 40000 -rtp_threadtasks 50 -max_socket 4000 -buff_size 4194304 -nostdin \
  -trace_stat -fd 1 -trace_rtt -rtt_freq 100 -trace_err >"$WORK/agent.out" 2>&1) &
AGENT_SIPP=$!
sleep 1
kill -0 $AGENT_SIPP 2>/dev/null || { echo "the agent phone (sipp UAS) did not start:" >&2; cat "$WORK/agent.out" >&2; exit 1; }

# One warm-up call so the greeting is synthesized and cached before the measured run.
(cd "$WORK" && timeout 60 sipp -sf caller.xml "127.0.0.1:$PORT" -i 127.0.0.1 -p $((PORT + 10)) -mi 127.0.0.1 -mp 46000 -m 1 -d 2000 \
  -nostdin -timeout 40s >/dev/null 2>&1) || true
sleep 1

ticks=$(getconf CLK_TCK)
. benchmarks/load/process-usage.sh
# sample_ticks PID DONE_FILE OUT_FILE: the CPU ticks PID used until DONE_FILE exists, from its last reading (sipp may
# have ended before DONE_FILE appears, and then its /proc entry is gone).
sample_ticks() {
  local pid=$1 done_file=$2 out=$3 start now
  start=$(awk '{print $14+$15}' "/proc/$pid/stat" 2>/dev/null || echo 0); now=$start
  while [ ! -f "$done_file" ] && now=$(awk '{print $14+$15}' "/proc/$pid/stat" 2>/dev/null || echo "$now"); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "$((now - start))" >"$out"
}
sample_process "$SERVER" "$WORK/done" "$WORK/usage" &
SAMPLER=$!

began=$(date +%s.%N)
set +e
(cd "$WORK" && exec sipp -sf caller.xml "127.0.0.1:$PORT" -i 127.0.0.1 -p "$CALLER_PORT" \
  -mi 127.0.0.1 -mp 50000 -rtp_threadtasks 50 \
  -r "$RATE" -rp 1000 -m "$CALLS" -l $((RATE * (CALL_MS / 1000 + 6))) -d "$CALL_MS" \
  -max_socket 4000 -buff_size 4194304 -nostdin -timeout $((SECONDS_TO_RUN + CALL_MS / 1000 + 120))s -timeout_error \
  -trace_stat -fd 1 -trace_rtt -rtt_freq 100 -trace_err >"$WORK/caller.out" 2>&1) &
CALLER_SIPP=$!
sample_ticks $CALLER_SIPP "$WORK/done" "$WORK/usage-caller" &
SAMPLER="$SAMPLER $!"
sample_ticks $AGENT_SIPP "$WORK/done" "$WORK/usage-agent" &
SAMPLER="$SAMPLER $!"
if [ -n "$RESPONDER" ]; then
  sample_ticks $RESPONDER "$WORK/done" "$WORK/usage-responder" &
  SAMPLER="$SAMPLER $!"
fi
wait $CALLER_SIPP
status=$?
set -e
ended=$(date +%s.%N)
touch "$WORK/done"; wait $SAMPLER || true; SAMPLER=""

# The agent phone ends once its last calls (and their 4 s time-wait) are over: SIGUSR1 is sipp's soft exit.
kill -USR1 $AGENT_SIPP 2>/dev/null || true
for _ in $(seq 100); do kill -0 $AGENT_SIPP 2>/dev/null || break; sleep 0.2; done
kill -INT $AGENT_SIPP 2>/dev/null || true
set +e; wait $AGENT_SIPP; agent_status=$?; set -e; AGENT_SIPP=""
if [ -n "$RESPONDER" ]; then
  kill -INT "$RESPONDER" 2>/dev/null || true
  set +e; wait "$RESPONDER"; set -e; RESPONDER=""
fi

# Call records are written when a call ends: wait until their count stops moving.
DB="$WORK/data/contactcenter.db"
q() { sqlite3 -cmd ".timeout 5000" "$DB" "$1" 2>/dev/null || echo "?"; }
last=-1; still=0
for _ in $(seq 90); do
  now=$(q "select count(*) from call_records")
  [ "$now" = "$((CALLS + 1))" ] && break
  if [ "$now" = "$last" ]; then still=$((still + 1)); [ $still -ge 10 ] && break; else still=0; fi
  last=$now; sleep 1
done
records=$(q "select count(*) from call_records")
api metrics >"$WORK/metrics.json" 2>/dev/null || echo '{}' >"$WORK/metrics.json"
reached=$(q "select count(*) from call_records where agent_id is not null and agent_answered_at is not null")
statuses=$(q "select group_concat(status || ' ' || n, ', ') from (select status, count(*) n from call_records group by status)")
recordings=$(q "select count(*) from recordings")
wav_files=$(find "$WORK/data" -name '*.wav' -path '*recordings*' | wc -l)
q "select agent_answered_at - queue_entered_at from call_records where agent_answered_at is not null and queue_entered_at is not null" >"$WORK/queue-wait"
q "select queue_entered_at - answered_at from call_records where queue_entered_at is not null and answered_at is not null" >"$WORK/ivr-time"
q "select started_at || ' ' || ended_at from call_records" >"$WORK/call-spans"
q "select agent_answered_at || ' ' || ended_at from call_records where agent_answered_at is not null" >"$WORK/bridge-spans"
warnings=$(grep -c -i "warn\|fail\|error" "$WORK/server.log" || true)

python3 - "$WORK" "$began" "$ended" "$RATE" "$SECONDS_TO_RUN" "$CALL_MS" "$AGENTS" "$ticks" "$status" "$agent_status" \
  "$records" "$reached" "$recordings" "$wav_files" "$load_at_start" "$SIPP_RTP" "$statuses" "$warnings" <<'PY'
import csv, glob, json, sys
(work, began, ended, rate, secs, call_ms, agents, ticks, status, agent_status, records, reached, recordings, wavs,
 load, rtp, statuses, warnings) = sys.argv[1:]
def stats(name):
    rows = list(csv.reader(open(glob.glob(f"{work}/{name}_*_.csv")[0]), delimiter=';'))
    head, last = rows[0], rows[-1]
    col = lambda n: int(last[head.index(n)])
    peak = max(int(r[head.index('CurrentCall')]) for r in rows[1:])
    return col('TotalCallCreated'), col('SuccessfulCall(C)'), col('FailedCall(C)'), peak
def rtt(name):
    times = sorted(float(r[1]) for r in csv.reader(open(glob.glob(f"{work}/{name}_*_rtt.csv")[0]), delimiter=';') if r and r[0][:1].isdigit())
    pct = lambda p: times[min(len(times) - 1, int(p * len(times)))] if times else float('nan')
    return pct(0.5), pct(0.99), len(times)
def pct_of(values, p):
    return values[min(len(values) - 1, int(p * len(values)))] if values else float('nan')
wall = float(ended) - float(began)
c_att, c_ok, c_fail, c_peak = stats('caller')
a_att, a_ok, a_fail, a_peak = stats('agent')
c50, c99, cn = rtt('caller')
a50, a99, an = rtt('agent')
waits = sorted(int(x) / 1000.0 for x in open(f"{work}/queue-wait").read().split() if x.lstrip('-').isdigit())
def peak_overlap(name):
    events = []
    for line in open(f"{work}/{name}"):
        parts = line.split()
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            events += [(int(parts[0]), 1), (int(parts[1]), -1)]
    peak = now = 0
    for _, step in sorted(events):
        now += step
        peak = max(peak, now)
    return peak
def span_seconds(name):
    total = 0
    for line in open(f"{work}/{name}"):
        parts = line.split()
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            total += (int(parts[1]) - int(parts[0])) / 1e6
    return total
cpu_ticks, peak_kib = (int(x) for x in open(f"{work}/usage").read().split())
import os
sipp_ticks = sum(int(open(f"{work}/usage-{side}").read().split()[0]) for side in ('caller', 'agent'))
responder_ticks = int(open(f"{work}/usage-responder").read().split()[0]) if os.path.exists(f"{work}/usage-responder") else None
try:
    metrics = {i["name"]: i for i in json.load(open(f"{work}/metrics.json")).get("instruments", [])}
except (ValueError, KeyError):
    metrics = {}
print(f"target: {rate} calls/s into the IVR for {secs} s, {call_ms} ms calls, {agents} agents, sipp RTP: {rtp}; load average at start {load}")
print(f"callers (sipp uac): {c_att} attempted, {c_ok} successful, {c_fail} failed; achieved {c_ok / wall:.0f} calls/s over {wall:.1f} s; peak {c_peak} calls at once")
print(f"agent phones (sipp uas): {a_att} agent legs, {a_ok} successful, {a_fail} failed (incl. 1 warm-up call); peak {a_peak} agent legs at once (sipp's count, incl. 4 s time-wait)")
print(f"INVITE to 200: caller (IVR answer) p50 {c50:.2f} ms, p99 {c99:.2f} ms ({cn} samples); agent phone (INVITE in to ACK in, so our ACK included) p50 {a50:.2f} ms, p99 {a99:.2f} ms ({an} samples)")
ivr = sorted(int(x) / 1000.0 for x in open(f"{work}/ivr-time").read().split() if x.lstrip('-').isdigit())
print(f"time in the IVR (answer to queue entry; the greeting alone lasts about 1.7 s): p50 {pct_of(ivr, 0.5):.0f} ms, p99 {pct_of(ivr, 0.99):.0f} ms")
print(f"queue wait (call records, agent answer - queue entry): p50 {pct_of(waits, 0.5):.1f} ms, p99 {pct_of(waits, 0.99):.1f} ms")
print(f"peak at once from the call records: {peak_overlap('call-spans')} calls in progress (IVR, queue or bridged), {peak_overlap('bridge-spans')} caller-agent bridges (RTP relayed and recorded)")
print(f"call records: {records} ({statuses}); reached an agent: {reached}; recordings: {recordings} indexed, {wavs} WAV files")
print(f"host: CPU {cpu_ticks / int(ticks) / wall * 100:.0f}% of one core on average, peak RSS {peak_kib / 1024:.0f} MiB; the two sipp processes: {sipp_ticks / int(ticks) / wall * 100:.0f}% of one core"
      + (f"; the RTP responder: {responder_ticks / int(ticks) / wall * 100:.0f}%" if responder_ticks is not None else "")
      + f"; server log lines at Warning+: {warnings}")
if "media.clock.skipped_ticks" in metrics:
    skipped = metrics["media.clock.skipped_ticks"]["value"]
    lateness = metrics.get("media.clock.lateness", {})
    print(f"media clock (since the server started): {skipped:.0f} ticks skipped (10 ms each, summed over its threads); "
          f"lateness max {1000 * (lateness.get('max') or 0):.0f} ms over {lateness.get('count') or 0} wake-ups")
if "dotnet.gc.pause.time" in metrics:
    print(f"garbage collector (since the server started): {metrics.get('dotnet.gc.collections', {}).get('value', 0):.0f} collections, "
          f"paused {1000 * metrics['dotnet.gc.pause.time']['value']:.0f} ms in all; each skip report in the server log "
          f"names the pauses since the previous one")
if "dotnet.gc.heap.total_allocated" in metrics and records.isdigit() and int(records) > 0:
    allocated = metrics["dotnet.gc.heap.total_allocated"]["value"]
    print(f"allocated by the host (since it started, registrations included): {allocated / 2**20:,.0f} MiB, "
          f"{allocated / int(records) / 1024:.0f} KiB per call record")
if "sip.retransmissions" in metrics:
    print(f"SIP retransmissions sent by the host: {metrics['sip.retransmissions']['value']:.0f} (a request or answer the peer had "
          f"not acknowledged within T1; the agent phone absorbs a retransmitted INVITE after its 200, as RFC 6026 asks)")
if "rtp.packets.sent" in metrics:
    sent = metrics["rtp.packets.sent"]["value"]
    received = metrics.get("rtp.packets.received", {}).get("value", 0)
    # The legs the host sends on for their whole span: every caller leg (greeting, hold music, then the agent's voice
    # relayed), and with talking callers every agent leg from its answer (the caller's voice relayed). 50 frames/s.
    both = span_seconds("call-spans") + span_seconds("bridge-spans")
    legs_s = {"both": both, "responder": both, "agents": span_seconds("call-spans")}.get(rtp)
    share = f" = {100 * sent / (50 * legs_s):.1f}% of the {50 * legs_s:,.0f} 20 ms frames due on its sending legs (call records)" if legs_s else ""
    skipped_frames = metrics.get("rtp.frames.skipped", {}).get("value", 0)
    relayed = metrics.get("rtp.packets.relayed", {}).get("value", 0)
    own = sent - relayed
    print(f"RTP packets the host sent: {sent:,.0f}{share}; received: {received:,.0f}")
    passed_over = metrics.get("rtp.packets.passed_over", {}).get("value", 0)
    print(f"  of those sent, relayed between caller and agent: {relayed:,.0f} (passed over as too late, when a read on a late tick "
          f"found more than RelayBacklogLimit waiting: {passed_over:,.0f}); the host's own audio (greeting, "
          f"hold music): {own:,.0f} sent, {skipped_frames:,.0f} frames not sent because the clock skipped them "
          f"({100 * own / max(1, own + skipped_frames):.1f}% of its own frames sent)")
print(f"sipp exit codes: callers {status}, agent phones {agent_status}")
PY
if [ "$warnings" != 0 ]; then
  echo "server warnings and errors, by kind:"
  grep -i "warn\|fail\|error" "$WORK/server.log" | cut -c10- | sed -E 's/[0-9a-f]{8}-[0-9a-f-]{27}/ID/g' | cut -c1-160 | sort | uniq -c | sort -rn | head -n 10
fi
[ -s "$WORK/responder.out" ] && tail -n 1 "$WORK/responder.out"
for f in "$WORK"/*errors.log; do
  [ -s "$f" ] || continue
  kinds=$(grep -o "Aborting call on [a-zA-Z ]*\|while expecting '[^']*' ([^)]*), received '[^ ]* [^ ]*\|Dead call [^ ]* ([a-z]*)\|Overload warning\|Call-Id '[^']*' for message" "$f" \
    | sed "s/Dead call [^ ]* /Dead call /; s/Call-Id '[^']*' for message/unexpected message/" | sort | uniq -c | sort -rn | head -n 8 || true)
  [ -n "$kinds" ] && printf 'sipp errors in %s, by kind (KEEP_WORK=1 keeps the file):\n%s\n' "$(basename "$f")" "$kinds"
done; true
