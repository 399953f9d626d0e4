#!/usr/bin/env bash
# Issue 12's GPU part, in one run on a lent GPU machine (the device tool), from what bench/gpu/pack.sh put in .gpu/:
# the U-Net training step and inference pass on tfjs's webgpu backend (Dawn on the NVIDIA Vulkan driver) beside
# PyTorch on CUDA on the same card (s/step, images/s, ratio), then the GPU time per kernel of one webgpu step.
# Everything printed also goes to $OUT/gpu.log; the table rows are gathered at the end. About 5 minutes on an H200.
# Overrides (for a dry run on a CPU machine): BENCH_SHAPES, BENCH_ENCODERS, BENCH_STEPS, BENCH_TORCH_DEVICE,
# BENCH_PROFILE ("BATCHxSIZE", or "none"), BENCH_BUDGET (seconds after which no new cell starts).
set -uo pipefail
cd "$(dirname "$0")/../.."
g=.gpu
[ -f "$g/node.xz" ] || { echo "device.sh: $g/node.xz is missing: run bash bench/gpu/pack.sh here and carry $g" >&2; exit 2; }
out=${OUT:-/tmp/gpu-bench-out}
mkdir -p "$out"
exec > >(tee -a "$out/gpu.log") 2>&1

# The Vulkan loader, if the machine lacks it; the NVIDIA driver's Vulkan ICD where the image keeps it.
if ! ldconfig -p | grep -q 'libvulkan.so.1 '; then
  for f in "$g"/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES="$icd"

# Node and Dawn, unpacked with Python's lzma (xz may be absent there).
bin=/tmp/gpu-bench-node
mkdir -p "$bin"
python3 - "$g" "$bin" <<'EOF'
import lzma, os, shutil, sys
g, bin_dir = sys.argv[1], sys.argv[2]
for src, dst, mode in [(f"{g}/node.xz", f"{bin_dir}/node", 0o755),
                       (f"{g}/node_modules/webgpu/dist/linux-x64/dawn.node.xz",
                        f"{g}/node_modules/webgpu/dist/linux-x64/dawn.node", 0o644)]:
    if not os.path.exists(dst):
        with lzma.open(src) as i, open(dst + ".tmp", "wb") as o:
            shutil.copyfileobj(i, o)
        os.chmod(dst + ".tmp", mode)
        os.replace(dst + ".tmp", dst)
EOF
export PATH="$bin:$PATH"
# The Python that holds PyTorch (on the H200 image: the first python3 on PATH).
PYTHON=$(command -v python3)
export PYTHON

echo "== machine"
date -u
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 || echo "no nvidia-smi"
echo "node $(node --version) (packed from $(cat "$g/node-version"))"
"$PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'

encoders=${BENCH_ENCODERS:-resnet34}
shapes=${BENCH_SHAPES:-train:16x128,infer:1x512,train:4x256,train:1x512,train:32x256,infer:8x256}
profile=${BENCH_PROFILE:-16x128}
# One bench:train run per cell, each with its own limit, so that what finished is kept if a later cell hangs; no new
# cell starts after $budget seconds (the device call's own limit is 600 s).
budget=${BENCH_BUDGET:-400}
start=$SECONDS
cell() { # shape
  if [ $((SECONDS - start)) -gt "$budget" ]; then
    echo "== $1: not run (past ${budget} s)"
    return
  fi
  echo "== $1: tfjs webgpu beside PyTorch ${BENCH_TORCH_DEVICE:-cuda}"
  timeout 120 node "$g/bench/train.mjs" --backends webgpu --torch-device "${BENCH_TORCH_DEVICE:-cuda}" \
    --shapes "$1" --encoders "$encoders" --steps "${BENCH_STEPS:-10}" 2>&1 | grep -v 'artificially reduced'
}
gpu_profile() {
  [ "$profile" = none ] && return
  echo "== GPU time per kernel, one webgpu training step at ${profile}"
  timeout 120 node "$g/bench/profile-train.mjs" --backend webgpu --batch "${profile%x*}" --size "${profile#*x}" \
    --encoder "${encoders%%,*}" --steps 3 2>&1 | grep -v 'artificially reduced'
}
IFS=, read -ra cells <<<"$shapes"
for i in "${!cells[@]}"; do
  cell "${cells[$i]}"
  [ "$i" -eq 1 ] && gpu_profile # after the first two cells: the profile matters more than the rest of the matrix
done
[ "${#cells[@]}" -lt 2 ] && gpu_profile
echo "== results"
grep -E '^\| (train|infer) ' "$out/gpu.log" || echo "no cell finished"
date -u
