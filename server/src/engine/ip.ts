/**
 * IPv4 and IPv6 addresses, CIDRs and ranges. Values are bigints so both families share
 * one code path; policies hold few ipBlocks, so the cost does not matter.
 */

export type IpFamily = 4 | 6;

export interface IpRange {
  readonly family: IpFamily;
  readonly start: bigint;
  readonly end: bigint;
}

export interface Cidr {
  readonly family: IpFamily;
  /** The address as written (may have host bits set). */
  readonly address: bigint;
  readonly prefix: number;
  /** The network address (host bits cleared). */
  readonly network: bigint;
  readonly hostBitsSet: boolean;
  /** An IPv4 octet written with a leading zero (`010.0.0.0/8`): ambiguous, rejected by strict parsers. */
  readonly leadingZeros: boolean;
}

export const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

export function maxAddress(family: IpFamily): bigint {
  return (1n << BigInt(BITS[family])) - 1n;
}

export function wholeSpace(family: IpFamily): IpRange {
  return { family, start: 0n, end: maxAddress(family) };
}

interface ParsedIp {
  family: IpFamily;
  value: bigint;
  leadingZeros: boolean;
}

export function parseIp(text: string): ParsedIp | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): ParsedIp | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  let leadingZeros = false;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    if (part.length > 1 && part.startsWith('0')) leadingZeros = true;
    value = (value << 8n) | BigInt(octet);
  }
  return { family: 4, value, leadingZeros };
}

function parseIpv6(text: string): ParsedIp | undefined {
  // An embedded IPv4 tail (`::ffff:10.0.0.1`) becomes its two 16-bit groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIpv4(tail);
    if (!v4 || v4.leadingZeros) return undefined;
    const high = (v4.value >> 16n).toString(16);
    const low = (v4.value & 0xffffn).toString(16);
    return parseIpv6(`${text.slice(0, lastColon + 1)}${high}:${low}`);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const left = parseGroups(halves[0]);
  const right = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!left || !right) return undefined;
  let groups = left;
  if (halves.length === 2) {
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  return { family: 6, value, leadingZeros: false };
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const values: number[] = [];
  for (const group of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    values.push(parseInt(group, 16));
  }
  return values;
}

export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; reason: string };

export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, reason: 'a CIDR needs a prefix length, as in 10.0.0.0/8' };
  const ip = parseIp(text.slice(0, slash));
  if (!ip) return { ok: false, reason: `"${text.slice(0, slash)}" is not an IP address` };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return { ok: false, reason: `"${prefixText}" is not a prefix length` };
  const prefix = Number(prefixText);
  if (prefix > BITS[ip.family]) {
    return {
      ok: false,
      reason: `the prefix length ${prefix} exceeds ${BITS[ip.family]} for an IPv${ip.family} address`,
    };
  }
  const hostMask = (1n << BigInt(BITS[ip.family] - prefix)) - 1n;
  const network = ip.value & ~hostMask & maxAddress(ip.family);
  return {
    ok: true,
    cidr: {
      family: ip.family,
      address: ip.value,
      prefix,
      network,
      hostBitsSet: network !== ip.value,
      leadingZeros: ip.leadingZeros,
    },
  };
}

export function cidrRange(cidr: Cidr): IpRange {
  const hostMask = (1n << BigInt(BITS[cidr.family] - cidr.prefix)) - 1n;
  return { family: cidr.family, start: cidr.network, end: cidr.network | hostMask };
}

export function formatIp(family: IpFamily, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  }
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

export function formatCidr(family: IpFamily, network: bigint, prefix: number): string {
  return `${formatIp(family, network)}/${prefix}`;
}

/** `first-last`, the form connlist uses for external peers. */
export function formatRange(range: IpRange): string {
  return `${formatIp(range.family, range.start)}-${formatIp(range.family, range.end)}`;
}

export function rangeContains(range: IpRange, family: IpFamily, value: bigint): boolean {
  return range.family === family && range.start <= value && value <= range.end;
}

/** `ranges` minus `holes`, as sorted disjoint ranges (same family). */
export function subtractRanges(ranges: readonly IpRange[], holes: readonly IpRange[]): IpRange[] {
  let current = [...ranges];
  for (const hole of holes) {
    const next: IpRange[] = [];
    for (const r of current) {
      if (r.family !== hole.family || hole.end < r.start || hole.start > r.end) {
        next.push(r);
        continue;
      }
      if (hole.start > r.start) next.push({ family: r.family, start: r.start, end: hole.start - 1n });
      if (hole.end < r.end) next.push({ family: r.family, start: hole.end + 1n, end: r.end });
    }
    current = next;
  }
  return current.sort((a, b) => a.family - b.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** Whether `inner` lies inside `outer` and is smaller. */
export function isStrictlyInside(inner: IpRange, outer: IpRange): boolean {
  return (
    inner.family === outer.family &&
    inner.start >= outer.start &&
    inner.end <= outer.end &&
    (inner.start !== outer.start || inner.end !== outer.end)
  );
}

/**
 * Cuts each family's whole address space at every start and end+1 of the given ranges.
 * Every given range is then exactly a union of pieces, so a piece is either fully inside
 * or fully outside each of them. Each listed family yields at least its whole space.
 */
export function partition(ranges: readonly IpRange[], families: readonly IpFamily[]): IpRange[] {
  const pieces: IpRange[] = [];
  for (const family of families) {
    const cuts = new Set<bigint>([0n]);
    for (const r of ranges) {
      if (r.family !== family) continue;
      cuts.add(r.start);
      if (r.end < maxAddress(family)) cuts.add(r.end + 1n);
    }
    const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = 0; i < sorted.length; i++) {
      const end = i + 1 < sorted.length ? sorted[i + 1] - 1n : maxAddress(family);
      pieces.push({ family, start: sorted[i], end });
    }
  }
  return pieces;
}
