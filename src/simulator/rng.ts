// Small integer hashing for deterministic, index-addressable randomness (not cryptographic).

/** splitmix32 finaliser: a well-mixed 32-bit hash of a 32-bit integer. */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Hash of a sequence of integers (order matters). */
export function hash32(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    // Fold numbers above 2^32 (day-based ids) in two halves.
    const lo = part >>> 0;
    const hi = Math.floor(part / 0x1_0000_0000) >>> 0;
    h = mix32(h ^ lo);
    if (hi !== 0) h = mix32(h ^ hi);
  }
  return h;
}

/** Uniform in [0, 1). */
export function unit(...parts: number[]): number {
  return hash32(...parts) / 0x1_0000_0000;
}

/** Standard normal via Box–Muller over two hashed uniforms. */
export function normal(...parts: number[]): number {
  const u1 = Math.max(unit(...parts, 0x51), 1e-12);
  const u2 = unit(...parts, 0x52);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Poisson sample by inversion; fine for the small means used here. */
export function poisson(mean: number, ...parts: number[]): number {
  if (mean <= 0) return 0;
  const u = unit(...parts);
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  while (u > cdf && k < 50) {
    k += 1;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

/** Picks a key from a weight table with a uniform u in [0, 1). */
export function pickWeighted<K extends string>(weights: Readonly<Record<K, number>>, u: number): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let target = u * total;
  for (const [key, weight] of entries) {
    if (target < weight) return key;
    target -= weight;
  }
  return entries[entries.length - 1][0];
}

/** n lowercase hex digits derived from the parts. */
export function hexDigits(n: number, ...parts: number[]): string {
  let out = '';
  for (let block = 0; out.length < n; block += 1) {
    out += hash32(...parts, block)
      .toString(16)
      .padStart(8, '0');
  }
  return out.slice(0, n);
}

/** Stable integer for a short ASCII label, used as a hash salt. */
export function salt(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i += 1) {
    h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}
