"""The reference recipe in PyTorch, for `npm run bench:quality`: the same two-stage model as the library's
`reference` preset, trained for a wall-clock budget on a data set in the competition layout, then run on its
test inputs.

Model (scripts/torch/models.py's smp-like U-Nets, one per stage; x = gray / 255, m = the lost-region mask):
    n(v)  = (v - 0.5) / 0.225
    raw1  = x + unet1(n(x))                  residual restorer, 1 -> 1, identity head (zero-initialized, as the
                                             library's residual stage 1, so it starts as the identity)
    gray  = x + m * (raw1 - x)               only the lost region takes stage 1's output (as in the library)
    rgb   = unet2(n(gray))                   colorizer, 1 -> 3, identity head
    loss  = 0.5 (0.5 L1 + 0.5 MSE)(gray, gt gray) + 0.5 (0.5 L1 + 0.5 MSE)(rgb, gt RGB)
one AdamW (weight decay 0.01) over both U-Nets, trained jointly (gradients flow from the RGB loss into stage 1).

Training samples: each read of a training photo (train.csv's gt column) gets a fresh lost region drawn like the
library's `competition` preset (a rectangle, a circle, a triangle or a convex polygon, redrawn until it covers
4-11 % of the image, filled with one gray in 0..86; the distribution, not the library's exact draws), then a
`--size` window holding the region's centre (`--mode crop`) or the whole photo area-downscaled first
(`--mode resize`), and a random horizontal flip.

Prediction: every test input at full size (edge-padded to a multiple of 32), the lost region from `--masks`
(255 = lost, as the bench writes them) or, without it, the pixels equal to the input's most common value; the
RGB output is given the composited gray as its Pillow luma (each pixel's channels shifted by one amount, as the
library's `matchLuminance`), rounded and clipped. `--raw-pred DIR` also writes the raw RGB output.

Run: /usr/bin/python3 bench/quality/torch_recipe.py --data DIR --pred OUT --seconds 600 --seed 0
       [--masks DIR] [--encoder resnet18] [--size 128] [--batch 16] [--lr 1e-3] [--threads 2] [--mode crop|resize]
Prints one JSON line: steps, epochs, trainSeconds, predictSeconds, secondsPerStep, framework, threads.
"""

import argparse
import csv
import json
import os
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "torch"))
from models import SegModel  # noqa: E402

DECODER = [256, 128, 64, 32, 16]


def pil_gray(rgb):
    """Pillow's convert('L') on uint8 RGB (ITU-R 601-2 luma in 16-bit fixed point)."""
    r, g, b = (rgb[..., i].astype(np.uint32) for i in range(3))
    return ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16).astype(np.uint8)


