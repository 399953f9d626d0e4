/**
 * A small seeded pseudo-random generator: the one source of randomness in the library, so a seed gives the
 * same masks on every platform and in every JavaScript engine.
 *
 * The core is **mulberry32** (Tommy Ettinger, public domain): a 32-bit state advanced by the Weyl increment
 * `0x6D2B79F5`, then mixed with two `Math.imul` multiply-xorshift rounds. All of it is 32-bit integer math, so
 * the stream of `uint32()` values is bit-identical everywhere. Seeds are first scrambled with the splitmix32
 * finalizer so that nearby seeds (0, 1, 2, …) start far apart.
 *
 * Derived draws:
 * - `float()` = `uint32() / 2^32`, exact in float64, in [0, 1).
 * - `int(lo, hi)` = `lo + floor(uint32() * n / 2^32)` with `n = hi - lo + 1`: exact integer math for
 *   `n < 2^21` (the product stays below 2^53); larger ranges combine two draws.
 * - `normal()` uses Box–Muller, which calls `Math.log`/`Math.cos`: those are engine functions, identical in V8,
 *   SpiderMonkey and JavaScriptCore in practice (fdlibm ports) but not guaranteed by the spec. Mask shapes use
 *   `Math.sin`/`Math.cos` only for polygon vertices, where a last-bit difference cannot move a pixel unless a
 *   vertex lands within 1e-12 of a pixel center.
 *
 * ```ts
 * const rng = createRng(42);
 * rng.int(0, 9);      // an integer in 0..9
 * rng.float();        // in [0, 1)
 * const child = rng.fork(7); // an independent stream derived from the state and a label
 * ```
 */
export interface Rng {
  /** The next 32-bit unsigned integer. */
  uint32(): number;
  /** A float in [0, 1). */
  float(): number;
  /** A float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** An integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number;
  /** true with probability `p`. */
  chance(p: number): boolean;
  /** A standard normal draw (Box–Muller). */
  normal(): number;
  /** One element of `items`, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** A new generator seeded from this one's next draw mixed with `label`; this one advances by one draw. */
  fork(label?: number): Rng;
  /** The current 32-bit state: `createRng(state, { raw: true })` resumes the stream. */
  readonly state: number;
}

/** splitmix32-style finalizer: a bijective 32-bit hash used to scramble seeds and labels. */
export function hash32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** Checks a seed: any integer (it is reduced modulo 2^32). */
function seedToUint32(seed: number): number {
  if (!Number.isInteger(seed)) throw new RangeError(`createRng: seed must be an integer, got ${seed}`);
  // Reduce modulo 2^32 without losing high bits of seeds up to 2^53.
  const lo = seed % 0x100000000;
  return (lo < 0 ? lo + 0x100000000 : lo) >>> 0;
}

/**
 * Creates a seeded generator (see the module comment for the algorithm). `raw: true` uses `seed` as the state
 * without scrambling (to resume from {@link Rng.state}).
 */
export function createRng(seed: number, options: { raw?: boolean } = {}): Rng {
  let s = options.raw ? seedToUint32(seed) : hash32(seedToUint32(seed));
  let spare: number | undefined;
  const uint32 = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  const float = (): number => uint32() / 4294967296;
  const rng: Rng = {
    uint32,
    float,
    uniform: (lo, hi) => lo + (hi - lo) * float(),
    int(lo, hi) {
      if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo)
        throw new RangeError(`Rng.int: expected integers lo <= hi, got ${lo}, ${hi}`);
      const n = hi - lo + 1;
      if (n <= 0x200000) return lo + Math.floor((uint32() * n) / 4294967296);
      // Wide ranges: 53 random bits.
      const r = (uint32() >>> 5) * 67108864 + (uint32() >>> 6);
      return lo + Math.floor((r / 9007199254740992) * n);
    },
    chance: (p) => float() < p,
    normal() {
      if (spare !== undefined) {
        const v = spare;
        spare = undefined;
        return v;
      }
      let u = float();
      while (u === 0) u = float();
      const v = float();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    pick(items) {
      if (items.length === 0) throw new RangeError('Rng.pick: empty list');
      return items[rng.int(0, items.length - 1)];
    },
    fork(label = 0) {
      return createRng((uint32() ^ hash32(label >>> 0)) >>> 0);
    },
    get state() {
      return s >>> 0;
    },
  };
  return rng;
}
