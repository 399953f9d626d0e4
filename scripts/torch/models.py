"""PyTorch reference models for tfjs-restoration's src/models builders.

Run: /usr/bin/python3 scripts/torch/models.py   (writes test/fixtures/models/param-counts.json)

segmentation_models_pytorch is not installed here, so this file rebuilds what the library mirrors:
- ResNet encoders from torchvision's own BasicBlock/Bottleneck classes, in torchvision's layout
  (optionally with all stage widths scaled down, for small parity fixtures), with the stem conv patched
  for `in_channels` the way smp does;
- smp's Unet and UnetPlusPlus decoders (module names as smp: decoder.blocks.N.conv1.0 ...) and
  segmentation head (segmentation_head.0);
- the pix2pix U-Net generator and PatchGAN discriminator (Isola et al. / junyanz's layout).
The TS tests compare parameter counts of every builder against the JSON fixture made here.
"""

import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.resnet import BasicBlock, Bottleneck

RESNET_LAYERS = {
    "resnet18": (BasicBlock, [2, 2, 2, 2]),
    "resnet34": (BasicBlock, [3, 4, 6, 3]),
    "resnet50": (Bottleneck, [3, 4, 6, 3]),
}


class ResNetEncoder(nn.Module):
    """torchvision ResNet without avgpool/fc; returns smp's six feature maps (input, /2, /4 ... /32).

    `width` is the stem/first-stage width (torchvision: 64); stages use width * (1, 2, 4, 8).
    """

    def __init__(self, name, in_channels=3, width=64):
        super().__init__()
        block, layers = RESNET_LAYERS[name]
        self.inplanes = width
        self.conv1 = nn.Conv2d(in_channels, width, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, width, layers[0])
        self.layer2 = self._make_layer(block, width * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, width * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(block, width * 8, layers[3], stride=2)
        self.out_channels = (in_channels, width) + tuple(
            width * m * block.expansion for m in (1, 2, 4, 8)
        )

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * block.expansion),
            )
        mods = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            mods.append(block(self.inplanes, planes))
        return nn.Sequential(*mods)

    def forward(self, x):
        f0 = x
        f1 = self.relu(self.bn1(self.conv1(x)))
        f2 = self.layer1(self.maxpool(f1))
        f3 = self.layer2(f2)
        f4 = self.layer3(f3)
        f5 = self.layer4(f4)
        return [f0, f1, f2, f3, f4, f5]


def check_layout_matches_torchvision():
    """At width 64 and 3 input channels our encoder's state_dict equals torchvision's (minus fc)."""
    for name in RESNET_LAYERS:
        ours = {k: v.shape for k, v in ResNetEncoder(name).state_dict().items()}
        ref = {
            k: v.shape
            for k, v in getattr(torchvision.models, name)().state_dict().items()
            if not k.startswith("fc.")
        }
        assert ours == ref, f"{name}: layout differs from torchvision"


