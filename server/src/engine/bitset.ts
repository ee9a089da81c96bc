/** Fixed-size bit sets over small integer ids (workload groups), as Uint32Array words. */

export type Bitset = Uint32Array;

export function createBitset(size: number): Bitset {
  return new Uint32Array((size + 31) >>> 5);
}

export function setBit(bits: Bitset, index: number): void {
  bits[index >>> 5] |= 1 << (index & 31);
}

export function hasBit(bits: Bitset, index: number): boolean {
  return (bits[index >>> 5] & (1 << (index & 31))) !== 0;
}

export function orInto(target: Bitset, source: Bitset): void {
  for (let i = 0; i < target.length; i++) target[i] |= source[i];
}

export function fillBitset(bits: Bitset, size: number): void {
  for (let i = 0; i < size; i++) setBit(bits, i);
}

export function countBits(bits: Bitset): number {
  let count = 0;
  for (let word of bits) {
    while (word !== 0) {
      word &= word - 1;
      count++;
    }
  }
  return count;
}

/** Calls `visit` with every set index, in increasing order. */
export function forEachBit(bits: Bitset, visit: (index: number) => void): void {
  for (let w = 0; w < bits.length; w++) {
    let word = bits[w];
    while (word !== 0) {
      const low = word & -word;
      visit((w << 5) + 31 - Math.clz32(low));
      word ^= low;
    }
  }
}

export function bitsToArray(bits: Bitset): number[] {
  const result: number[] = [];
  forEachBit(bits, (i) => result.push(i));
  return result;
}
