// Seeded choices for the chaos run: the same CHAOS_SEED, the same order of faults and
// the same moments, so a failing run can be replayed.

export interface Seeded {
  /** In [0, 1). */
  next(): number;
  /** In [min, max). */
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[];
}

/** mulberry32: small, fast, and good enough to place faults. */
export function seeded(seed: number): Seeded {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const between = (min: number, max: number) => min + next() * (max - min);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  return {
    next,
    between,
    pick,
    shuffle<T>(items: readonly T[]) {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      }
      return copy;
    },
  };
}

/** The seed of this run: CHAOS_SEED when given, otherwise a fresh one. */
export function chaosSeed(): number {
  const given = process.env.CHAOS_SEED;
  if (given === undefined) return Math.floor(Math.random() * 1e9);
  const seed = Number(given);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`CHAOS_SEED must be a whole number of 0 or more, not "${given}"`);
  }
  return seed;
}
