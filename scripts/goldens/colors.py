"""Hashes of the Pillow gray and OpenCV hue tables over all 2^24 RGB colors (golden for toGray/hueOpenCv).

Run from the repo root: /usr/bin/python3 scripts/goldens/colors.py
Writes test/fixtures/metrics/colors.json. Color index i = (r << 16) | (g << 8) | b; each table is 2^24 bytes.
"""
import hashlib
import json
import os

import cv2
import numpy as np
from PIL import Image

i = np.arange(1 << 24, dtype=np.uint32)
rgb = np.stack([(i >> 16) & 255, (i >> 8) & 255, i & 255], axis=-1).astype(np.uint8).reshape(4096, 4096, 3)
gray = np.asarray(Image.fromarray(rgb, 'RGB').convert('L'))
hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
out = {
    'index': '(r << 16) | (g << 8) | b',
    'pillowGraySha256': hashlib.sha256(np.ascontiguousarray(gray).tobytes()).hexdigest(),
    'opencvHueSha256': hashlib.sha256(np.ascontiguousarray(hsv[..., 0]).tobytes()).hexdigest(),
    'opencvSaturationSha256': hashlib.sha256(np.ascontiguousarray(hsv[..., 1]).tobytes()).hexdigest(),
    'opencvValueSha256': hashlib.sha256(np.ascontiguousarray(hsv[..., 2]).tobytes()).hexdigest(),
}
os.makedirs('test/fixtures/metrics', exist_ok=True)
with open('test/fixtures/metrics/colors.json', 'w') as f:
    json.dump(out, f, indent=2)
    f.write('\n')
print(out)