class Conv2dReLU(nn.Sequential):
    """smp's Conv2dReLU with batch norm: conv (no bias), BN, ReLU -> keys .0 .1 (.2 has no params)."""

    def __init__(self, cin, cout):
        super().__init__(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class DecoderBlock(nn.Module):
    def __init__(self, cin, skip, cout):
        super().__init__()
        self.conv1 = Conv2dReLU(cin + skip, cout)
        self.conv2 = Conv2dReLU(cout, cout)

    def forward(self, x, skip=None):
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        if skip is not None:
            x = torch.cat([x, skip], dim=1)
        return self.conv2(self.conv1(x))


class UnetDecoder(nn.Module):
    def __init__(self, encoder_channels, decoder_channels):
        super().__init__()
        enc = list(encoder_channels[1:])[::-1]
        ins = [enc[0]] + list(decoder_channels[:-1])
        skips = enc[1:] + [0]
        self.blocks = nn.ModuleList(DecoderBlock(i, s, o) for i, s, o in zip(ins, skips, decoder_channels))

    def forward(self, *features):
        feats = list(features[1:])[::-1]
        x, skips = feats[0], feats[1:]
        for i, block in enumerate(self.blocks):
            x = block(x, skips[i] if i < len(skips) else None)
        return x


class UnetPlusPlusDecoder(nn.Module):
    """smp's nested decoder: node x_{depth}_{layer}; the module dict keys are smp's."""

    def __init__(self, encoder_channels, decoder_channels):
        super().__init__()
        enc = list(encoder_channels[1:])[::-1]
        self.ins = [enc[0]] + list(decoder_channels[:-1])
        self.skips = enc[1:] + [0]
        outs = list(decoder_channels)
        blocks = {}
        for layer in range(len(self.ins) - 1):
            for depth in range(layer + 1):
                if depth == 0:
                    cin, skip, cout = self.ins[layer], self.skips[layer] * (layer + 1), outs[layer]
                else:
                    cin = self.skips[layer - 1]
                    skip = self.skips[layer] * (layer + 1 - depth)
                    cout = self.skips[layer]
                blocks[f"x_{depth}_{layer}"] = DecoderBlock(cin, skip, cout)
        self.depth = len(self.ins) - 1
        blocks[f"x_0_{self.depth}"] = DecoderBlock(self.ins[-1], 0, outs[-1])
        self.blocks = nn.ModuleDict(blocks)

    def forward(self, *features):
        feats = list(features[1:])[::-1]
        dense = {}
        for layer in range(self.depth):
            for depth in range(self.depth - layer):
                if layer == 0:
                    dense[f"x_{depth}_{depth}"] = self.blocks[f"x_{depth}_{depth}"](feats[depth], feats[depth + 1])
                else:
                    li = depth + layer
                    cat = [dense[f"x_{i}_{li}"] for i in range(depth + 1, li + 1)] + [feats[li + 1]]
                    dense[f"x_{depth}_{li}"] = self.blocks[f"x_{depth}_{li}"](dense[f"x_{depth}_{li - 1}"], torch.cat(cat, 1))
        return self.blocks[f"x_0_{self.depth}"](dense[f"x_0_{self.depth - 1}"])


class SegModel(nn.Module):
    def __init__(self, arch, encoder, in_channels, classes, decoder_channels, width=64):
        super().__init__()
        self.encoder = ResNetEncoder(encoder, in_channels, width)
        dec = UnetDecoder if arch == "unet" else UnetPlusPlusDecoder
        self.decoder = dec(self.encoder.out_channels, decoder_channels)
        self.segmentation_head = nn.Sequential(nn.Conv2d(decoder_channels[-1], classes, 3, padding=1))

    def forward(self, x):
        return self.segmentation_head(self.decoder(*self.encoder(x)))


class Pix2PixSkipBlock(nn.Module):
    """One level of pix2pix's recursive U-Net (junyanz UnetSkipConnectionBlock, BatchNorm, no bias)."""

    def __init__(self, outer, inner, input_nc=None, sub=None, outermost=False, innermost=False, dropout=False):
        super().__init__()
        input_nc = outer if input_nc is None else input_nc
        downconv = nn.Conv2d(input_nc, inner, 4, 2, 1, bias=False)
        if outermost:
            up = nn.ConvTranspose2d(inner * 2, outer, 4, 2, 1)
            model = [downconv, sub, nn.ReLU(True), up, nn.Tanh()]
        elif innermost:
            up = nn.ConvTranspose2d(inner, outer, 4, 2, 1, bias=False)
            model = [nn.LeakyReLU(0.2, True), downconv, nn.ReLU(True), up, nn.BatchNorm2d(outer)]
        else:
            up = nn.ConvTranspose2d(inner * 2, outer, 4, 2, 1, bias=False)
            model = [nn.LeakyReLU(0.2, True), downconv, nn.BatchNorm2d(inner), sub, nn.ReLU(True), up, nn.BatchNorm2d(outer)]
            if dropout:
                model.append(nn.Dropout(0.5))
        self.outermost = outermost
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x) if self.outermost else torch.cat([x, self.model(x)], 1)


