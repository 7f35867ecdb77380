#!/usr/bin/env bash
# Builds the fuzz targets in build/fuzz (clang, libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer)
# and runs each for SECONDS (default 30), after replaying tests/fuzz/regressions/. Usage:
#   tests/fuzz/run.sh [SECONDS]
# Packages: tests/fuzz/packages.txt, installed here when missing (as root). docs/reliability.md, "Fuzzing".
set -euo pipefail
seconds=${1:-30}
root=$(cd "$(dirname "$0")/../.." && pwd)
missing=()
for pkg in $(grep -v '^\s*#' "$root/tests/fuzz/packages.txt"); do
  [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then echo "run.sh: missing packages; as root: apt-get install ${missing[*]}" >&2; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
build=$root/build/fuzz
jobs=${LB_FUZZ_JOBS:-2}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DLB_BUILD_FUZZERS=ON \
  -DLB_BUILD_HARNESS=OFF -DLB_BUILD_TESTS=OFF -DLB_BUILD_BENCHMARKS=OFF -DLB_FUZZ_SECONDS="$seconds" >/dev/null
targets=$(sed -n 's/^ *lb_fuzzer(\(fuzz_[a-z_]*\).*/\1/p' "$root/tests/fuzz/CMakeLists.txt")
built=()
for t in $targets; do
  # the LibTorch targets exist only where LibTorch was found
  if ninja -C "$build" -t query "$t" >/dev/null 2>&1; then built+=("$t"); fi
done
cmake --build "$build" -j "$jobs" --target "${built[@]}"
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer || true)}
status=0
ctest --test-dir "$build" --output-on-failure -j "$jobs" -R '^fuzz\.' || status=$?
# Executions per target, from the fuzzers' final statistics in ctest's log.
awk '/^[0-9]+\/[0-9]+ Test: fuzz\./ {name = $3} /stat::number_of_executed_units/ {runs[name] = $2}
     /stat::average_exec_per_sec/ {rate[name] = $2} /stat::new_units_added/ {added[name] = $2}
     END {for (n in runs) printf "%s: %d executions (%d/s), %d new inputs\n", n, runs[n], rate[n], added[n]}' \
  "$build/Testing/Temporary/LastTest.log" | sort
exit $status
