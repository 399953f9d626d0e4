/**
 * A dependency-free reader and writer of the safetensors format: 8-byte little-endian header length, a JSON
 * header `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {...} }`, then the raw
 * little-endian tensor bytes (offsets relative to the end of the header).
 */

/** One tensor read from a safetensors file, converted to float32. */
export interface StateTensor {
  shape: number[];
  /** dtype in the file (F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL). */
  dtype: string;
  data: Float32Array;
}

/** A PyTorch state_dict: tensor name -> tensor. */
export type StateDict = Map<string, StateTensor>;

const BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Decodes an IEEE half-precision value. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function toFloat32(view: DataView, dtype: string, count: number): Float32Array {
  const out = new Float32Array(count);
  const tmp = new DataView(new ArrayBuffer(4));
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'F32':
        out[i] = view.getFloat32(i * 4, true);
        break;
      case 'F64':
        out[i] = view.getFloat64(i * 8, true);
        break;
      case 'F16':
        out[i] = halfToFloat(view.getUint16(i * 2, true));
        break;
      case 'BF16':
        tmp.setUint32(0, view.getUint16(i * 2, true) << 16);
        out[i] = tmp.getFloat32(0);
        break;
      case 'I64':
        out[i] = Number(view.getBigInt64(i * 8, true));
        break;
      case 'I32':
        out[i] = view.getInt32(i * 4, true);
        break;
      case 'I16':
        out[i] = view.getInt16(i * 2, true);
        break;
      case 'I8':
        out[i] = view.getInt8(i);
        break;
      default: // U8, BOOL
        out[i] = view.getUint8(i);
    }
  }
  return out;
}

/**
 * Parses safetensors bytes into a state dict (every tensor converted to float32). `source` names the file in
 * errors.
 *
 * @example
 * const sd = parseSafetensors(await fs.readFile('unet.safetensors'), 'unet.safetensors');
 * sd.get('encoder.conv1.weight')?.shape; // [64, 1, 7, 7]
 */
export function parseSafetensors(bytes: Uint8Array | ArrayBuffer, source = 'safetensors'): StateDict {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.byteLength < 8)
    throw new Error(`${source}: too short for a safetensors file (${u8.byteLength} bytes)`);
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > u8.byteLength - 8) {
    throw new Error(`${source}: header length ${headerLen} exceeds the file size ${u8.byteLength}`);
  }
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(u8.subarray(8, 8 + headerLen)));
  } catch (err) {
    throw new Error(`${source}: header is not valid JSON (${(err as Error).message})`);
  }
  const base = 8 + headerLen;
  const out: StateDict = new Map();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const size = BYTES[info.dtype];
    if (size == null) throw new Error(`${source}: tensor '${name}' has unsupported dtype ${info.dtype}`);
    const count = info.shape.reduce((a, b) => a * b, 1);
    const [begin, end] = info.data_offsets;
    if (end - begin !== count * size || base + end > u8.byteLength) {
      throw new Error(
        `${source}: tensor '${name}' (${info.dtype} [${info.shape.join(', ')}]) has data_offsets [${begin}, ${end}], ` +
          `expected ${count * size} bytes within the file`,
      );
    }
    const tv = new DataView(u8.buffer, u8.byteOffset + base + begin, end - begin);
    out.set(name, { shape: info.shape, dtype: info.dtype, data: toFloat32(tv, info.dtype, count) });
  }
  return out;
}

/**
 * Encodes float32 tensors as safetensors (dtype F32), in insertion order; the inverse of
 * {@link parseSafetensors}. Loadable in PyTorch with `safetensors.torch.load_file`.
 */
export function encodeSafetensors(
  tensors: Map<string, { shape: number[]; data: Float32Array }>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new Error(
        `encodeSafetensors: '${name}' has shape [${t.shape.join(', ')}] but ${t.data.length} values`,
      );
    }
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + count * 4] };
    offset += count * 4;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    for (let i = 0; i < t.data.length; i++, pos += 4) view.setFloat32(pos, t.data[i], true);
  }
  return out;
}