def pix2pix_generator(in_channels, out_channels, num_downs=8, ngf=64):
    block = Pix2PixSkipBlock(ngf * 8, ngf * 8, innermost=True)
    for _ in range(num_downs - 5):
        block = Pix2PixSkipBlock(ngf * 8, ngf * 8, sub=block, dropout=True)
    block = Pix2PixSkipBlock(ngf * 4, ngf * 8, sub=block)
    block = Pix2PixSkipBlock(ngf * 2, ngf * 4, sub=block)
    block = Pix2PixSkipBlock(ngf, ngf * 2, sub=block)
    return Wrap(Pix2PixSkipBlock(out_channels, ngf, input_nc=in_channels, sub=block, outermost=True))


class Wrap(nn.Module):
    """junyanz's UnetGenerator / NLayerDiscriminator keep their network in `self.model` (keys model.*)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)


def patchgan_discriminator(in_channels, ndf=64, n_layers=3):
    seq = [nn.Conv2d(in_channels, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
    mult = 1
    for n in range(1, n_layers):
        prev, mult = mult, min(2**n, 8)
        seq += [nn.Conv2d(ndf * prev, ndf * mult, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * mult), nn.LeakyReLU(0.2, True)]
    prev, mult = mult, min(2**n_layers, 8)
    seq += [nn.Conv2d(ndf * prev, ndf * mult, 4, 1, 1, bias=False), nn.BatchNorm2d(ndf * mult), nn.LeakyReLU(0.2, True)]
    seq += [nn.Conv2d(ndf * mult, 1, 4, 1, 1)]
    return Wrap(nn.Sequential(*seq))


def counts(model):
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    buffers = sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))
    return {"trainable": trainable, "nonTrainable": buffers}


def main():
    check_layout_matches_torchvision()
    torch.manual_seed(0)
    dec = [256, 128, 64, 32, 16]
    configs = []
    for arch in ("unet", "unetplusplus"):
        for enc in RESNET_LAYERS:
            for cin, classes in ((3, 1), (1, 3)):
                configs.append(dict(arch=arch, encoder=enc, inChannels=cin, classes=classes, decoderChannels=dec))
    configs.append(dict(arch="unet", encoder="resnet18", inChannels=4, classes=2, decoderChannels=[128, 64, 32, 16, 8]))
    configs.append(dict(arch="unet", encoder="resnet18", inChannels=1, classes=3, decoderChannels=[32, 16, 8, 8, 4], encoderWidth=8))
    out = []
    for c in configs:
        m = SegModel(c["arch"], c["encoder"], c["inChannels"], c["classes"], c["decoderChannels"], c.get("encoderWidth", 64))
        out.append({**c, **counts(m)})
    for c in ({"inChannels": 1, "outChannels": 3, "numDowns": 8, "ngf": 64}, {"inChannels": 1, "outChannels": 3, "numDowns": 6, "ngf": 16}):
        g = pix2pix_generator(c["inChannels"], c["outChannels"], c["numDowns"], c["ngf"])
        out.append({"arch": "pix2pix-generator", **c, **counts(g)})
    for c in ({"inChannels": 4, "ndf": 64, "nLayers": 3}, {"inChannels": 4, "ndf": 16, "nLayers": 2}):
        d = patchgan_discriminator(c["inChannels"], c["ndf"], c["nLayers"])
        out.append({"arch": "patchgan", **c, **counts(d)})
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    path = os.path.join(root, "test", "fixtures", "models", "param-counts.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"generatedBy": "scripts/torch/models.py", "torch": torch.__version__, "configs": out}, f, indent=1)
    for o in out:
        print(o)
    return 0


if __name__ == "__main__":
    sys.exit(main())
