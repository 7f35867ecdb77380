#!/usr/bin/env bash
# analyze at scale: prints wall time, CPU time and peak memory of analyze (charts included) on
#   1. a W&B export of 100,000 runs that state no split sizes (every run a configuration of its own),
#   2. 1,000 results files of one run of 10,000 steps each,
#   3. both at once.
# The target (docs/analyze.md, "Scale"): each in under 30 s and 4 GB. A benchmark, not a test: it
# prints the figures and fails only when it cannot run.
#
#   bench/analyze_scale.sh [--build DIR] [--work DIR] [--files N] [--steps N] [--rows N] [--keep]
#
# --build: a build folder with analyze and make_scale_inputs (default build/cpu, else the first of
# build/* that has both); --work: where the inputs and reports go (default a temporary folder,
# removed at the end unless --keep; the inputs take about 1.8 GB).
set -euo pipefail

build="" work="" files=1000 steps=10000 rows=100000 keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --rows) rows="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "analyze_scale.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -z "$build" ]]; then
  for candidate in "$root/build/cpu" "$root"/build/*; do
    if [[ -x "$candidate/analysis/analyze" && -x "$candidate/tests/analysis/make_scale_inputs" ]]; then
      build="$candidate"
      break
    fi
  done
fi
analyze="$build/analysis/analyze"
make_inputs="$build/tests/analysis/make_scale_inputs"
for tool in "$analyze" "$make_inputs"; do
  if [[ ! -x "$tool" ]]; then
    echo "analyze_scale.sh: $tool not found: build the targets analyze and make_scale_inputs (--build DIR)" >&2
    exit 2
  fi
done
if [[ ! -x /usr/bin/time ]]; then
  echo "analyze_scale.sh: /usr/bin/time not found: install Debian's package time" >&2
  exit 2
fi

if [[ -z "$work" ]]; then
  work="$(mktemp -d "${TMPDIR:-/tmp}/lb_analyze_scale.XXXXXX")"
  [[ $keep == 1 ]] || trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"

echo "generating $files results files x $steps steps and a W&B export of $rows runs in $work ..."
start=$(date +%s.%N)
"$make_inputs" "$work/inputs" "$files" "$steps" "$rows"
echo "  done in $(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)") s: results $(du -sh "$work/inputs/results" | cut -f1), export $(du -sh "$work/inputs/wandb.csv" | cut -f1)"
echo
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); analyze: $("$analyze" --version)"
echo
printf '%-36s %10s %10s %10s %12s %10s\n' "case" "runs" "wall (s)" "CPU (s)" "peak (GiB)" "out (GB)"

run_case() {
  local name="$1"; shift
  local out="$work/report_${name// /_}"
  rm -rf "$out"
  /usr/bin/time -o "$work/time" -f '%e %U %S %M' "$analyze" "$@" --out "$out" --quiet 2>"$work/stderr" >/dev/null
  read -r wall user sys kb <"$work/time"
  local runs
  runs="$(grep -o '^analyze: [0-9]* runs' "$work/stderr" | grep -o '[0-9]*' || echo '?')"
  printf '%-36s %10s %10.1f %10.1f %12.2f %10.2f\n' "$name" "$runs" "$wall" "$(echo "$user + $sys" | bc)" \
    "$(echo "$kb / 1048576" | bc -l)" "$(echo "$(du -sb "$out" | cut -f1) / 1000000000" | bc -l)"
  grep -E 'not drawn|error' "$work/stderr" | sed 's/^/    /' || true
}

run_case "W&B export ($rows runs)" --wandb-csv "$work/inputs/wandb.csv"
run_case "results files ($files x $steps steps)" "$work/inputs/results"
run_case "both" "$work/inputs/results" --wandb-csv "$work/inputs/wandb.csv"
