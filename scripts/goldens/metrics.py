"""Golden values of the competition metric (and the standard metrics) on the fixture photos.

Run from the repo root, after scripts/fixtures/photos.py: /usr/bin/python3 scripts/goldens/metrics.py
(scikit-image 0.19.3, OpenCV 4.6.0, Pillow 9.4.0, SciPy 1.10.1, NumPy 1.24).

For each photo test/fixtures/photos/<name>.png it draws a deterministic lost region, writes it as
test/fixtures/metrics/<name>-region.png (255 = lost) and builds the damaged input like the competition:
Pillow convert('L') of the photo with the region filled by one gray value. Predictions are either
regenerated exactly by the tests (gt, gray input, integer noise from a xorshift32 stream, integer color
shifts, constant, random, gt outside / gray inside the region, gt outside / a narrow-range copy inside) --
the JSON keeps a sha256 of each so a mismatch shows -- or stored as PNG (blurred). Writes
test/fixtures/metrics/goldens.json; NaN is written as the string "NaN".

The lost-region term M is the reference's: structural_similarity(gt[mask > 0], pred[mask > 0],
channel_axis=-1, data_range=pred.max() - pred.min()) with `pred` the WHOLE prediction (all pixels, all
channels), not its masked pixels. On uint8 arrays pred.max() - pred.min() is a numpy.uint8 (max >= min, so no
wrap-around) and skimage's C1 = (K1 * R) ** 2 is float64. `maskedSsimRegion` is the same SSIM with the range of
the masked prediction pixels instead (the library's explicit dataRange: 'region' option), kept so a test
fails if the default ever takes the region's range again.
"""
import hashlib
import json
import os

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy.ndimage import uniform_filter
from skimage.metrics import structural_similarity

PHOTOS = 'test/fixtures/photos'
OUT = 'test/fixtures/metrics'

# name -> (polygon vertices, fill gray value). Varied shapes and sizes; one thin and small.
REGIONS = {
    'sea': ([(140, 120), (300, 100), (340, 260), (200, 330), (120, 240)], 128),
    'building': ([(256, 40), (420, 200), (300, 420), (120, 300)], 90),
    'animal': ([(60, 300), (250, 280), (260, 470), (50, 460)], 200),
    'flat': ([(10, 10), (500, 30), (480, 140), (30, 120)], 255),
}


def xorshift32(seed, count):
    """The same stream as the tests' xorshift32: x ^= x << 13; x ^= x >> 17; x ^= x << 5 (uint32)."""
    out = np.empty(count, dtype=np.uint32)
    x = seed & 0xFFFFFFFF
    for i in range(count):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out[i] = x
    return out


def sha(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def num(x):
    x = float(x)
    return 'NaN' if x != x else x


def ssim_s(gt, pred):
    return structural_similarity(gt, pred, channel_axis=-1, data_range=pred.max() - pred.min())


def ssim_m(gt, pred, mask):
    """The reference's M: data range from the whole prediction."""
    return structural_similarity(gt[mask > 0], pred[mask > 0], channel_axis=-1, data_range=pred.max() - pred.min())


def ssim_m_region(gt, pred, mask):
    """M with the data range of the masked prediction pixels (not the reference; dataRange: 'region')."""
    t = gt[mask > 0]
    p = pred[mask > 0]
    return structural_similarity(t, p, channel_axis=-1, data_range=p.max() - p.min())


def hue_hist(img):
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)
    h = cv2.calcHist([hsv], [0], None, [180], [0, 180])
    return cv2.normalize(h, h).flatten()


def hist_c(gt, pred):
    return cv2.compareHist(hue_hist(gt), hue_hist(pred), cv2.HISTCMP_CORREL)


def region_ssim(gt, pred, mask, data_range=255.0, size=7, k1=0.01, k2=0.03):
    """Normalized-convolution SSIM restricted to mask > 0 (population covariance), mean over region, channels."""
    m = (mask > 0).astype(np.float64)
    c1 = (k1 * data_range) ** 2
    c2 = (k2 * data_range) ** 2
    f = lambda a: uniform_filter(a, size=size, mode='reflect')
    w = f(m)
    vals = []
    for ch in range(gt.shape[2]):
        x = gt[..., ch].astype(np.float64)
        y = pred[..., ch].astype(np.float64)
        with np.errstate(invalid='ignore', divide='ignore'):
            mx = f(m * x) / w
            my = f(m * y) / w
            vx = f(m * x * x) / w - mx * mx
            vy = f(m * y * y) / w - my * my
            vxy = f(m * x * y) / w - mx * my
            s = ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        vals.append(s[m > 0].mean())
    return float(np.mean(vals))


