#!/usr/bin/env bash
# The unit tests under AddressSanitizer + UndefinedBehaviorSanitizer: configures the `asan` preset
# (gcc, RelWithDebInfo, build/asan), builds the test programs and runs them with ctest.
# Usage: tests/sanitize.sh [--with-harness] [ctest args...]
#   default         the common, analysis and charts unit tests (and analyze, which some of them run)
#   --with-harness  also the harness and its unit tests (LibTorch: an hour more on 2 cores) and the
#                   bad-input catalogue against the sanitized harness and analyze
# docs/reliability.md ("Sanitizers") has the findings, the suppressions and the timings.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
with_harness=0
if [[ ${1:-} == --with-harness ]]; then with_harness=1; shift; fi
start=$(date +%s)
targets=(print_results_schema test_common analyze test_analysis chart_demo charts_tests)
tests='^(common|analysis|charts)\.'
# Not unit tests, or slow: the browser, the analysis benchmark, the harness end-to-end run.
skip='^(charts\.browser|analysis\.bench_analyze|analysis\.harness_end_to_end)'
if ((with_harness)); then
  targets+=(harness test_data test_data_parity test_precision test_recorder test_vit_model test_vit_parity)
  tests='^(common|analysis|charts|harness|reference|Vit|Data|Precision|Recorder|faults)'
  skip='^(charts\.browser|analysis\.bench_analyze|harness\.cli|harness\.mpi)'
fi
if [[ ! -d charts/node_modules ]]; then (cd charts && npm ci --no-audit --no-fund); fi
cmake --preset asan >/dev/null
cmake --build --preset asan --target "${targets[@]}"
built=$(date +%s)
status=0
ctest --preset asan -R "$tests" -E "$skip" "$@" || status=$?
end=$(date +%s)
echo "sanitize.sh: build $((built - start)) s, tests $((end - built)) s, exit $status"
exit $status
