"""Copies a few varied shared photos into the repo as PNG test fixtures, with their credits.

Run from the repo root: /usr/bin/python3 scripts/goldens/photos.py
Reads ../shared/photos (beside the repo) (512x512 JPEGs + CREDITS.md); writes test/fixtures/photos/<name>.png and CREDITS.md.
"""
import os
import sys

from PIL import Image

SRC = '../shared/photos'
DST = os.path.join('test', 'fixtures', 'photos')
# file in SRC -> fixture name. Varied on purpose: sea/landscape, a building with sky, an animal,
# and one with big smooth (near-flat) areas.
PICKS = {
    'clickgame-sea1.jpg': 'sea',
    'explore_monuments-tajMahal.jpg': 'building',
    'erase-kingfisher.jpg': 'animal',
    'skimage-rocket.jpg': 'flat',
}


def main():
    os.makedirs(DST, exist_ok=True)
    with open(os.path.join(SRC, 'CREDITS.md'), encoding='utf-8') as f:
        lines = f.read().splitlines()
    rows = {}
    for line in lines:
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if cells and cells[0] in PICKS:
            rows[cells[0]] = line
    missing = [k for k in PICKS if k not in rows]
    if missing:
        sys.exit(f'no credit row for {missing}')
    for src, name in PICKS.items():
        img = Image.open(os.path.join(SRC, src)).convert('RGB')
        if img.size != (512, 512):
            sys.exit(f'{src}: expected 512x512, got {img.size}')
        img.save(os.path.join(DST, f'{name}.png'), optimize=True)
    out = [
        '# Test photo credits',
        '',
        'PNG copies of photos from the shared photo set (made by scripts/goldens/photos.py). The original',
        'set was center-cropped and resized to 512x512; sources: Debian packages gcompris-qt-data 3.1-2',
        '(per-file entries of its debian/copyright) and python3-skimage 0.19.3 (data/).',
        '',
        '| fixture | file | copyright | license | source |',
        '| --- | --- | --- | --- | --- |',
    ]
    for src, name in PICKS.items():
        cells = [c.strip() for c in rows[src].strip().strip('|').split('|')]
        out.append('| ' + ' | '.join([f'{name}.png'] + cells) + ' |')
    with open(os.path.join(DST, 'CREDITS.md'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
