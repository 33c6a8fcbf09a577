/**
 * Seeded randomness for the simulated market. Two kinds, both pure functions of their inputs so a
 * seed reproduces a market exactly:
 * - `hash32`/`hashNormal`: counter-based (value = f(seed, key, counter)), so the price at any minute
 *   of any date can be computed without generating everything before it;
 * - `Prng`: a small sequential generator (mulberry32) reseeded per instrument and minute, for the
 *   many draws a tick needs.
 */

/** 32-bit avalanche mix of up to three integers (murmur3's finalizer over a combination). */
export function hash32(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b ^ 0xc2b2ae35, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ Math.imul(c ^ 0x165667b1, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a of a string: a stable 32-bit key for a symbol name. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const TWO_POW_32 = 4294967296;
const TWO_PI = 2 * Math.PI;

/** A standard normal variate that depends only on (seed, key, counter). */
export function hashNormal(seed: number, key: number, counter: number): number {
  const u1 = (hash32(seed, key, counter * 2) + 1) / (TWO_POW_32 + 1); // (0, 1]: log is finite
  const u2 = hash32(key, seed, counter * 2 + 1) / TWO_POW_32;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(TWO_PI * u2);
}

/** A uniform in [0, 1) that depends only on (seed, key, counter). */
export function hashUniform(seed: number, key: number, counter: number): number {
  return hash32(seed ^ 0x5bd1e995, key, counter) / TWO_POW_32;
}

/** mulberry32: tiny, fast, good enough for market noise; reseedable in place (no allocation). */
export class Prng {
  private state: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  reseed(seed: number): void {
    this.state = seed >>> 0;
    this.hasSpare = false;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const u1 = 1 - this.next(); // (0, 1]
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(TWO_PI * u2);
    this.hasSpare = true;
    return r * Math.cos(TWO_PI * u2);
  }
}
