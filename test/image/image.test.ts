import { describe, expect, it } from 'vitest';
import {
  createImage,
  decodePng,
  drawText,
  encodePng,
  grayToRgb,
  lumaPil,
  shrinkToFit,
  toGray,
} from '../../src/image/index.js';

describe('image', () => {
  it('createImage checks the sample count and names the argument', () => {
    expect(() => createImage(2, 2, 3, new Uint8Array(11))).toThrow(/11 samples, expected 2x2x3 = 12/);
    expect(() => createImage(0, 2, 1)).toThrow(/width/);
  });

  it('drawText: 5x7 glyphs, upper-cased, scaled, clipped at the edges; RGB only', () => {
    const img = createImage(14, 9, 3, new Uint8Array(14 * 9 * 3).fill(255));
    drawText(img, 1, 1, 'l1', { color: [200, 0, 0] });
    const at = (x: number, y: number) =>
      Array.from(img.data.subarray((y * 14 + x) * 3, (y * 14 + x) * 3 + 3));
    // 'L': the left column and the bottom row of its 5x7 cell; '1' starts 6 pixels to the right
    expect(at(1, 1)).toEqual([200, 0, 0]);
    expect(at(1, 7)).toEqual([200, 0, 0]);
    expect(at(5, 7)).toEqual([200, 0, 0]);
    expect(at(2, 1)).toEqual([255, 255, 255]);
    expect(at(9, 1)).toEqual([200, 0, 0]); // the top of '1' (00100)
    const big = createImage(8, 8, 3, new Uint8Array(8 * 8 * 3).fill(255));
    drawText(big, -1, 0, '|', { scale: 2 }); // '|' is column 2: pixels 4 and 5 at scale 2, shifted by -1
    const atBig = (x: number, y: number) =>
      Array.from(big.data.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3));
    expect([atBig(3, 0), atBig(4, 1), atBig(2, 0), atBig(5, 0)]).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [255, 255, 255],
      [255, 255, 255],
    ]);
    expect(() => drawText(createImage(2, 2, 1), 0, 0, 'A')).toThrow(/RGB image, got 1 channel/);
  });

  it('shrinkToFit: the longest side at most max, aspect kept, never enlarged', () => {
    const img = createImage(40, 30, 1, new Uint8Array(1200).fill(7));
    const small = shrinkToFit(img, 8);
    expect([small.width, small.height]).toEqual([8, 6]);
    expect(small.data.every((v) => v === 7)).toBe(true);
    expect(shrinkToFit(img, 40)).toBe(img);
  });

  it('PIL luma: pure colors and rounding', () => {
    expect(lumaPil(255, 255, 255)).toBe(255);
    expect(lumaPil(0, 0, 0)).toBe(0);
    expect(lumaPil(255, 0, 0)).toBe(76);
    expect(lumaPil(0, 255, 0)).toBe(150);
    expect(lumaPil(0, 0, 255)).toBe(29);
  });

  it('PNG round trip keeps every sample, gray and RGB', () => {
    const rgb = createImage(
      5,
      3,
      3,
      Uint8Array.from({ length: 45 }, (_, i) => (i * 37) & 255),
    );
    expect(decodePng(encodePng(rgb))).toEqual(rgb);
    const gray = toGray(rgb);
    expect(decodePng(encodePng(gray))).toEqual(gray);
    expect(decodePng(encodePng(gray), { channels: 3 })).toEqual(grayToRgb(gray));
    expect(decodePng(encodePng(rgb), { channels: 1 })).toEqual(gray);
  });

  it('rejects bytes that are not a PNG, naming the source', () => {
    expect(() => decodePng(new Uint8Array([1, 2, 3]), {}, 'x.png')).toThrow(/x\.png: not a PNG/);
  });

  it('names the format of bytes that are another image type', () => {
    const bytes = (s: string, ...head: number[]) => Uint8Array.from([...head, ...Buffer.from(s)]);
    const cases: [Uint8Array, string][] = [
      [bytes('JFIF', 0xff, 0xd8, 0xff, 0xe0), 'x.png is a JPEG file, expected PNG'],
      [bytes('GIF89a...'), 'x.png is a GIF file, expected PNG'],
      [bytes('RIFF\0\0\0\0WEBPVP8 '), 'x.png is a WebP file, expected PNG'],
      [bytes('II*\0\x08\0\0\0'), 'x.png is a TIFF file, expected PNG'],
      [bytes('BM\0\0\0\0\0\0\0\0\0\0\0\0'), 'x.png is a BMP file, expected PNG'],
      [new Uint8Array(0), 'x.png is an empty file, expected PNG'],
    ];
    for (const [b, message] of cases) expect(() => decodePng(b, {}, 'x.png')).toThrow(message);
  });
});
