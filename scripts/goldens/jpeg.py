"""JPEG decoding goldens: Pillow's (libjpeg-turbo's) pixels for a few JPEG fixtures.

Run from the repo root: /usr/bin/python3 scripts/goldens/jpeg.py
Reads test/fixtures/jpeg/middleeast.jpg and sea5.jpg: two shared photos as they are (baseline, 4:2:0, quality about
90, as all of the set), copied there by scripts/fixtures/photos.py (credits: test/fixtures/CREDITS.md). Writes
test/fixtures/jpeg/:
- small variants encoded here by Pillow (libjpeg) from a 61x47 crop of one of them, odd sizes so that chroma
  upsampling meets partial blocks: 4:4:4, 4:2:2, 4:2:0, progressive and gray; and a 256x128 crop (wide.jpg) for
  tests that need a non-square photo;
- goldens.json: for each file, its size and the SHA-256 of Pillow's decode as RGB (`Image.open(f).convert('RGB')`)
  and as gray (`.convert('L')`), row-major interleaved bytes;
- <name>.png: the RGB decode itself for the files whose PNG is small (to show where a decoder differs).
"""
import hashlib
import json
import os
import sys

from PIL import Image

DST = os.path.join('test', 'fixtures', 'jpeg')
# Golden PNGs only where small (the 512x512 sea photo's would be ~200 KB: its hash is the golden).
NO_PNG = {'sea5.jpg'}


def main():
    for name in ('middleeast.jpg', 'sea5.jpg'):
        if not os.path.isfile(os.path.join(DST, name)):
            sys.exit(f'{DST}/{name} not found: run scripts/fixtures/photos.py first')
    sea = Image.open(os.path.join(DST, 'sea5.jpg')).convert('RGB')
    crop = sea.crop((100, 150, 161, 197))
    crop.save(os.path.join(DST, 's444.jpg'), quality=90, subsampling=0)
    crop.save(os.path.join(DST, 's422.jpg'), quality=90, subsampling=1)
    crop.save(os.path.join(DST, 's420.jpg'), quality=90, subsampling=2)
    crop.save(os.path.join(DST, 'progressive.jpg'), quality=90, subsampling=2, progressive=True)
    crop.convert('L').save(os.path.join(DST, 'gray.jpg'), quality=90)
    wide = Image.open(os.path.join(DST, 'middleeast.jpg')).convert('RGB').crop((0, 0, 512, 256))
    wide.resize((256, 128), Image.BILINEAR).save(os.path.join(DST, 'wide.jpg'), quality=90)

    goldens = {}
    for name in sorted(f for f in os.listdir(DST) if f.endswith('.jpg')):
        img = Image.open(os.path.join(DST, name))
        rgb = img.convert('RGB')
        gray = img.convert('L')
        goldens[name] = {
            'width': img.width,
            'height': img.height,
            'mode': img.mode,
            'rgb': hashlib.sha256(rgb.tobytes()).hexdigest(),
            'gray': hashlib.sha256(gray.tobytes()).hexdigest(),
        }
        if name not in NO_PNG:
            rgb.save(os.path.join(DST, name[:-4] + '.png'), optimize=True)
    with open(os.path.join(DST, 'goldens.json'), 'w', encoding='utf-8') as f:
        json.dump({'pillow': Image.__version__, 'files': goldens}, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
