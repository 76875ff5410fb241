# Sourced by the load scripts. sample_process PID DONE_FILE OUT_FILE: once a second until DONE_FILE exists (or the
# process ends), tracks the process's peak resident memory; then writes "CPU_TICKS PEAK_KIB" (CPU time used while
# sampling, in clock ticks of `getconf CLK_TCK`) to OUT_FILE. Run it in the background.
sample_process() {
  local pid=$1 done_file=$2 out=$3 peak=0 start end rss
  start=$(awk '{print $14+$15}' "/proc/$pid/stat")
  while kill -0 "$pid" 2>/dev/null && [ ! -f "$done_file" ]; do
    rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
    [ "$rss" -gt "$peak" ] && peak=$rss
    sleep 1
  done
  end=$(awk '{print $14+$15}' "/proc/$pid/stat")
  echo "$((end - start)) $peak" >"$out"
}
