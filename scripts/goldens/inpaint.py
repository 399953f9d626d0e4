"""Golden fixtures for `inpaintTelea`: OpenCV's Telea inpainting of gray crops of the fixture photos.

Writes test/fixtures/goldens/inpaint/<name>-{input,mask,telea}.png: a 128x128 gray crop (Pillow convert('L')),
a mask (255 = lost: a rectangle, a circle or a polygon, the competition's shapes) with the lost pixels of the input
set to a constant gray, and cv2.inpaint(input, mask, 5, cv2.INPAINT_TELEA).
Run: /usr/bin/python3 scripts/goldens/inpaint.py   (python3-opencv 4.6, python3-pil from Debian)
"""
import os

import cv2
import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
OUT = os.path.join(ROOT, "test", "fixtures", "goldens", "inpaint")
CASES = [
    ("sea", "photos/sea.png", (200, 150), "rect", 40),
    ("building", "photos/building.png", (180, 250), "circle", 70),
    ("animal", "photos/animal.png", (240, 200), "poly", 10),
    ("duck", "photos-masks/explore_farm_animals-duck.png", (60, 80), "rect", 86),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, path, (top, left), shape, fill in CASES:
        gray = np.array(Image.open(os.path.join(ROOT, "test", "fixtures", path)).convert("RGB").convert("L"))
        crop = gray[top : top + 128, left : left + 128].copy()
        mask = np.zeros((128, 128), np.uint8)
        if shape == "rect":
            mask[40:85, 30:100] = 255
        elif shape == "circle":
            cv2.circle(mask, (64, 60), 28, 255, -1)
        else:
            cv2.fillPoly(mask, [np.array([[20, 30], [100, 45], [90, 110], [40, 95]], np.int32)], 255)
        crop[mask > 0] = fill
        out = cv2.inpaint(crop, mask, 5, cv2.INPAINT_TELEA)
        for suffix, im in (("input", crop), ("mask", mask), ("telea", out)):
            Image.fromarray(im).save(os.path.join(OUT, f"{name}-{suffix}.png"), optimize=True)
        print(name, int((mask > 0).sum()), "lost pixels")
    # One RGB case (OpenCV fills the three channels with shared weights) and one region touching the image border.
    rgb = np.array(Image.open(os.path.join(ROOT, "test", "fixtures", "photos/animal.png")).convert("RGB"))[100:196, 300:396].copy()
    mask = np.zeros((96, 96), np.uint8)
    cv2.circle(mask, (10, 80), 30, 255, -1)
    rgb[mask > 0] = 0
    out = cv2.inpaint(rgb, mask, 3, cv2.INPAINT_TELEA)
    for suffix, im in (("input", rgb), ("mask", mask), ("telea", out)):
        Image.fromarray(im).save(os.path.join(OUT, f"rgb-edge-{suffix}.png"), optimize=True)
    print("rgb-edge", int((mask > 0).sum()), "lost pixels (radius 3)")


if __name__ == "__main__":
    main()
