"""Python reference for `npm run bench:metrics`: the competition score with scikit-image and OpenCV.

Run by bench/metrics.ts (not meant to be run by hand, but you can):
  /usr/bin/python3 bench/metrics_reference.py LIST.json
LIST.json is a JSON array of {"name", "gt", "pred", "input"} file paths. Prints one JSON object:
{"versions": {...}, "decodeSeconds", "scoreSeconds", "decodeCpuSeconds", "scoreCpuSeconds", "images": [{"name", "score", "ssim", "maskedSsim", "histogram"}]}.
Needs scikit-image, OpenCV, Pillow and NumPy; exits 3 with a message on stderr when one is missing.

The formulas are the competition's: SSIM with skimage's structural_similarity (7x7 uniform window,
channel_axis=-1, data_range = pred.max() - pred.min()); the masked SSIM on the (N, 3) arrays of lost pixels
gt[mask > 0], pred[mask > 0], with data_range = pred.max() - pred.min() of the WHOLE prediction; the hue histogram with cv2.calcHist
(180 bins over [0, 180)), cv2.normalize (L2) and cv2.compareHist(HISTCMP_CORREL); the mask is where the
Pillow convert('L') of the input differs from that of the ground truth.
"""
import json
import sys
import time

try:
    import cv2
    import numpy as np
    import skimage
    from PIL import Image
    from skimage.metrics import structural_similarity
except ImportError as err:  # the bench then prints only its own time
    print(f'missing Python module: {err.name}', file=sys.stderr)
    sys.exit(3)


def read_rgb(path):
    """RGB uint8 HxWx3, gray PNGs repeated to 3 channels (cv2.imread reads BGR; flip to RGB)."""
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise SystemExit(f'{path}: cannot read')
    return np.ascontiguousarray(bgr[..., ::-1])


def read_gray_pil(path):
    with Image.open(path) as im:
        return np.asarray(im.convert('L'))  # as the competition read its inputs


def ssim(true, pred):
    return structural_similarity(true, pred, channel_axis=-1, data_range=pred.max() - pred.min())


def masked_ssim(true, pred, mask):
    # The data range is the whole prediction's, not that of its masked pixels (as the competition's code).
    return structural_similarity(true[mask > 0], pred[mask > 0], channel_axis=-1,
                                 data_range=pred.max() - pred.min())


def histogram_similarity(true, pred):
    hists = []
    for img in (true, pred):
        hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)
        hist = cv2.calcHist([hsv], [0], None, [180], [0, 180])
        hists.append(cv2.normalize(hist, hist).flatten())
    return cv2.compareHist(hists[0], hists[1], cv2.HISTCMP_CORREL)


def main():
    with open(sys.argv[1], encoding='utf-8') as f:
        items = json.load(f)
    t0 = time.perf_counter()
    c0 = time.process_time()
    loaded = []
    for item in items:
        gt = read_rgb(item['gt'])
        pred = read_rgb(item['pred'])
        loaded.append((item['name'], gt, pred, read_gray_pil(item['input'])))
    t1 = time.perf_counter()
    c1 = time.process_time()
    images = []
    for name, gt, pred, gray_input in loaded:
        # The mask is part of scoring, as in the TypeScript side (competitionMask).
        mask = (gray_input != np.asarray(Image.fromarray(gt, 'RGB').convert('L'))).astype(np.uint8)
        s = float(ssim(gt, pred))
        m = float(masked_ssim(gt, pred, mask))
        c = float(histogram_similarity(gt, pred))
        images.append({'name': name, 'score': 0.2 * s + 0.4 * m + 0.4 * c, 'ssim': s, 'maskedSsim': m, 'histogram': c})
    t2 = time.perf_counter()
    c2 = time.process_time()
    versions = {'python': sys.version.split()[0], 'numpy': np.__version__, 'skimage': skimage.__version__, 'cv2': cv2.__version__}
    print(json.dumps({'versions': versions, 'decodeSeconds': t1 - t0, 'scoreSeconds': t2 - t1,
                      'decodeCpuSeconds': c1 - c0, 'scoreCpuSeconds': c2 - c1, 'images': images}))


if __name__ == '__main__':
    main()
