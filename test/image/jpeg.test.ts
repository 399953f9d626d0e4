/**
 * decodeJpeg against Pillow 9.4 (libjpeg-turbo): the same pixels, to the bit, on the JPEG fixtures made by
 * scripts/goldens/jpeg.py (two shared photos as they are, and small 4:4:4, 4:2:2, 4:2:0, progressive and gray files).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeJpeg, toGray } from '../../src/image/index.js';
import { readPng } from '../../src/node/index.js';
import { readPhoto } from '../../src/node/photos.js';

const dir = new URL('../fixtures/jpeg/', import.meta.url);
const goldens = JSON.parse(readFileSync(new URL('goldens.json', dir), 'utf8')) as {
  files: Record<string, { width: number; height: number; mode: string; rgb: string; gray: string }>;
};
const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('decodeJpeg equals Pillow (scripts/goldens/jpeg.py)', () => {
  for (const [name, golden] of Object.entries(goldens.files)) {
    it(`${name} (${golden.width}x${golden.height}, ${golden.mode})`, async () => {
      const bytes = new Uint8Array(readFileSync(new URL(name, dir)));
      const rgb = await decodeJpeg(bytes, {}, name);
      expect([rgb.width, rgb.height, rgb.channels]).toEqual([golden.width, golden.height, 3]);
      if (sha(rgb.data) !== golden.rgb) {
        // Say by how much, where the golden pixels are there to compare with.
        const png = new URL(name.replace(/\.jpg$/, '.png'), dir).pathname;
        let max = NaN;
        if (existsSync(png)) {
          const ref = await readPng(png, { channels: 3 });
          max = 0;
          for (let i = 0; i < ref.data.length; i++) max = Math.max(max, Math.abs(ref.data[i] - rgb.data[i]));
        }
        expect.fail(`${name}: RGB decode differs from Pillow's (max |diff| ${max})`);
      }
      const gray = await decodeJpeg(bytes, { channels: 1 }, name);
      expect(gray.channels).toBe(1);
      expect(sha(gray.data), `${name}: gray decode differs from Pillow's convert('L')`).toBe(golden.gray);
      expect(sha(toGray(rgb).data)).toBe(golden.gray);
    });
  }

  it('readPhoto reads JPEG files by content, as RGB; Node Buffers decode as well', async () => {
    const photo = await readPhoto(new URL('sea5.jpg', dir).pathname);
    expect(sha(photo.data)).toBe(goldens.files['sea5.jpg'].rgb);
    // A small Node Buffer is a view into a shared pool.
    const pooled = readFileSync(new URL('s420.jpg', dir));
    expect(sha((await decodeJpeg(pooled)).data)).toBe(goldens.files['s420.jpg'].rgb);
  });

  it('decodes concurrently, each call its own result', async () => {
    const names = Object.keys(goldens.files);
    const images = await Promise.all(
      names.map(async (name) => decodeJpeg(new Uint8Array(readFileSync(new URL(name, dir))))),
    );
    images.forEach((image, i) => expect(sha(image.data)).toBe(goldens.files[names[i]].rgb));
  });

  it('leaves no global ImageData behind in Node', async () => {
    await decodeJpeg(new Uint8Array(readFileSync(new URL('gray.jpg', dir))));
    expect('ImageData' in globalThis).toBe(false);
  });
});
