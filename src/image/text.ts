/**
 * Labels on pictures without a canvas: a 5x7 bitmap font (capitals, digits, a few signs) drawn into RGB images.
 * No tfjs, no Node module.
 */
import type { Image } from './types.js';

/** Each glyph: seven rows of five bits, top to bottom. */
const GLYPHS: Record<string, string> = {
  A: '01110 10001 10001 11111 10001 10001 10001',
  B: '11110 10001 10001 11110 10001 10001 11110',
  C: '01110 10001 10000 10000 10000 10001 01110',
  D: '11110 10001 10001 10001 10001 10001 11110',
  E: '11111 10000 10000 11110 10000 10000 11111',
  F: '11111 10000 10000 11110 10000 10000 10000',
  G: '01110 10001 10000 10111 10001 10001 01111',
  H: '10001 10001 10001 11111 10001 10001 10001',
  I: '01110 00100 00100 00100 00100 00100 01110',
  J: '00111 00010 00010 00010 00010 10010 01100',
  K: '10001 10010 10100 11000 10100 10010 10001',
  L: '10000 10000 10000 10000 10000 10000 11111',
  M: '10001 11011 10101 10101 10001 10001 10001',
  N: '10001 10001 11001 10101 10011 10001 10001',
  O: '01110 10001 10001 10001 10001 10001 01110',
  P: '11110 10001 10001 11110 10000 10000 10000',
  Q: '01110 10001 10001 10001 10101 10010 01101',
  R: '11110 10001 10001 11110 10100 10010 10001',
  S: '01111 10000 10000 01110 00001 00001 11110',
  T: '11111 00100 00100 00100 00100 00100 00100',
  U: '10001 10001 10001 10001 10001 10001 01110',
  V: '10001 10001 10001 10001 10001 01010 00100',
  W: '10001 10001 10001 10101 10101 10101 01010',
  X: '10001 10001 01010 00100 01010 10001 10001',
  Y: '10001 10001 01010 00100 00100 00100 00100',
  Z: '11111 00001 00010 00100 01000 10000 11111',
  '0': '01110 10001 10011 10101 11001 10001 01110',
  '1': '00100 01100 00100 00100 00100 00100 01110',
  '2': '01110 10001 00001 00010 00100 01000 11111',
  '3': '11111 00010 00100 00010 00001 10001 01110',
  '4': '00010 00110 01010 10010 11111 00010 00010',
  '5': '11111 10000 11110 00001 00001 10001 01110',
  '6': '00110 01000 10000 11110 10001 10001 01110',
  '7': '11111 00001 00010 00100 01000 01000 01000',
  '8': '01110 10001 10001 01110 10001 10001 01110',
  '9': '01110 10001 10001 01111 00001 00010 01100',
  '-': '00000 00000 00000 11111 00000 00000 00000',
  ':': '00000 01100 01100 00000 01100 01100 00000',
  '(': '00010 00100 01000 01000 01000 00100 00010',
  ')': '01000 00100 00010 00010 00010 00100 01000',
  '/': '00001 00010 00010 00100 01000 01000 10000',
  '%': '11001 11010 00010 00100 01000 01011 10011',
  '.': '00000 00000 00000 00000 00000 01100 01100',
  ',': '00000 00000 00000 00000 01100 00100 01000',
  '+': '00000 00100 00100 11111 00100 00100 00000',
  '|': '00100 00100 00100 00100 00100 00100 00100',
  ' ': '00000 00000 00000 00000 00000 00000 00000',
};

/** Options of {@link drawText}. */
export interface TextOptions {
  /** Default black. */
  color?: readonly [number, number, number];
  /** Pixels per font pixel: a character is `6 * scale` wide (with its gap) and `7 * scale` tall. Default 1. */
  scale?: number;
}

/**
 * Draws `text` into an RGB image, in place, with its top-left corner at (x, y), in a 5x7 bitmap font: letters are
 * upper-cased and characters the font lacks become spaces; what falls outside the image is clipped.
 *
 * ```ts
 * const { image } = lossChart([{ values: losses }]);
 * drawText(image, 24, 4, 'training loss', { scale: 2 });
 * ```
 */
export function drawText(image: Image, x: number, y: number, text: string, options: TextOptions = {}): void {
  const { color = [0, 0, 0], scale = 1 } = options;
  if (image.channels !== 3)
    throw new RangeError(`drawText: expected an RGB image, got ${image.channels} channel`);
  const { width: w, height: h, data } = image;
  let cx = x;
  for (const ch of text.toUpperCase()) {
    const rows = (GLYPHS[ch] ?? GLYPHS[' ']).split(' ');
    rows.forEach((bits, ry) => {
      for (let rx = 0; rx < 5; rx++) {
        if (bits[rx] !== '1') continue;
        for (let sy = 0; sy < scale; sy++)
          for (let sx = 0; sx < scale; sx++) {
            const px = cx + rx * scale + sx;
            const py = y + ry * scale + sy;
            if (px < 0 || py < 0 || px >= w || py >= h) continue;
            data.set(color, (py * w + px) * 3);
          }
      }
    });
    cx += 6 * scale;
  }
}
