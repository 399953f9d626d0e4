import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  emptyMask,
  fillEllipse,
  fillPolygon,
  fillRect,
  drawThickLine,
  maskArea,
} from '../../src/masks/raster.js';
import type { Mask } from '../../src/image/types.js';

interface PolygonCase {
  kind: 'polygon';
  name: string;
  height: number;
  width: number;
  rows: number[];
  cols: number[];
  area: number;
  rle: number[];
}
interface EllipseCase {
  kind: 'ellipse';
  name: string;
  height: number;
  width: number;
  row: number;
  col: number;
  rRadius: number;
  cRadius: number;
  rotation: number;
  area: number;
  rle: number[];
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/goldens/polygon2mask.json', import.meta.url), 'utf8'),
) as { cases: (PolygonCase | EllipseCase)[] };

function decodeRle(rle: number[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let k = 0;
  rle.forEach((run, i) => {
    if (i % 2 === 1) out.fill(1, k, k + run);
    k += run;
  });
  expect(k).toBe(n);
  return out;
}

function diff(mask: Mask, expected: Uint8Array): string[] {
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++)
    if (mask.data[i] !== expected[i]) bad.push(`(${Math.floor(i / mask.width)},${i % mask.width})`);
  return bad;
}

describe('fillPolygon matches skimage.draw.polygon2mask (0.19.3)', () => {
  const polys = fixture.cases.filter((c): c is PolygonCase => c.kind === 'polygon');
  it('has golden cases including edge cases', () => {
    expect(polys.length).toBeGreaterThan(150);
    expect(polys.some((c) => c.name === 'bowtie-self-intersecting')).toBe(true);
  });
  for (const c of polys) {
    it(c.name, () => {
      const mask = emptyMask(c.width, c.height);
      const set = fillPolygon(mask, { rows: c.rows, cols: c.cols });
      expect(diff(mask, decodeRle(c.rle, c.width * c.height))).toEqual([]);
      expect(set).toBe(c.area);
    });
  }
});

describe('fillEllipse matches skimage.draw.ellipse', () => {
  for (const c of fixture.cases.filter((x): x is EllipseCase => x.kind === 'ellipse')) {
    it(c.name, () => {
      const mask = emptyMask(c.width, c.height);
      fillEllipse(mask, c.row, c.col, c.rRadius, c.cRadius, c.rotation);
      expect(diff(mask, decodeRle(c.rle, c.width * c.height))).toEqual([]);
    });
  }
});

describe('fillRect and drawThickLine', () => {
  it('fills an integer rectangle clipped to the image', () => {
    const m = emptyMask(10, 8);
    expect(fillRect(m, 6, 7, 5, 5)).toBe(2 * 3);
    expect(m.data[6 * 10 + 7]).toBe(1);
    expect(m.data[5 * 10 + 7]).toBe(0);
  });
  it('draws a capsule of the given width', () => {
    const m = emptyMask(40, 40);
    drawThickLine(m, 20, 5, 20, 35, 6);
    // Rows 17..23 are within 3 of row 20 at column 20; row 16 is not.
    for (let r = 17; r <= 23; r++) expect(m.data[r * 40 + 20]).toBe(1);
    expect(m.data[16 * 40 + 20]).toBe(0);
    expect(m.data[24 * 40 + 20]).toBe(0);
    expect(maskArea(m)).toBeGreaterThan(30 * 7 - 5);
  });
});
