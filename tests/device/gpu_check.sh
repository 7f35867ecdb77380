#!/usr/bin/env bash
# The device check, for a machine with one NVIDIA or AMD GPU and a Python PyTorch 2.x but no Debian
# packages (run tests/device/prepare.sh on a Debian machine first and bring its .device folder):
#  1. builds the harness and the GPU checks against the LibTorch inside that PyTorch
#     (torch.utils.cmake_prefix_path), single-GPU: no MPI, no HDF5 (the run is recorded in its
#     journal), the kernels in CUDA or HIP;
#  2. runs the GPU checks: the preprocessing kernel against its CPU reference, one training step on
#     the GPU against the same step on the CPU, bf16, the fused Adam;
#  3. times the harness against PyTorch's own Python loop (torchvision vit_b_16, bf16 autocast, the
#     same batch and optimizer, bench/reference_train.py) and prints images/s of each, their ratio,
#     and model FLOP utilisation against the matrix-product rate the harness measured.
#   tests/device/gpu_check.sh [--batch N] [--steps N] [--warmup N] [--precision bf16|fp16|fp32] [--cpu-dry-run]
# --cpu-dry-run does steps 1 and 3's plumbing on a machine without a GPU (CPU LibTorch, tiny model):
# what CI and a developer without a GPU can check. Exit codes: 0 all passed, 1 a check failed, 2 usage.
set -euo pipefail
cd "$(dirname "$0")/../.."
batch=128 steps=30 warmup=10 precision=bf16 dry=0
while (($#)); do
  case "$1" in
    --batch) batch=$2; shift ;;
    --steps) steps=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --precision) precision=$2; shift ;;
    --cpu-dry-run) dry=1 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu_check.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
t_start=$SECONDS
py=${LB_PYTHON:-python3}
say() { echo "gpu_check: $*" >&2; }
elapsed() { echo "$((SECONDS - t_start)) s"; }

torch_prefix=$("$py" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null) ||
  { say "error: '$py' has no torch (set LB_PYTHON to a Python with PyTorch 2.x)"; exit 2; }
torch_version=$("$py" -c 'import torch; print(torch.__version__)')
prefix="$torch_prefix"
[[ -d .device/deps/usr ]] && prefix="$prefix;$PWD/.device/deps/usr"

gpu_flags=()
if ((dry)); then
  device=cpu
  say "dry run on CPU with LibTorch $torch_version: building as for a GPU, running the tiny model"
elif command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
  device=cuda
  gpu_flags=(-DLB_ENABLE_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=native)
  say "$(nvidia-smi -L | head -1); PyTorch $torch_version"
elif command -v rocm-smi >/dev/null; then
  device=rocm
  gpu_flags=(-DLB_ENABLE_HIP=ON -DCMAKE_HIP_ARCHITECTURES="$(rocminfo | awk '/gfx[0-9a-f]+/ {print $2; exit}')")
  say "AMD GPU; PyTorch $torch_version"
else
  say "error: no GPU found (nvidia-smi, rocm-smi); --cpu-dry-run checks the rest without one"
  exit 2
fi

# --- 1. build ------------------------------------------------------------------------------------
build=build/gpu-check
say "configuring ($build)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
  -DLB_WITH_MPI=OFF -DLB_WITH_HDF5=OFF -DLB_BUILD_ANALYSIS=OFF -DLB_BUILD_TESTS=OFF -DLB_BUILD_BENCHMARKS=OFF \
  "${gpu_flags[@]}" >"$build.configure.log" 2>&1 || { tail -30 "$build.configure.log"; exit 1; }
targets=(harness)
((dry)) || targets+=(gpu_step_check)
[[ $device == cuda ]] && targets+=(preprocess_cuda_test)
say "building ${targets[*]}"
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >"$build.build.log" 2>&1 ||
  { tail -40 "$build.build.log"; exit 1; }
say "built in $(elapsed)"

# --- 2. GPU checks -------------------------------------------------------------------------------
failed=0
if ((!dry)); then
  if [[ $device == cuda ]]; then
    "$build/tests/kernels/preprocess_cuda_test" || failed=1
  fi
  "$build/tests/device/gpu_step_check" || failed=1
  say "GPU checks done at $(elapsed)"
fi

# --- 3. harness against PyTorch's Python loop ----------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
model=vit_b_16 threads=$(nproc)
if ((dry)); then
  model=vit_micro batch=16 steps=6 warmup=2 precision=fp32 threads=2
fi
harness_dev=$device
say "harness: $model, batch $batch, $precision, $warmup warm-up + $steps timed steps"
"$build/harness/harness" --device "$harness_dev" --model "$model" --precision "$precision" --batch-size "$batch" \
  --max-steps $((warmup + steps)) --warmup-steps "$warmup" --epochs 1 --subset $((batch * (warmup + steps))) \
  --val-fraction 0.001 --threads "$threads" --progress none --output "$work/results.h5" 2>"$work/harness.err" ||
  { cat "$work/harness.err" >&2; exit 1; }
say "python: the same loop in PyTorch"
"$py" bench/reference_train.py --device "$harness_dev" --model "$model" --precision "$precision" \
  --batch-size "$batch" --threads "$threads" --warmup-steps "$warmup" --steps "$steps" >"$work/python.json" ||
  exit 1
"$py" - "$work" <<'EOF' || failed=1
import glob, json, math, sys
work = sys.argv[1]
(journal,) = glob.glob(work + "/results.h5.journals/*.jsonl")
attrs, steps = {}, []
with open(journal) as f:
    for line in f.read().split("\n")[1:]:
        if not line:
            continue
        r = json.loads(line)
        if "attrs" in r:
            attrs.update(r["attrs"])
        elif "step" in r:
            steps.append(r["step"])
steady = [s for s in steps if not s["warmup"]]
h_ips = sum(s["samples"] for s in steady) / sum(s["total_s"] for s in steady)
py = json.load(open(work + "/python.json"))
p_ips = py["images_per_s"]
flops = attrs["train_flops_per_image"]
gemm = attrs.get("gemm_flops_per_s") or float("nan")
print(f"{'':24}{'harness':>14}{'python':>14}")
print(f"{'images/s':24}{h_ips:14.2f}{p_ips:14.2f}")
print(f"{'model TFLOP/s':24}{h_ips * flops / 1e12:14.2f}{p_ips * flops / 1e12:14.2f}")
print(f"{'of measured GEMM rate':24}{h_ips * flops / gemm:14.1%}{p_ips * flops / gemm:14.1%}"
      f"   (GEMM {gemm / 1e12:.1f} TFLOP/s at {attrs.get('gemm_shape')}, {attrs.get('precision')})")
print(f"harness / python: {h_ips / p_ips:.3f} (target 1.05); model FLOP utilisation {h_ips * flops / gemm:.1%} "
      f"(target 40%); data wait {sum(s['data_wait_s'] for s in steady) / sum(s['total_s'] for s in steady):.2%} of step time")
print(f"optimizer: harness {attrs.get('optimizer_impl')}, python {py.get('optimizer_impl', 'default')}; "
      f"GPU {attrs.get('gpu_model')}, driver {attrs.get('gpu_driver')}, runtime {attrs.get('gpu_runtime')}")
EOF
say "finished in $(elapsed)"
exit "$failed"
