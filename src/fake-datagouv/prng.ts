// Seeded hashing and PRNG: every generated value derives from (seed, kind, index) (pure).

/** 32-bit FNV-1a over the string forms of the parts, finished with a murmur mix. */
export function hash32(...parts: ReadonlyArray<string | number>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = String(part);
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x1f; // separator, so ('ab','c') differs from ('a','bc')
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) from a hash of the parts. */
export function unit(...parts: ReadonlyArray<string | number>): number {
  return hash32(...parts) / 4294967296;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** mulberry32: small, fast and good enough for test data. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  hex(length: number): string {
    let out = '';
    while (out.length < length) {
      const v = Math.floor(this.next() * 4294967296);
      out += (HEX[v >>> 24] ?? '') + (HEX[(v >>> 16) & 255] ?? '') + (HEX[(v >>> 8) & 255] ?? '') + (HEX[v & 255] ?? '');
    }
    return out.slice(0, length);
  }
}

export function rngFor(...parts: ReadonlyArray<string | number>): Rng {
  return new Rng(hash32(...parts));
}

/** A MongoDB-like ObjectId: 4-byte creation time then 8 random bytes, so ids sort roughly by creation. */
export function objectId(createdMs: number, rng: Rng): string {
  const seconds = Math.max(0, Math.floor(createdMs / 1000));
  return seconds.toString(16).padStart(8, '0').slice(-8) + rng.hex(16);
}

/** A version-4 shaped UUID. */
export function uuid(rng: Rng): string {
  const h = rng.hex(32);
  const variant = '89ab'[Math.floor(rng.next() * 4)] ?? '8';
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function isObjectId(value: string): boolean {
  return /^[0-9a-f]{24}$/i.test(value);
}
