#!/usr/bin/env bash
# Packs what bench/gpu/device.sh needs on a lent GPU machine, which has PyTorch (CUDA) but no Node, no npm packages
# and no network: into .gpu/ (ignored by git, about 35 MB), for the device tool's `carry`.
#   .gpu/node.xz                         this machine's Node binary
#   .gpu/bench/train.mjs, profile-train.mjs   bench/train.ts and bench/profile-train.ts bundled with tfjs (esbuild)
#   .gpu/bench/*.py, .gpu/scripts/torch/models.py   the PyTorch baselines, beside the bundles as in the repo
#   .gpu/node_modules/webgpu/            the `webgpu` package (Dawn), its linux-x64 binary as dawn.node.xz
#   .gpu/gl/*.deb                        the Vulkan loader (Debian's libvulkan1), unpacked there before the run
# Run here, after `npm install`: bash bench/gpu/pack.sh   (needs apt-get for the .deb; x86-64 only)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(uname -m)" = x86_64 ] || { echo "pack.sh: the GPU machine is x86-64; this one is $(uname -m)" >&2; exit 2; }
out=.gpu
rm -rf "$out"
mkdir -p "$out/bench" "$out/scripts/torch" "$out/node_modules/webgpu/dist/linux-x64" "$out/gl"

# The two benchmarks as single ES modules. CommonJS dependencies call require(), which an ES module lacks: the banner
# makes one. Backends the GPU run does not use stay out (imported only when asked for).
npx esbuild bench/train.ts bench/profile-train.ts --bundle --platform=node --format=esm --target=node20 \
  --outdir="$out/bench" --out-extension:.js=.mjs --log-level=warning --keep-names \
  --external:webgpu --external:tsx --external:@tensorflow/tfjs-backend-wasm --external:@tensorflow/tfjs-node \
  --external:@tensorflow/tfjs-node-gpu --external:@tensorflow/tfjs-backend-webgl \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
cp bench/torch_train.py bench/torch_infer.py bench/torch_device.py "$out/bench/"
cp scripts/torch/models.py "$out/scripts/torch/"

w=node_modules/webgpu
cp "$w/package.json" "$w/index.js" "$out/node_modules/webgpu/"
xz -T0 -6 -c "$w/dist/linux-x64/dawn.node" >"$out/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
xz -T0 -6 -c "$(command -v node)" >"$out/node.xz"
node --version >"$out/node-version"
(cd "$out/gl" && apt-get -o APT::Sandbox::User=root download libvulkan1 >/dev/null)

du -sh "$out"
echo "packed $out: on a lent GPU machine, run the device tool with carry [\"$out\"] and the command" \
  "'bash bench/gpu/device.sh' (see bench/README.md, 'On a GPU')"
