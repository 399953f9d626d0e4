"""Exports a torchvision encoder's weights as safetensors for tfjs-restoration's createPretrainedModel.

Run: /usr/bin/python3 scripts/torch/export_encoder.py resnet34 resnet34.safetensors
     (ImageNet weights: torchvision downloads them on first use; --random writes random weights, for testing)

Supported: resnet18, resnet34, resnet50, densenet121 (torchvision layouts, the same as this library's encoders).
Keys are torchvision's (conv1.weight, layer1.0.bn1.running_mean, features.denseblock1...); the classifier
(fc.*, classifier.*) is dropped. In tfjs:
    const model = await createPretrainedModel('unet', { encoder: 'resnet34', inChannels: 1, classes: 3,
                                                       encoderWeights: await fs.readFile('resnet34.safetensors') });
Preprocessing of torchvision's ImageNet weights: RGB in [0, 1], minus mean [0.485, 0.456, 0.406], divided by
std [0.229, 0.224, 0.225] (for 1-channel inputs the stem kernel is summed over RGB, as smp does).
"""

import argparse
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(__file__))
from parity import write_safetensors  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("encoder", choices=["resnet18", "resnet34", "resnet50", "densenet121"])
    ap.add_argument("out")
    ap.add_argument("--random", action="store_true", help="random weights instead of ImageNet (no download)")
    args = ap.parse_args()
    ctor = getattr(torchvision.models, args.encoder)
    model = ctor() if args.random else ctor(weights="IMAGENET1K_V1")
    state = {
        k: v.float() if v.is_floating_point() else v
        for k, v in model.state_dict().items()
        if not k.startswith(("fc.", "classifier."))
    }
    write_safetensors(args.out, state)
    print(f"{args.out}: {len(state)} tensors, {sum(v.numel() for v in state.values())} values")


if __name__ == "__main__":
    main()
