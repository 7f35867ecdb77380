#!/usr/bin/env bash
# What recording costs, at full size: a flush (100 steps) into a results file that already holds
# 0, 100 MB and 1 GB of earlier runs (must not grow), the fold at a run's end (once per run), the
# step loop's cost per step, and a 10 ms step with and without recording (the overhead).
#   bench/recorder.sh [--dir DIR]    (DIR needs about 2.5 GB free; default: the temp folder)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/cpu/tests/harness/bench_recorder
[[ -x $bin ]] || { echo "bench/recorder.sh: $bin is missing: build it (tests/run.sh or cmake --build --preset cpu --target bench_recorder)" >&2; exit 2; }
exec "$bin" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true "$@"
