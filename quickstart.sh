#!/usr/bin/env bash
# The main job on this machine: install what is missing, build the `cpu` preset, run the laptop
# benchmark on the default subset, then analyze it against the shipped LUMI reference data.
#   ./quickstart.sh                 everything
#   ./quickstart.sh --setup-only    install and build only (tests/run.sh uses this)
#   ./quickstart.sh --with-tests    also install the test packages
#   ./quickstart.sh -- ARGS         extra harness options for the laptop run (e.g. -- --threads 1)
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

setup_only=0
with_tests=0
package_lists=(cmake/packages/core.txt)
harness_args=()
while (($#)); do
  arg=$1
  shift
  case "$arg" in
    --) harness_args=("$@"); break ;;
    --setup-only) setup_only=1 ;;
    --with-tests) with_tests=1; package_lists+=(cmake/packages/tests.txt) ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "quickstart.sh: unknown option '$arg' (expected --setup-only, --with-tests or --help)" >&2; exit 2 ;;
  esac
done
for extra in cmake/packages/*.txt; do
  case "$extra" in cmake/packages/core.txt|cmake/packages/tests.txt) ;; *)
    # Host lists other than core/tests (charts, slurm) serve the default job and the tests alike;
    # the Debian 13 lists in cmake/packages/trixie/ go into tests/libtorch2's root, never the host.
    package_lists+=("$extra") ;;
  esac
done

log() { echo "quickstart: $*" >&2; }

# --- Debian packages -------------------------------------------------------------------------
missing=()
for pkg in $(grep -hv '^\s*#' "${package_lists[@]}" | awk 'NF {print $1}' | sort -u); do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  install_cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
  if [[ $(id -u) -eq 0 ]]; then sudo_cmd=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo_cmd=(sudo)
  else
    echo "quickstart: missing Debian packages; run as root:" >&2
    echo "  apt-get update && ${install_cmd[*]}" >&2
    exit 1
  fi
  log "installing ${#missing[@]} Debian packages: ${missing[*]}"
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive "${install_cmd[@]}" -qq >/dev/null
fi

# --- BLAS: LibTorch calls the generic libblas.so.3; make sure it is OpenBLAS, not the reference --
blas_alt=libblas.so.3-$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -dumpmachine)
current=$(update-alternatives --query "$blas_alt" 2>/dev/null | awk '/^Value:/ {print $2}')
if [[ -n "$current" && "$current" != *openblas* ]]; then
  best=$(update-alternatives --query "$blas_alt" | awk '/^Alternative:/ {print $2}' | grep openblas | head -1)
  if [[ -n "$best" && $(id -u) -eq 0 ]]; then
    log "switching $blas_alt from $current to $best"
    update-alternatives --set "$blas_alt" "$best" >/dev/null
  else
    log "warning: the active BLAS is $current (slow); run: update-alternatives --set $blas_alt <openblas>"
  fi
fi

# --- Node packages for the self-contained HTML charts (pinned by charts/package-lock.json) -----
if [[ -f charts/package-lock.json ]] && ! command -v npm >/dev/null; then
  # Debian's npm conflicts with node builds that bundle npm, so it is installed only when missing.
  if [[ $(id -u) -eq 0 ]]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
  log "installing npm"
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
if [[ -f charts/package-lock.json ]]; then
  stamp=charts/node_modules/.lock-stamp
  if [[ ! -f $stamp ]] || ! cmp -s charts/package-lock.json "$stamp"; then
    log "installing pinned node packages (npm ci in charts/)"
    (cd charts && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    cp charts/package-lock.json "$stamp"
  fi
fi

# --- Configure and build -----------------------------------------------------------------------
# Configured every time (seconds when nothing changed), so packages installed since the last run
# (the test frameworks) are found. The main job builds what it runs; the tests build everything.
configure_log=$(mktemp)
if ! cmake --preset cpu >"$configure_log" 2>&1; then
  cat "$configure_log" >&2; rm -f "$configure_log"; log "configure failed"; exit 1
fi
rm -f "$configure_log"
targets=()
((with_tests)) || targets=(--target harness analyze)
build_log=$(mktemp)
if ! cmake --build --preset cpu "${targets[@]}" >"$build_log" 2>&1; then
  cat "$build_log" >&2; rm -f "$build_log"; log "build failed"; exit 1
fi
grep -q "no work to do" "$build_log" || log "built build/cpu"
rm -f "$build_log"

((setup_only)) && exit 0

# --- The laptop benchmark ----------------------------------------------------------------------
# ViT-B/16 on the guide's 1% subset of (synthetic) Tiny ImageNet, every core, set up as the guide's
# 10-epoch job but stopped after a few timed steps and one validation pass over the subset's 200
# validation images (16 minutes on the 2-core development machine, whose OpenBLAS runs its generic
# kernels; a few minutes where OpenBLAS knows the CPU). analyze extrapolates it to the full
# 10-epoch job, with its interval, and compares it with the guide's LUMI runs.
mkdir -p results
results=$root/results/laptop.h5
log "running the laptop benchmark (ViT-B/16, --subset, a few steps; results/laptop.h5)"
./build/cpu/harness/harness --device cpu --subset --max-steps 6 --warmup-steps 1 \
  --progress plain --output "$results" "${harness_args[@]}"
./build/cpu/analysis/analyze "$results" --reference analysis/reference/lumi_ai_guide.csv --out results/report
log "results: $results"
log "report and charts: $root/results/report (summary.md, benchmark_data.csv, *.html, *.png, *.pdf)"