def other_hists(img):
    """Raw cv2.calcHist counts for a few channel/bins/range settings (gray = Pillow convert('L'))."""
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)
    gray = np.asarray(Image.fromarray(img, 'RGB').convert('L'))
    specs = {
        'hue-180': (hsv, 0, 180, (0, 180)),
        'hue-30': (hsv, 0, 30, (0, 180)),
        'saturation-64': (hsv, 1, 64, (0, 256)),
        'value-256': (hsv, 2, 256, (0, 256)),
        'r-32': (img, 0, 32, (0, 256)),
        'g-100-10-200': (img, 1, 100, (10, 200)),
        'b-7-0-255.5': (img, 2, 7, (0, 255.5)),
        'gray-64': (gray[..., None], 0, 64, (0, 256)),
    }
    return {k: cv2.calcHist([a], [c], None, [bins], list(rng)).flatten()
            for k, (a, c, bins, rng) in specs.items()}


def compare_all(h1, h2):
    return {
        'correlation': num(cv2.compareHist(h1, h2, cv2.HISTCMP_CORREL)),
        'intersection': num(cv2.compareHist(h1, h2, cv2.HISTCMP_INTERSECT)),
        'bhattacharyya': num(cv2.compareHist(h1, h2, cv2.HISTCMP_BHATTACHARYYA)),
        'chi-square': num(cv2.compareHist(h1, h2, cv2.HISTCMP_CHISQR)),
    }


