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
import math
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


class DenseNetEncoder(nn.Module):
    """torchvision DenseNet (no classifier) with smp's DenseNetEncoder features: transition skips after their
    ReLU, the last feature is norm5 (no ReLU). Keys: features.conv0 ... features.norm5."""

    def __init__(self, in_channels=3, growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64, bn_size=4):
        super().__init__()
        net = torchvision.models.DenseNet(growth_rate, block_config, num_init_features, bn_size)
        self.features = net.features
        if in_channels != 3:
            self.features.conv0 = nn.Conv2d(in_channels, num_init_features, 7, 2, 3, bias=False)
        ch, out = num_init_features, [in_channels, num_init_features]
        for i, n in enumerate(block_config):
            ch += n * growth_rate
            out.append(ch)
            if i < 3:
                ch //= 2
        self.out_channels = tuple(out)

    def forward(self, x):
        f = self.features
        feats = [x]
        x = f.relu0(f.norm0(f.conv0(x)))
        feats.append(x)
        x = f.pool0(x)
        for i in range(1, 5):
            x = getattr(f, f"denseblock{i}")(x)
            if i < 4:
                t = getattr(f, f"transition{i}")
                skip = t.relu(t.norm(x))
                feats.append(skip)
                x = t.pool(t.conv(skip))
            else:
                feats.append(f.norm5(x))
        return feats


class SEModule(nn.Module):
    def __init__(self, channels, reduction):
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, channels // reduction, 1)
        self.relu = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(channels // reduction, channels, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return x * self.sigmoid(self.fc2(self.relu(self.fc1(self.avg_pool(x)))))


class SEResNeXtBottleneck(nn.Module):
    """Cadene pretrainedmodels' SEResNeXtBottleneck: stride on the grouped 3x3, SE before the residual add."""

    def __init__(self, inplanes, planes, groups, reduction, stride=1, downsample=None, base_width=4):
        super().__init__()
        width = (planes * base_width // 64) * groups
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.se_module = SEModule(planes * 4, reduction)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.se_module(self.bn3(self.conv3(out)))
        res = x if self.downsample is None else self.downsample(x)
        return self.relu(out + res)


class SEResNeXtEncoder(nn.Module):
    """Cadene SENet layout (layer0.conv1/bn1/relu1/pool, layer1..4), smp's feature taps."""

    def __init__(self, in_channels=3, layers=(3, 4, 6, 3), groups=32, reduction=16, base_width=4, inplanes=64, planes=64):
        super().__init__()
        from collections import OrderedDict

        self.layer0 = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(in_channels, inplanes, 7, stride=2, padding=3, bias=False)),
            ("bn1", nn.BatchNorm2d(inplanes)),
            ("relu1", nn.ReLU(inplace=True)),
            ("pool", nn.MaxPool2d(3, stride=2, ceil_mode=True)),
        ]))
        self.inplanes = inplanes
        stages = []
        for i, n in enumerate(layers):
            p = planes * 2**i
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or self.inplanes != p * 4:
                down = nn.Sequential(nn.Conv2d(self.inplanes, p * 4, 1, stride=stride, bias=False), nn.BatchNorm2d(p * 4))
            blocks = [SEResNeXtBottleneck(self.inplanes, p, groups, reduction, stride, down, base_width)]
            self.inplanes = p * 4
            blocks += [SEResNeXtBottleneck(self.inplanes, p, groups, reduction, base_width=base_width) for _ in range(1, n)]
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.out_channels = (in_channels, inplanes) + tuple(planes * m * 4 for m in (1, 2, 4, 8))

    def forward(self, x):
        l0 = self.layer0
        s1 = l0.relu1(l0.bn1(l0.conv1(x)))
        s2 = self.layer1(l0.pool(s1))
        s3 = self.layer2(s2)
        s4 = self.layer3(s3)
        return [x, s1, s2, s3, s4, self.layer4(s4)]


