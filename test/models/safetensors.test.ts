import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createModel,
  encodeSafetensors,
  exportStateDict,
  loadStateDict,
  parseSafetensors,
} from '../../src/models/index.js';

/** Builds a safetensors file by hand: header JSON + raw little-endian bytes. */
function handMade(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('safetensors', () => {
  it('reads F16 (incl. subnormal, inf), BF16, I64, F64 and skips __metadata__', () => {
    const bytes = new Uint8Array(2 * 4 + 2 * 2 + 8 + 8);
    const v = new DataView(bytes.buffer);
    // F16: 1.0, -2.5, smallest subnormal 2^-24, +inf
    [0x3c00, 0xc100, 0x0001, 0x7c00].forEach((h, i) => v.setUint16(i * 2, h, true));
    // BF16: 1.0 (0x3f80), -0.5 (0xbf00)
    v.setUint16(8, 0x3f80, true);
    v.setUint16(10, 0xbf00, true);
    v.setBigInt64(12, 42n, true);
    v.setFloat64(20, Math.PI, true);
    const sd = parseSafetensors(
      handMade(
        {
          __metadata__: { format: 'pt' },
          h: { dtype: 'F16', shape: [2, 2], data_offsets: [0, 8] },
          b: { dtype: 'BF16', shape: [2], data_offsets: [8, 12] },
          n: { dtype: 'I64', shape: [], data_offsets: [12, 20] },
          d: { dtype: 'F64', shape: [1], data_offsets: [20, 28] },
        },
        bytes,
      ),
    );
    expect([...sd.keys()]).toEqual(['h', 'b', 'n', 'd']);
    expect(Array.from(sd.get('h')!.data)).toEqual([1, -2.5, 2 ** -24, Infinity]);
    expect(sd.get('h')!.shape).toEqual([2, 2]);
    expect(Array.from(sd.get('b')!.data)).toEqual([1, -0.5]);
    expect(Array.from(sd.get('n')!.data)).toEqual([42]);
    expect(sd.get('d')!.data[0]).toBeCloseTo(Math.PI, 6);
  });

  it('bad files give errors naming the file and tensor', () => {
    expect(() => parseSafetensors(new Uint8Array(4), 'a.safetensors')).toThrow(/a.safetensors: too short/);
    const big = new Uint8Array(16);
    new DataView(big.buffer).setBigUint64(0, 1000n, true);
    expect(() => parseSafetensors(big, 'b.safetensors')).toThrow(/b.safetensors: header length 1000 exceeds/);
    const bad = handMade({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8));
    expect(() => parseSafetensors(bad, 'c.safetensors')).toThrow(
      /c.safetensors: tensor 'w' \(F32 \[3\]\) .* expected 12 bytes/,
    );
    const odd = handMade({ w: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8));
    expect(() => parseSafetensors(odd, 'd.safetensors')).toThrow(/'w' has unsupported dtype C64/);
  });

  it('export -> encode -> parse -> load reproduces the model exactly (PyTorch names and layouts)', () => {
    const start = tf.memory().numTensors;
    const opts = {
      encoder: 'resnet18',
      encoderWidth: 4,
      inChannels: 2,
      classes: 3,
      decoderChannels: [8, 8, 8, 4, 4],
    };
    const a = createModel('unetplusplus', { ...opts, seed: 1 });
    // Non-trivial running statistics: one training-mode pass updates them.
    const x = tf.randomUniform([2, 32, 32, 2], 0, 1, 'float32', 4);
    tf.dispose(tf.tidy(() => a.apply(x, { training: true }) as tf.Tensor));
    const dict = exportStateDict(a);
    expect(dict.get('encoder.conv1.weight')!.shape).toEqual([4, 2, 7, 7]);
    expect(dict.has('decoder.blocks.x_0_0.conv1.1.running_var')).toBe(true);
    const bytes = encodeSafetensors(dict, { format: 'pt' });
    const b = createModel('unetplusplus', { ...opts, seed: 2 });
    const report = loadStateDict(b, parseSafetensors(bytes));
    expect(report.missing).toEqual([]);
    const [ya, yb] = tf.tidy(() => [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor]);
    expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
    tf.dispose([x, ya, yb]);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
