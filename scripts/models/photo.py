"""Makes test/fixtures/models/chelsea-64.png (scikit-image's public-domain 'chelsea' cat, 64x64 RGB) for the
ImageNet-features test. Run: /usr/bin/python3 scripts/models/photo.py
"""
import os

from PIL import Image
from skimage import data

out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "models", "chelsea-64.png")
img = Image.fromarray(data.chelsea())  # 300x451
w, h = img.size
s = min(w, h)
img = img.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s)).resize((64, 64), Image.BICUBIC)
img.save(out, optimize=True)
