#!/usr/bin/env bash
# Side-by-side benchmark of the harness against PyTorch's own Python training loop (ViT-B/16).
#
#   bench/vs_pytorch.sh --quick                  # smoke check: batch 8, 2 threads, fp32, 2 rounds
#   bench/vs_pytorch.sh                          # batch 8, 2 threads, fp32 and bf16, 3 rounds
#   bench/vs_pytorch.sh --batch 8,32 --threads 1,2 --precision fp32,bf16   # the whole matrix (hours)
#   bench/vs_pytorch.sh --batch 32 --threads 2 --precision bf16 --rounds 5 --steps 3 --warmup 1 \
#       --json out.json --markdown out.md
#
# The reference Python (with torch, torchvision, h5py) is Debian's /usr/bin/python3 unless
# LB_REFERENCE_PYTHON or --python says otherwise; the harness binary is build/cpu/harness/harness
# unless LB_HARNESS or --harness says otherwise. `bench/vs_pytorch.sh --help` lists every option.
# See bench/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="${LB_REFERENCE_PYTHON:-/usr/bin/python3}"
command_line="$0${*:+ $*}"

args=()
while (($#)); do
  case "$1" in
    --python)
      if (($# < 2)); then echo "vs_pytorch.sh: --python needs a path" >&2; exit 2; fi
      py="$2"; shift 2 ;;
    --python=*) py="${1#--python=}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

if ! command -v "$py" >/dev/null 2>&1; then
  echo "vs_pytorch.sh: reference Python not found: $py (set LB_REFERENCE_PYTHON or pass --python)" >&2
  exit 2
fi
if ! missing="$("$py" -c '
import importlib.util, sys
print(" ".join(m for m in ("torch", "torchvision", "h5py", "numpy") if importlib.util.find_spec(m) is None))
sys.exit(0)' 2>&1)"; then
  echo "vs_pytorch.sh: reference Python $py does not run: ${missing//$'\n'/ }" >&2
  exit 2
fi
if [[ -n "$missing" ]]; then
  echo "vs_pytorch.sh: reference Python $py lacks $missing (set LB_REFERENCE_PYTHON or pass --python)" >&2
  exit 2
fi

exec "$py" "$here/vs_pytorch.py" --command-line "$command_line" "${args[@]}"
