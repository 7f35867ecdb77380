#!/usr/bin/env bash
# Runs a fuzz target in fork mode for SECONDS, keeps going past crashes, then replays each crash it
# wrote and sorts it: a crash whose first frame outside the sanitizer runtime and libc is inside a
# third-party library listed in THIRD_PARTY (a regular expression over module paths) is reported
# and tolerated; any other crash fails. For targets whose library has known crashes on damaged
# input (HDF5 1.10.8: docs/reliability.md, "Fuzzing"), so that ctest stays deterministic.
# Usage: triage.sh FUZZER SECONDS WORKDIR THIRD_PARTY CORPUS...
set -uo pipefail
fuzzer=$1 seconds=$2 work=$3 third_party=$4
shift 4
mkdir -p "$work/artifacts" "$work/corpus"
rm -f "$work"/artifacts/crash-* "$work"/artifacts/leak-* "$work"/artifacts/oom-* "$work"/artifacts/timeout-*
"$fuzzer" -fork=1 -ignore_crashes=1 -ignore_ooms=0 -ignore_timeouts=0 -max_total_time="$seconds" -rss_limit_mb=4096 \
  -timeout=30 -max_len=65536 -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus" "$@" 2>&1 |
  grep -E '^(#[0-9]+: cov|INFO: fuzzed for|stat::)' | tail -3
status=0
for crash in "$work"/artifacts/*; do
  [[ -e $crash ]] || continue
  # A timeout replays until libFuzzer's alarm prints where it was stuck.
  report=$("$fuzzer" -timeout=30 -rss_limit_mb=4096 "$crash" 2>&1)
  # The first stack frame that is neither the sanitizer runtime, libFuzzer nor libc.
  frame=$(printf '%s\n' "$report" | grep -E '^ +#[0-9]+ ' |
          grep -vE '__interceptor_|__asan|__sanitizer|__ubsan|/libc\.so|libc\.so\.6|fuzzer::|compiler-rt|in (raise|abort|__pthread_kill)' | head -1)
  if printf '%s\n' "$frame" | grep -qE "$third_party"; then
    echo "triage: $(basename "$crash"): inside a third-party library (tolerated): $(printf '%s' "$frame" | sed 's/^ *//' | cut -c1-160)"
  else
    echo "triage: $(basename "$crash"): FAILS: $(printf '%s\n' "$report" | grep -m1 -E 'ERROR|runtime error|terminate')"
    printf '%s\n' "$frame"
    status=1
  fi
done
exit $status