def draw_mask(rng, h, w):
    """One competition-style lost region (see the module docstring)."""
    s = min(h, w) / 512
    for _ in range(100):
        mask = np.zeros((h, w), np.uint8)
        kind = rng.choice(4, p=[0.25, 0.15, 0.15, 0.45])
        if kind == 0:
            bh, bw = (int(rng.integers(round(90 * s), round(150 * s) + 1)) for _ in range(2))
            y, x = int(rng.integers(0, h - bh + 1)), int(rng.integers(0, w - bw + 1))
            mask[y : y + bh, x : x + bw] = 1
        elif kind == 1:
            d = int(rng.integers(round(120 * s), round(160 * s) + 1))
            cy, cx = int(rng.integers(d // 2, h - d // 2)), int(rng.integers(d // 2, w - d // 2))
            cv2.circle(mask, (cx, cy), d // 2, 1, -1)
        else:
            n = 3 if kind == 2 else int(rng.integers(3, 21))
            bh = int(rng.integers(round(100 * s), round((480 if kind == 2 else 260) * s) + 1))
            bw = int(rng.integers(round(100 * s), round((330 if kind == 2 else 260) * s) + 1))
            bh, bw = min(bh, h), min(bw, w)
            y, x = int(rng.integers(0, h - bh + 1)), int(rng.integers(0, w - bw + 1))
            pts = np.stack([x + rng.random(n) * bw, y + rng.random(n) * bh], 1).astype(np.float32)
            hull = cv2.convexHull(pts).astype(np.int32)
            cv2.fillPoly(mask, [hull], 1)
        cover = mask.mean()
        if 0.04 <= cover <= 0.11:
            return mask
    return mask


def window_around(rng, mask, size):
    ys, xs = np.nonzero(mask)
    h, w = mask.shape
    cy, cx = (ys.mean(), xs.mean()) if len(ys) else (h / 2, w / 2)

    def pick(c, extent):
        lo, hi = max(0, int(np.ceil(c - size + 1))), min(extent - size, int(np.floor(c)))
        return int(rng.integers(lo, hi + 1)) if lo <= hi else max(0, min(extent - size, round(c - size / 2)))

    return pick(cy, h), pick(cx, w)


def sample(rng, photo, size, mode):
    """(input gray, mask, gt RGB) float arrays in [0, 1] at size x size."""
    if mode == "resize" or photo.shape[0] < size or photo.shape[1] < size:
        photo = cv2.resize(photo, (size, size), interpolation=cv2.INTER_AREA)
    gray = pil_gray(photo)
    mask = draw_mask(rng, *gray.shape)
    damaged = gray.copy()
    damaged[mask > 0] = int(rng.integers(0, 87))
    if photo.shape[0] != size or photo.shape[1] != size:
        t, l = window_around(rng, mask, size)
        photo, damaged, mask = (a[t : t + size, l : l + size] for a in (photo, damaged, mask))
    if rng.random() < 0.5:
        photo, damaged, mask = photo[:, ::-1], damaged[:, ::-1], mask[:, ::-1]
    return damaged / 255.0, mask.astype(np.float64), photo / 255.0


class Recipe(torch.nn.Module):
    def __init__(self, encoder):
        super().__init__()
        self.restore = SegModel("unet", encoder, 1, 1, DECODER)
        self.colorize = SegModel("unet", encoder, 1, 3, DECODER)
        head = self.restore.segmentation_head[0]
        torch.nn.init.zeros_(head.weight)
        torch.nn.init.zeros_(head.bias)

    def forward(self, x, m):
        raw = x + self.restore((x - 0.5) / 0.225)
        gray = x + m * (raw - x)
        return gray, self.colorize((gray - 0.5) / 0.225)


def l1_mse(a, b):
    return 0.5 * F.l1_loss(a, b) + 0.5 * F.mse_loss(a, b)


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--pred", required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--masks")
    p.add_argument("--encoder", default="resnet18")
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--mode", choices=["crop", "resize"], default="crop")
    p.add_argument("--raw-pred")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)

    rows = read_rows(os.path.join(a.data, "train.csv"))
    photos = [np.array(Image.open(os.path.join(a.data, r["gt_image_path"])).convert("RGB")) for r in rows]
    model = Recipe(a.encoder)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    model.train()
    start = time.perf_counter()
    steps = 0
    seen = 0
    order = rng.permutation(len(photos))
    while time.perf_counter() - start < a.seconds:
        batch = []
        for _ in range(a.batch):
            if seen % len(photos) == 0 and seen > 0:
                order = rng.permutation(len(photos))
            batch.append(sample(rng, photos[order[seen % len(photos)]], a.size, a.mode))
            seen += 1
        x, m, gt = (torch.from_numpy(np.ascontiguousarray(np.stack([b[i] for b in batch]))).float() for i in range(3))
        x, m = x[:, None], m[:, None]
        gt = gt.permute(0, 3, 1, 2).contiguous()
        gt_gray = (0.299 * gt[:, 0:1] + 0.587 * gt[:, 1:2] + 0.114 * gt[:, 2:3])
        gray, rgb = model(x, m)
        loss = 0.5 * l1_mse(gray, gt_gray) + 0.5 * l1_mse(rgb, gt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
        if steps % 10 == 0:
            print(f"step {steps} loss {loss.item():.4f} {time.perf_counter() - start:.0f} s", file=sys.stderr)
    train_seconds = time.perf_counter() - start

    model.eval()
    t0 = time.perf_counter()
    os.makedirs(a.pred, exist_ok=True)
    if a.raw_pred:
        os.makedirs(a.raw_pred, exist_ok=True)
    for r in read_rows(os.path.join(a.data, "test.csv")):
        path = os.path.join(a.data, r["input_image_path"])
        name = os.path.basename(path)
        gray_in = np.array(Image.open(path).convert("L"))
        if a.masks:
            mask = (np.array(Image.open(os.path.join(a.masks, name)).convert("L")) > 0).astype(np.float32)
        else:
            mask = (gray_in == np.bincount(gray_in.ravel()).argmax()).astype(np.float32)
        h, w = gray_in.shape
        ph, pw = -(-h // 32) * 32, -(-w // 32) * 32
        x = np.pad(gray_in / 255.0, ((0, ph - h), (0, pw - w)), mode="edge")
        mk = np.pad(mask, ((0, ph - h), (0, pw - w)), mode="edge")
        with torch.no_grad():
            g, c = model(torch.from_numpy(x).float()[None, None], torch.from_numpy(mk).float()[None, None])
        g = np.clip(np.floor(g[0, 0, :h, :w].numpy() * 255 + 0.5), 0, 255)
        comp = np.where(mask > 0, g, gray_in).astype(np.float64)
        rgb = np.clip(np.floor(c[0, :, :h, :w].permute(1, 2, 0).numpy() * 255 + 0.5), 0, 255)
        if a.raw_pred:
            Image.fromarray(rgb.astype(np.uint8)).save(os.path.join(a.raw_pred, name))
        shift = comp - (rgb[..., 0] * 299 + rgb[..., 1] * 587 + rgb[..., 2] * 114) / 1000
        out = np.clip(np.floor(rgb + shift[..., None] + 0.5), 0, 255).astype(np.uint8)
        Image.fromarray(out).save(os.path.join(a.pred, name))
    predict_seconds = time.perf_counter() - t0
    print(json.dumps({
        "steps": steps, "epochs": seen / len(photos), "trainSeconds": train_seconds,
        "predictSeconds": predict_seconds, "secondsPerStep": train_seconds / max(steps, 1),
        "framework": "pytorch " + torch.__version__, "threads": a.threads,
    }))


if __name__ == "__main__":
    main()
