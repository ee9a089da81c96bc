/**
 * Sets of (protocol, port) pairs, as allowed by NetworkPolicy rules.
 *
 * A set holds, per protocol, sorted disjoint closed intervals of port numbers, stored
 * flat as [start0, end0, start1, end1, ...] and merged so that no two intervals touch.
 * That canonical form makes equal sets produce equal keys, which the reachability index
 * relies on to intern sets and memoize unions and intersections.
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** Protocols in the order connection strings list them. */
export const PROTOCOLS: readonly Protocol[] = ['SCTP', 'TCP', 'UDP'];

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

export type Intervals = readonly number[];

export interface PortSet {
  readonly SCTP: Intervals;
  readonly TCP: Intervals;
  readonly UDP: Intervals;
}

const FULL: Intervals = [MIN_PORT, MAX_PORT];

export const NO_PORTS: PortSet = { SCTP: [], TCP: [], UDP: [] };
export const ALL_PORTS: PortSet = { SCTP: FULL, TCP: FULL, UDP: FULL };

export function isProtocol(value: unknown): value is Protocol {
  return value === 'TCP' || value === 'UDP' || value === 'SCTP';
}

/** The set of one protocol's ports `start..end` (inclusive). */
export function portRange(protocol: Protocol, start: number, end: number = start): PortSet {
  return { ...NO_PORTS, [protocol]: [start, end] };
}

/** Every port of one protocol. */
export function allPortsOf(protocol: Protocol): PortSet {
  return { ...NO_PORTS, [protocol]: FULL };
}

export function isEmpty(set: PortSet): boolean {
  return set.SCTP.length === 0 && set.TCP.length === 0 && set.UDP.length === 0;
}

export function isAll(set: PortSet): boolean {
  return PROTOCOLS.every((p) => set[p].length === 2 && set[p][0] === MIN_PORT && set[p][1] === MAX_PORT);
}

export function contains(set: PortSet, protocol: Protocol, port: number): boolean {
  const intervals = set[protocol];
  for (let i = 0; i < intervals.length; i += 2) {
    if (port < intervals[i]) return false;
    if (port <= intervals[i + 1]) return true;
  }
  return false;
}

/** True when every port of `inner` is also in `outer`. */
export function isSubset(inner: PortSet, outer: PortSet): boolean {
  return PROTOCOLS.every((p) => sameIntervals(intersectIntervals(inner[p], outer[p]), inner[p]));
}

export function union(a: PortSet, b: PortSet): PortSet {
  return {
    SCTP: unionIntervals(a.SCTP, b.SCTP),
    TCP: unionIntervals(a.TCP, b.TCP),
    UDP: unionIntervals(a.UDP, b.UDP),
  };
}

export function intersect(a: PortSet, b: PortSet): PortSet {
  return {
    SCTP: intersectIntervals(a.SCTP, b.SCTP),
    TCP: intersectIntervals(a.TCP, b.TCP),
    UDP: intersectIntervals(a.UDP, b.UDP),
  };
}

export function subtract(a: PortSet, b: PortSet): PortSet {
  return {
    SCTP: subtractIntervals(a.SCTP, b.SCTP),
    TCP: subtractIntervals(a.TCP, b.TCP),
    UDP: subtractIntervals(a.UDP, b.UDP),
  };
}

/** A canonical key: equal sets have equal keys. */
export function portSetKey(set: PortSet): string {
  return `${set.SCTP.join(',')}|${set.TCP.join(',')}|${set.UDP.join(',')}`;
}

/**
 * The connection string used by connlist output: `All Connections`, `No Connections`,
 * or `TCP 80,443,UDP 53` (protocols in SCTP, TCP, UDP order, maximal ranges).
 */
export function formatConnections(set: PortSet): string {
  if (isAll(set)) return 'All Connections';
  if (isEmpty(set)) return 'No Connections';
  const items: string[] = [];
  for (const protocol of PROTOCOLS) {
    const intervals = set[protocol];
    if (intervals.length === 0) continue;
    items.push(`${protocol} ${formatIntervals(intervals)}`);
  }
  return items.join(',');
}

/** Human-readable form for hovers and explanations: `TCP 80, 443; UDP 53`. */
export function describePorts(set: PortSet): string {
  if (isAll(set)) return 'all ports';
  if (isEmpty(set)) return 'no ports';
  const items: string[] = [];
  for (const protocol of PROTOCOLS) {
    const intervals = set[protocol];
    if (intervals.length === 0) continue;
    const full = intervals.length === 2 && intervals[0] === MIN_PORT && intervals[1] === MAX_PORT;
    items.push(full ? `all ${protocol}` : `${protocol} ${formatIntervals(intervals).split(',').join(', ')}`);
  }
  return items.join('; ');
}