# EfficientNet (lukemelas/EfficientNet-PyTorch layout, used by smp's efficientnet-b*): b0 block args
# (repeats, kernel, stride, expand, in, out), se_ratio 0.25, BN eps 1e-3, swish, TF "static same" padding
# computed once for the reference image size (380 for b4) -- smp keeps those pads for any input size.
EFFNET_B0 = [(1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
             (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320)]


def round_filters(f, width, divisor=8):
    f *= width
    new = max(divisor, int(f + divisor / 2) // divisor * divisor)
    if new < 0.9 * f:
        new += divisor
    return int(new)


class StaticSameConv(nn.Conv2d):
    """Conv2d with TF 'same' padding fixed for `image_size` (lukemelas' Conv2dStaticSamePadding)."""

    def __init__(self, cin, cout, k, stride=1, groups=1, bias=False, image_size=None):
        super().__init__(cin, cout, k, stride=stride, groups=groups, bias=bias)
        oh = math.ceil(image_size / stride)
        pad = max((oh - 1) * stride + k - image_size, 0)
        self.static_padding = nn.ZeroPad2d((pad // 2, pad - pad // 2, pad // 2, pad - pad // 2)) if pad else nn.Identity()

    def forward(self, x):
        return super().forward(self.static_padding(x))


class MBConv(nn.Module):
    def __init__(self, k, stride, expand, cin, cout, image_size):
        super().__init__()
        oup = cin * expand
        self.expand = expand
        if expand != 1:
            self._expand_conv = StaticSameConv(cin, oup, 1, image_size=image_size)
            self._bn0 = nn.BatchNorm2d(oup, momentum=0.01, eps=1e-3)
        self._depthwise_conv = StaticSameConv(oup, oup, k, stride, groups=oup, image_size=image_size)
        self._bn1 = nn.BatchNorm2d(oup, momentum=0.01, eps=1e-3)
        image_size = math.ceil(image_size / stride)
        sq = max(1, int(cin * 0.25))
        self._se_reduce = StaticSameConv(oup, sq, 1, bias=True, image_size=1)
        self._se_expand = StaticSameConv(sq, oup, 1, bias=True, image_size=1)
        self._project_conv = StaticSameConv(oup, cout, 1, image_size=image_size)
        self._bn2 = nn.BatchNorm2d(cout, momentum=0.01, eps=1e-3)
        self.skip = stride == 1 and cin == cout

    def forward(self, x):
        y = x
        if self.expand != 1:
            y = F.silu(self._bn0(self._expand_conv(y)))
        y = F.silu(self._bn1(self._depthwise_conv(y)))
        s = F.adaptive_avg_pool2d(y, 1)
        y = torch.sigmoid(self._se_expand(F.silu(self._se_reduce(s)))) * y
        y = self._bn2(self._project_conv(y))
        return y + x if self.skip else y  # drop_connect: eval / rate 0 only


class EfficientNetEncoder(nn.Module):
    def __init__(self, in_channels=3, width=1.4, depth=1.8, image_size=380, stage_idxs=(6, 10, 22, 32), blocks_args=EFFNET_B0):
        super().__init__()
        stem = round_filters(32, width)
        self._conv_stem = StaticSameConv(in_channels, stem, 3, 2, image_size=image_size)
        self._bn0 = nn.BatchNorm2d(stem, momentum=0.01, eps=1e-3)
        size = math.ceil(image_size / 2)
        blocks = []
        for r, k, s, e, i, o in blocks_args:
            i, o = round_filters(i, width), round_filters(o, width)
            for j in range(int(math.ceil(depth * r))):
                blocks.append(MBConv(k, s if j == 0 else 1, e, i if j == 0 else o, o, size))
                if j == 0:
                    size = math.ceil(size / s)
        self._blocks = nn.ModuleList(blocks)
        self.stage_idxs = stage_idxs
        self.out_channels = (in_channels, stem) + tuple(blocks[j - 1]._bn2.num_features for j in stage_idxs[:3]) + (
            blocks[-1]._bn2.num_features,
        )

    def forward(self, x):
        feats = [x]
        x = F.silu(self._bn0(self._conv_stem(x)))
        feats.append(x)
        bounds = (0,) + tuple(self.stage_idxs[:3]) + (len(self._blocks),)
        for a, b in zip(bounds[:-1], bounds[1:]):
            for blk in self._blocks[a:b]:
                x = blk(x)
            feats.append(x)
        return feats


def make_encoder(name, in_channels, width=64):
    if name == "efficientnet-b4":
        return EfficientNetEncoder(in_channels)
    if name == "efficientnet-tiny":  # b0 block args at width 0.25, depth 0.5 (b4 paddings)
        return EfficientNetEncoder(in_channels, width=0.25, depth=0.5, image_size=380, stage_idxs=(2, 3, 7, 10))
    if name == "se_resnext50_32x4d":
        return SEResNeXtEncoder(in_channels)
    if name == "se_resnext-tiny":
        return SEResNeXtEncoder(in_channels, layers=(2, 2, 2, 1), groups=4, reduction=4, base_width=16, inplanes=8, planes=8)
    if name == "densenet121":
        return DenseNetEncoder(in_channels)
    if name == "densenet-tiny":  # same layout, small widths: parity fixtures
        return DenseNetEncoder(in_channels, growth_rate=4, block_config=(2, 3, 2, 2), num_init_features=8, bn_size=2)
    return ResNetEncoder(name, in_channels, width)


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
        self.encoder = make_encoder(encoder, in_channels, width)
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


def patchgan_discriminator(in_channels, ndf=64, n_layers=3, norm="batch"):
    bias = norm == "instance"
    Norm = nn.InstanceNorm2d if bias else nn.BatchNorm2d
    seq = [nn.Conv2d(in_channels, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
    mult = 1
    for n in range(1, n_layers):
        prev, mult = mult, min(2**n, 8)
        seq += [nn.Conv2d(ndf * prev, ndf * mult, 4, 2, 1, bias=bias), Norm(ndf * mult), nn.LeakyReLU(0.2, True)]
    prev, mult = mult, min(2**n_layers, 8)
    seq += [nn.Conv2d(ndf * prev, ndf * mult, 4, 1, 1, bias=bias), Norm(ndf * mult), nn.LeakyReLU(0.2, True)]
    seq += [nn.Conv2d(ndf * mult, 1, 4, 1, 1)]
    return Wrap(nn.Sequential(*seq))


class ResnetBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=True), nn.InstanceNorm2d(dim), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=True), nn.InstanceNorm2d(dim),
        )

    def forward(self, x):
        return x + self.conv_block(x)


def resnet_generator(in_channels, out_channels, ngf=64, n_blocks=9):
    """junyanz ResnetGenerator with CycleGAN defaults (instance norm -> convs with bias, reflect padding)."""
    m = [nn.ReflectionPad2d(3), nn.Conv2d(in_channels, ngf, 7, bias=True), nn.InstanceNorm2d(ngf), nn.ReLU(True)]
    for i in range(2):
        mult = 2**i
        m += [nn.Conv2d(ngf * mult, ngf * mult * 2, 3, stride=2, padding=1, bias=True), nn.InstanceNorm2d(ngf * mult * 2), nn.ReLU(True)]
    m += [ResnetBlock(ngf * 4) for _ in range(n_blocks)]
    for i in range(2):
        mult = 2 ** (2 - i)
        m += [nn.ConvTranspose2d(ngf * mult, ngf * mult // 2, 3, stride=2, padding=1, output_padding=1, bias=True),
              nn.InstanceNorm2d(ngf * mult // 2), nn.ReLU(True)]
    m += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, out_channels, 7), nn.Tanh()]
    return Wrap(nn.Sequential(*m))


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
    configs.append(dict(arch="unet", encoder="densenet121", inChannels=1, classes=3, decoderChannels=dec))
    configs.append(dict(arch="unetplusplus", encoder="densenet121", inChannels=3, classes=1, decoderChannels=dec))
    configs.append(dict(arch="unet", encoder="se_resnext50_32x4d", inChannels=1, classes=3, decoderChannels=dec))
    configs.append(dict(arch="unet", encoder="efficientnet-b4", inChannels=1, classes=3, decoderChannels=dec))
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
    out.append({"arch": "resnet-generator", "inChannels": 3, "outChannels": 3, "ngf": 64, "nBlocks": 9, **counts(resnet_generator(3, 3))})
    out.append({"arch": "patchgan", "inChannels": 3, "ndf": 64, "nLayers": 3, "norm": "instance", **counts(patchgan_discriminator(3, norm="instance"))})
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
