import { toGray } from './color.js';
import { hasJpegSignature } from './signature.js';
import { createImage, type Image } from './types.js';

/** What the decoder returns: RGBA pixels (any object with ImageData's fields). */
interface DecodedRgba {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/** The part of @jsquash/jpeg's mozjpeg decoder module (Emscripten) used here. */
interface MozJpegDecoder {
  decode(data: ArrayBuffer, preserveOrientation: boolean): DecodedRgba | null;
}

type MozJpegFactory = (options: {
  noInitialRun: boolean;
  wasmBinary?: Uint8Array;
  print: (line: string) => void;
  printErr: (line: string) => void;
}) => Promise<MozJpegDecoder>;

/** The codec's wasm file inside @jsquash/jpeg (beside its glue, `codec/dec/mozjpeg_dec.js`). */
const CODEC_WASM = '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';

/** libjpeg's messages (warnings and errors) during the current decode call. */
let messages: string[] = [];
let decoder: Promise<MozJpegDecoder> | undefined;

interface NodeProcess {
  versions?: { node?: string };
  cwd?: () => string;
  getBuiltinModule?: (id: string) => unknown;
}

/**
 * In Node, the decoder's wasm read from the installed @jsquash/jpeg package (its Emscripten glue is built for the web
 * and would fetch a URL); undefined in browsers, where the glue (or the bundler) finds the file next to the script.
 * Node built-ins come through `process.getBuiltinModule` (Node >= 20.16), so this browser-ready module imports none.
 */
function packagedWasm(): Uint8Array | undefined {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (typeof proc?.versions?.node !== 'string') return undefined;
  if (typeof proc.getBuiltinModule !== 'function')
    throw new Error(
      `JPEG decoding in Node needs Node >= 20.16 (process.getBuiltinModule); this is ${proc.versions.node}`,
    );
  const { createRequire } = proc.getBuiltinModule('node:module') as {
    createRequire(from: string): { resolve(specifier: string): string };
  };
  const { readFileSync } = proc.getBuiltinModule('node:fs') as { readFileSync(file: string): Uint8Array };
  // Resolve from this module (ESM build, sources under tsx/vitest) or the CJS build's file.
  const meta = import.meta as { url?: string };
  const from =
    typeof meta.url === 'string'
      ? meta.url
      : typeof __filename === 'string'
        ? __filename
        : `${proc.cwd?.() ?? '.'}/index.js`;
  return readFileSync(createRequire(from).resolve(CODEC_WASM));
}

/**
 * The mozjpeg decoder, started once. In Node the codec's glue defines a minimal global `ImageData` when it starts; it
 * is removed again here (and {@link withImageData} lends one during each decode), so decoding leaves the global scope
 * as it found it.
 */
function startDecoder(): Promise<MozJpegDecoder> {
  decoder ??= (async () => {
    const hadImageData = 'ImageData' in globalThis;
    // A literal specifier, so bundlers find the codec (and the wasm beside it).
    const codec = (await import('@jsquash/jpeg/codec/dec/mozjpeg_dec.js')) as unknown as {
      default: MozJpegFactory;
    };
    const wasmBinary = packagedWasm();
    const collect = (line: string) => void messages.push(line);
    const started = codec.default({
      noInitialRun: true,
      print: collect,
      printErr: collect,
      ...(wasmBinary && { wasmBinary }),
    });
    // The glue defines it on load and again in the factory, both synchronously.
    if (!hadImageData) delete (globalThis as { ImageData?: unknown }).ImageData;
    return started;
  })().catch((err: unknown) => {
    decoder = undefined; // let a later call try again
    throw err;
  });
  return decoder;
}

/** Stands in for the DOM's ImageData where there is none (Node): the decoder returns its result as one. */
class PlainImageData implements DecodedRgba {
  constructor(
    readonly data: Uint8ClampedArray,
    readonly width: number,
    readonly height: number,
  ) {}
}

/** Runs `f` with a global `ImageData` defined (a plain one, removed again right after) where there is none. */
function withImageData<T>(f: () => T): T {
  if ('ImageData' in globalThis) return f();
  (globalThis as { ImageData?: unknown }).ImageData = PlainImageData;
  try {
    return f();
  } finally {
    delete (globalThis as { ImageData?: unknown }).ImageData;
  }
}

/**
 * Decodes JPEG bytes into a plain RGB {@link Image} (or gray with `channels: 1`, converted like Pillow's
 * `convert('L')`) with mozjpeg (libjpeg-turbo's decoder, compiled to WebAssembly by `@jsquash/jpeg`): the same pixels as
 * Pillow's and OpenCV's decodes, to the bit (islow IDCT, fancy chroma upsampling); tested on the fixture photos and
 * on 4:4:4, 4:2:2, 4:2:0, progressive and gray files (`scripts/goldens/jpeg.py`). Like Pillow's `Image.open`, it
 * ignores the EXIF orientation. Gray JPEGs come back with R = G = B. In Node the decoder's `.wasm` is read from the
 * installed package; in browsers it is fetched next to the codec script (bundlers copy it). A truncated or corrupt
 * file throws an error naming `name` and libjpeg's message.
 *
 * ```ts
 * const photo = await decodeJpeg(await fs.readFile('photo.jpg'));
 * const gray = await decodeJpeg(bytes, { channels: 1 }, 'photo.jpg');
 * ```
 */
export async function decodeJpeg(
  bytes: Uint8Array,
  options: { channels?: 1 | 3 } = {},
  name = 'JPEG data',
): Promise<Image> {
  if (!hasJpegSignature(bytes)) throw new Error(`${name}: not a JPEG file (no JPEG signature)`);
  const codec = await startDecoder();
  // The decoder reads an ArrayBuffer whole: hand it exactly these bytes (a copy unless they fill their buffer; not
  // `bytes.slice()`, which for a Node Buffer is a view of a pooled buffer).
  const buffer =
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer
      ? bytes.buffer
      : new Uint8Array(bytes).buffer;
  // Synchronous from here to the end of decode: no other call can interleave its messages.
  messages = [];
  let raw: DecodedRgba | null;
  try {
    raw = withImageData(() => codec.decode(buffer, false));
  } catch {
    raw = null;
  }
  const said = messages.join('; ');
  messages = [];
  // libjpeg only warns on a truncated file and fills the rest with gray; Pillow refuses it, and so does this.
  if (raw === null || /premature end/i.test(said))
    throw new Error(`${name}: corrupt JPEG (${said === '' ? 'the decoder could not read it' : said})`);
  const n = raw.width * raw.height;
  if (raw.data.length !== n * 4)
    throw new Error(`${name}: unexpected decoded size ${raw.data.length} for ${raw.width}x${raw.height}`);
  const rgb = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n * 3; i += 3, j += 4) {
    rgb[i] = raw.data[j];
    rgb[i + 1] = raw.data[j + 1];
    rgb[i + 2] = raw.data[j + 2];
  }
  const image = createImage(raw.width, raw.height, 3, rgb);
  return options.channels === 1 ? toGray(image) : image;
}
