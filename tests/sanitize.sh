#!/usr/bin/env bash
# The unit tests under AddressSanitizer + UndefinedBehaviorSanitizer: configures the `asan` preset
# (gcc, RelWithDebInfo, build/asan), builds it and runs ctest without the slow end-to-end tests.
# Usage: tests/sanitize.sh [ctest args...]   (docs/reliability.md, "Sanitizers": findings, timings)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)
# Slow, or not unit tests: the harness CLI and MPI runs, the Slurm cluster, the browser, the
# multi-rank equivalence runs and the benchmarks (ctest --preset cpu runs them).
skip='^(harness\.cli|harness\.mpi|charts\.browser|slurm\.|ddp\.|bench\.|analysis\.bench_analyze)'
if [[ ! -d charts/node_modules ]]; then (cd charts && npm ci --no-audit --no-fund); fi
cmake --preset asan >/dev/null
cmake --build --preset asan
built=$(date +%s)
status=0
ctest --preset asan -E "$skip" "$@" || status=$?
end=$(date +%s)
echo "sanitize.sh: build $((built - start)) s, tests $((end - built)) s, exit $status"
exit $status
