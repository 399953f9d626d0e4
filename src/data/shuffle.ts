import { createRng } from '../random/rng.js';

/** A seeded Fisher–Yates shuffle into a new array (the library's one PRNG, {@link createRng}). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  const rng = createRng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