function formatIntervals(intervals: Intervals): string {
  const parts: string[] = [];
  for (let i = 0; i < intervals.length; i += 2) {
    const start = intervals[i];
    const end = intervals[i + 1];
    parts.push(start === end ? `${start}` : `${start}-${end}`);
  }
  return parts.join(',');
}

/**
 * Parses a connection string back into a set (the inverse of formatConnections, also
 * accepting `TCP 80, UDP 53` spacing and `TCP` alone for all its ports).
 */
export function parseConnections(text: string): PortSet | undefined {
  const trimmed = text.trim();
  if (/^all connections$/i.test(trimmed)) return ALL_PORTS;
  if (/^no connections$/i.test(trimmed)) return NO_PORTS;
  let result = NO_PORTS;
  let protocol: Protocol | undefined;
  // Split on commas only: `TCP 80` is one token (splitting before the digits made the bare
  // `TCP` read as "all TCP ports").
  for (const token of trimmed.split(/\s*,\s*/)) {
    const match = /^(?:(SCTP|TCP|UDP)\s*)?(?:(\d+)(?:-(\d+))?)?$/i.exec(token.trim());
    if (!match) return undefined;
    if (match[1]) {
      protocol = match[1].toUpperCase() as Protocol;
      if (!match[2]) result = union(result, allPortsOf(protocol));
    }
    if (match[2]) {
      if (!protocol) return undefined;
      result = union(result, portRange(protocol, Number(match[2]), Number(match[3] ?? match[2])));
    }
  }
  return result;
}

function sameIntervals(a: Intervals, b: Intervals): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function unionIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const result: number[] = [];
  let i = 0;
  let j = 0;
  // Merge by start, then coalesce overlapping or adjacent intervals.
  while (i < a.length || j < b.length) {
    let start: number;
    let end: number;
    if (j >= b.length || (i < a.length && a[i] <= b[j])) {
      start = a[i];
      end = a[i + 1];
      i += 2;
    } else {
      start = b[j];
      end = b[j + 1];
      j += 2;
    }
    const last = result.length - 1;
    if (result.length > 0 && start <= result[last] + 1) {
      if (end > result[last]) result[last] = end;
    } else {
      result.push(start, end);
    }
  }
  return result;
}

function intersectIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0 || b.length === 0) return [];
  const result: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i], b[j]);
    const end = Math.min(a[i + 1], b[j + 1]);
    if (start <= end) result.push(start, end);
    if (a[i + 1] < b[j + 1]) i += 2;
    else j += 2;
  }
  return result;
}

function subtractIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0 || b.length === 0) return a;
  const result: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let start = a[i];
    const end = a[i + 1];
    while (j < b.length && b[j + 1] < start) j += 2;
    let k = j;
    while (k < b.length && b[k] <= end) {
      if (b[k] > start) result.push(start, b[k] - 1);
      start = Math.max(start, b[k + 1] + 1);
      k += 2;
    }
    if (start <= end) result.push(start, end);
  }
  return result;
}

/**
 * Interns port sets so that each distinct set is one object with a small integer id,
 * and memoizes union and intersection by id pair. The reachability index combines the
 * same few sets millions of times; this keeps that to a table lookup.
 */
export class PortSetTable {
  private readonly byKey = new Map<string, number>();
  private readonly sets: PortSet[] = [];
  private readonly unions = new Map<number, number>();
  private readonly intersections = new Map<number, number>();
  readonly none: number;
  readonly all: number;

  constructor() {
    this.none = this.intern(NO_PORTS);
    this.all = this.intern(ALL_PORTS);
  }

  intern(set: PortSet): number {
    const key = portSetKey(set);
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(set);
      this.byKey.set(key, id);
    }
    return id;
  }

  get(id: number): PortSet {
    return this.sets[id];
  }

  union(a: number, b: number): number {
    if (a === b || b === this.none || a === this.all) return a;
    if (a === this.none || b === this.all) return b;
    const memoKey = a < b ? a * 0x100000 + b : b * 0x100000 + a;
    let result = this.unions.get(memoKey);
    if (result === undefined) {
      result = this.intern(union(this.sets[a], this.sets[b]));
      this.unions.set(memoKey, result);
    }
    return result;
  }

  intersect(a: number, b: number): number {
    if (a === b || b === this.all) return a;
    if (a === this.all) return b;
    if (a === this.none || b === this.none) return this.none;
    const memoKey = a < b ? a * 0x100000 + b : b * 0x100000 + a;
    let result = this.intersections.get(memoKey);
    if (result === undefined) {
      result = this.intern(intersect(this.sets[a], this.sets[b]));
      this.intersections.set(memoKey, result);
    }
    return result;
  }
}
