"""Parity fixtures: small PyTorch models with random weights (fixed seed, non-trivial batch-norm statistics),
saved as safetensors, with their outputs on fixed inputs in eval and in train mode.

Run: /usr/bin/python3 scripts/torch/parity.py   (writes test/fixtures/models/parity-*.safetensors)

Size: a real-width resnet18 U-Net is ~57 MB in fp32, so the fixtures use torchvision's exact ResNet layout
with every stage width divided (stem width 8 or 4 instead of 64) and small decoder channels; the topology,
module names, strides and paddings are the real ones. Weights are rounded to float16 and stored as F16 (half
the bytes); the PyTorch outputs are computed with those rounded weights, so the comparison stays exact.
Per model two files: `<name>.safetensors` (the state_dict) and `<name>.io.safetensors` (`input`, `eval`,
`train`, all NHWC float32).
"""

import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from models import SegModel, patchgan_discriminator, pix2pix_generator, resnet_generator  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "models")


def write_safetensors(path, tensors):
    """Minimal safetensors writer (F16 / F32 / I64), contiguous little-endian data."""
    codes = {torch.float16: "F16", torch.float32: "F32", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = t.numpy().tobytes()
        header[name] = {"dtype": codes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def randomize(model, gen):
    """Non-trivial BN statistics and affine params; every float tensor rounded to float16 precision."""
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) * 1.5 + 0.5)
        for t in list(model.parameters()) + list(model.buffers()):
            if t.dtype == torch.float32:
                t.copy_(t.half().float())


def save(name, model, x_nchw):
    model.eval()
    with torch.no_grad():
        y_eval = model(x_nchw)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    model.train()
    with torch.no_grad():
        y_train = model(x_nchw)
    weights = {k: (v.half() if v.dtype == torch.float32 else v) for k, v in state.items()}
    write_safetensors(os.path.join(OUT, f"parity-{name}.safetensors"), weights)
    nhwc = lambda t: t.permute(0, 2, 3, 1).contiguous().float()  # noqa: E731
    write_safetensors(
        os.path.join(OUT, f"parity-{name}.io.safetensors"),
        {"input": nhwc(x_nchw), "eval": nhwc(y_eval), "train": nhwc(y_train)},
    )
    print(name, "params", sum(p.numel() for p in model.parameters()), "eval mean", float(y_eval.abs().mean()))


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(2024)
    torch.manual_seed(2024)

    unet = SegModel("unet", "resnet18", 1, 3, [32, 16, 8, 8, 4], width=8)
    randomize(unet, gen)
    save("unet-resnet18", unet, torch.rand(2, 1, 64, 64, generator=gen))

    upp = SegModel("unetplusplus", "resnet50", 3, 2, [16, 8, 8, 8, 4], width=4)
    randomize(upp, gen)
    save("unetplusplus-resnet50", upp, torch.rand(2, 3, 64, 64, generator=gen))

    dn = SegModel("unet", "densenet-tiny", 1, 3, [16, 8, 8, 8, 4])
    randomize(dn, gen)
    save("unet-densenet-tiny", dn, torch.rand(2, 1, 64, 64, generator=gen))

    se = SegModel("unet", "se_resnext-tiny", 3, 1, [16, 8, 8, 8, 4])
    randomize(se, gen)
    save("unet-se_resnext-tiny", se, torch.rand(2, 3, 64, 64, generator=gen))

    ef = SegModel("unet", "efficientnet-tiny", 1, 3, [16, 8, 8, 8, 4])
    randomize(ef, gen)
    save("unet-efficientnet-tiny", ef, torch.rand(2, 1, 64, 64, generator=gen))

    g = pix2pix_generator(1, 3, num_downs=5, ngf=4)
    randomize(g, gen)
    save("pix2pix-generator", g, torch.rand(2, 1, 32, 32, generator=gen) * 2 - 1)

    d = patchgan_discriminator(4, ndf=4, n_layers=3)
    randomize(d, gen)
    save("patchgan", d, torch.rand(2, 4, 64, 64, generator=gen) * 2 - 1)
    rg = resnet_generator(3, 3, ngf=4, n_blocks=2)
    randomize(rg, gen)
    save("resnet-generator", rg, torch.rand(2, 3, 32, 32, generator=gen) * 2 - 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