def make_preds(name, gt, gray_in, mask, seed):
    h, w, _ = gt.shape
    preds = {}
    preds['perfect'] = ({'kind': 'gt'}, gt)
    preds['gray'] = ({'kind': 'gray-input'}, np.repeat(gray_in[..., None], 3, axis=2))
    u = xorshift32(seed, h * w * 3).reshape(h, w, 3)
    noise = (u % 41).astype(np.int32) - 20
    preds['noisy'] = ({'kind': 'noise', 'seed': seed, 'amplitude': 20},
                      np.clip(gt.astype(np.int32) + noise, 0, 255).astype(np.uint8))
    shifted = gt.astype(np.int32) + np.array([40, 0, -30])
    preds['color-shifted'] = ({'kind': 'shift', 'delta': [40, 0, -30]},
                              np.clip(shifted, 0, 255).astype(np.uint8))
    preds['channel-swap'] = ({'kind': 'swap'}, gt[..., ::-1].copy())
    preds['constant'] = ({'kind': 'constant', 'value': 128}, np.full_like(gt, 128))
    u2 = xorshift32(seed + 1, h * w * 3).reshape(h, w, 3)
    preds['random'] = ({'kind': 'random', 'seed': seed + 1}, (u2 & 255).astype(np.uint8))
    inpaint = gt.copy()
    inpaint[mask > 0] = np.repeat(gray_in[..., None], 3, axis=2)[mask > 0]
    preds['gray-in-region'] = ({'kind': 'gray-in-region'}, inpaint)
    # Region range much narrower than the image's: 96 + gt // 8 inside the mask (range <= 31), gt outside.
    narrow = np.where(mask[..., None] > 0, 96 + gt // 8, gt).astype(np.uint8)
    preds['narrow-in-region'] = ({'kind': 'narrow-in-region'}, narrow)
    if name in ('sea', 'animal'):
        blurred = np.asarray(Image.fromarray(gt).filter(ImageFilter.GaussianBlur(2)))
        path = f'{name}-blurred.png'
        Image.fromarray(blurred).save(os.path.join(OUT, path), optimize=True)
        preds['blurred'] = ({'kind': 'png', 'path': path}, blurred)
    return preds


def case_values(gt, pred, mask, full=True):
    s = ssim_s(gt, pred)
    m = ssim_m(gt, pred, mask)
    c = hist_c(gt, pred)
    v = {
        'ssim': num(s), 'maskedSsim': num(m), 'histogram': num(c),
        'score': num(0.2 * s + 0.4 * m + 0.4 * c),
        'maskedSsimRegion': num(ssim_m_region(gt, pred, mask)),
    }
    if full:
        v['ssim255'] = num(structural_similarity(gt, pred, channel_axis=-1, data_range=255))
        v['ssimWin5'] = num(structural_similarity(gt, pred, channel_axis=-1, win_size=5,
                                                  data_range=pred.max() - pred.min()))
        v['ssimGaussian'] = num(structural_similarity(gt, pred, channel_axis=-1, gaussian_weights=True,
                                                      sigma=1.5, use_sample_covariance=False,
                                                      data_range=255))
        v['regionSsim'] = num(region_ssim(gt, pred, mask))
        v['hueCompare'] = compare_all(hue_hist(gt), hue_hist(pred))
        hg, hp = other_hists(gt), other_hists(pred)
        v['rawCompare'] = {k: compare_all(hg[k], hp[k]) for k in hg}
    return v


def main():
    os.makedirs(OUT, exist_ok=True)
    result = {'photos': {}, 'cases': [], 'crops': []}
    for seed, (name, (poly, fill)) in enumerate(REGIONS.items(), start=1):
        gt = np.asarray(Image.open(os.path.join(PHOTOS, f'{name}.png')).convert('RGB'))
        region_img = Image.new('L', (gt.shape[1], gt.shape[0]), 0)
        ImageDraw.Draw(region_img).polygon(poly, fill=255)
        region_img.save(os.path.join(OUT, f'{name}-region.png'), optimize=True)
        region = np.asarray(region_img)
        gray_gt = np.asarray(Image.fromarray(gt).convert('L'))
        gray_in = gray_gt.copy()
        gray_in[region > 0] = fill
        mask = (gray_in != gray_gt).astype(np.uint8)
        result['photos'][name] = {
            'fill': fill, 'maskPixels': int(mask.sum()), 'regionPixels': int((region > 0).sum()),
            'maskSha256': sha(mask), 'inputSha256': sha(gray_in),
            'hueHistogramL2': [float(x) for x in hue_hist(gt)],
            'rawHistograms': {k: [float(x) for x in h] for k, h in other_hists(gt).items()},
        }
        for kind, (spec, pred) in make_preds(name, gt, gray_in, mask, seed * 1000).items():
            result['cases'].append({'photo': name, 'pred': kind, 'spec': spec, 'predSha256': sha(pred),
                                    **case_values(gt, pred, mask)})
        # Small non-square crops: few masked pixels, odd sizes, 1-D windows near the minimum.
        for crop in ([150, 110, 33, 21], [120, 100, 24, 12]):
            x, y, w, h = crop
            cg, cm = gt[y:y + h, x:x + w], mask[y:y + h, x:x + w]
            if int(cm.sum()) < 7:
                continue
            for kind, (spec, pred) in make_preds(name, gt, gray_in, mask, seed * 1000).items():
                cp = pred[y:y + h, x:x + w]
                result['crops'].append({'photo': name, 'crop': crop, 'pred': kind, 'maskPixels': int(cm.sum()),
                                        **case_values(cg, cp, cm, full=False)})
    # Masked SSIM with very few pixels (7 = the window: one value survives the crop) and 1-channel SSIM.
    gt = np.asarray(Image.open(os.path.join(PHOTOS, 'sea.png')).convert('RGB'))
    spec, pred = make_preds('sea', gt, np.asarray(Image.fromarray(gt).convert('L')), np.zeros(gt.shape[:2]), 1000)['noisy']
    result['tiny'] = []
    for k in (7, 8, 9, 13, 14, 15, 135, 136, 137):
        mask = np.zeros(gt.shape[:2], np.uint8)
        mask.flat[(np.arange(k) * 7919) % mask.size] = 1
        result['tiny'].append({'pixels': k, 'maskSha256': sha(mask), 'maskedSsim': num(ssim_m(gt, pred, mask)),
                               'maskedSsimRegion': num(ssim_m_region(gt, pred, mask))})
    gray_gt = np.asarray(Image.fromarray(gt).convert('L'))
    gray_pred = np.asarray(Image.fromarray(pred).convert('L'))
    result['gray'] = {
        'ssim255': num(structural_similarity(gray_gt, gray_pred, data_range=255)),
        'ssimPrediction': num(structural_similarity(gray_gt, gray_pred,
                                                    data_range=gray_pred.max() - gray_pred.min())),
    }
    with open(os.path.join(OUT, 'goldens.json'), 'w') as f:
        json.dump(result, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
