/**
 * `npm run bench -- --compare-nca`: IBM's network-config-analyzer (`nca`, PyPI package
 * network-config-analyzer) against `netreach connlist` on the same, smaller generated
 * workspace: both times, and whether the answers agree.
 *
 * nca runs as `nca --connectivity DIR --ns_list DIR --pod_list DIR --output_format
 * txt_no_fw_rules` (with `-r DIR` alone it reads no Namespace labels, so every
 * namespaceSelector with labels selects nothing); netreach as `connlist DIR --output json
 * --ipblock-pods ignore`, since nca does not match pods by their IPs either. What is
 * compared:
 * - workload to workload: every ordered pair either tool lists, with its connection
 *   normalised to a set of (protocol, port) (nca's `{protocols:TCP, UDP,dst_ports:53}` and
 *   netreach's `TCP 53,UDP 53`); a pair missing from one side counts as no connection;
 * - with external IPs: per workload and direction, the IPv4 space is cut at every range
 *   edge either tool prints, and each piece's connection compared (the tools cut the
 *   address space differently, so their lines do not match one to one).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ALL_PORTS,
  formatConnections,
  allPortsOf,
  isProtocol,
  NO_PORTS,
  parseConnections,
  portRange,
  union,
  type PortSet,
} from '../../server/src/engine';
import {
  BENCH,
  cliCommand,
  ensureWorkspace,
  median,
  ROOT,
  runCli,
  seconds,
  type CliLauncher,
  type ProcessRun,
} from './common';
import { workloadCount, type Shape } from './generate';

export interface NcaComparison {
  readonly skipped?: string;
  readonly nca?: string;
  readonly version?: string;
  readonly workspace?: string;
  readonly shape?: Shape;
  readonly workloads?: number;
  readonly policies?: number;
  readonly commands?: { readonly nca: string; readonly netreach: string };
  readonly times?: {
    readonly nca: { readonly median: number; readonly runs: readonly ProcessRun[] };
    readonly netreach: { readonly median: number; readonly runs: readonly ProcessRun[] };
    readonly ratio: number;
  };
  readonly lines?: { readonly nca: number; readonly netreach: number };
  readonly workloadPairs?: PairComparison;
  readonly externalPieces?: PairComparison;
  readonly examples?: readonly string[];
}

export interface PairComparison {
  /** Compared items (workload pairs, or workload/direction/IP piece). */
  readonly compared: number;
  readonly agree: number;
  readonly onlyNca: number;
  readonly onlyNetreach: number;
  readonly differentPorts: number;
}

export interface Line {
  readonly src: string;
  readonly dst: string;
  readonly ports: PortSet;
}

function findNca(explicit: string | undefined): string | undefined {
  if (explicit) return explicit;
  const venv = path.join(BENCH, 'venv', 'bin', 'nca');
  if (existsSync(venv)) return venv;
  const which = spawnSync('sh', ['-c', 'command -v nca'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() || undefined : undefined;
}

/** Runs a command with /usr/bin/time when present (CPU and maxRSS of any program). */
function runTimed(command: string, args: readonly string[], stdoutFile: string): ProcessRun {
  const timeFile = path.join(BENCH, `time-${process.pid}.txt`);
  const gnuTime = existsSync('/usr/bin/time');
  const [cmd, argv] = gnuTime
    ? ['/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, command, ...args]]
    : [command, [...args]];
  const start = performance.now();
  const result = spawnSync('sh', ['-c', '"$@" > "$0"', stdoutFile, cmd, ...argv], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const wall = performance.now() - start;
  if (result.status !== 0) throw new Error(`${command} failed (exit ${result.status}):\n${result.stderr.slice(-2000)}`);
  if (!gnuTime) return { wall, cpu: NaN, maxRSS: NaN };
  const [user, system, rssKiB] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wall, cpu: (user + system) * 1000, maxRSS: rssKiB * 1024 };
}

/** nca's connection text: `All connections`, or `{protocols:TCP, UDP,dst_ports:53,80-90}` groups. */
export function parseNcaConnection(text: string): PortSet | undefined {
  const trimmed = text.trim();
  if (/^all connections$/i.test(trimmed)) return ALL_PORTS;
  if (/^no connections$/i.test(trimmed)) return NO_PORTS;
  let result = NO_PORTS;
  const groups = [...trimmed.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
  if (groups.length === 0) return undefined;
  for (const group of groups) {
    const match = /^protocols:(.*?)(?:,dst_ports:(.*))?$/.exec(group.trim());
    if (!match) return undefined;
    const protocols = match[1].split(/\s*,\s*/).filter(isProtocol);
    for (const protocol of protocols) {
      if (match[2] === undefined) {
        result = union(result, allPortsOf(protocol));
        continue;
      }
      for (const item of match[2].split(',')) {
        const range = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(item);
        if (!range) return undefined;
        result = union(result, portRange(protocol, Number(range[1]), Number(range[2] ?? range[1])));
      }
    }
  }
  return result;
}

interface Ipv4Range {
  readonly start: number;
  readonly end: number;
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** `a.b.c.d-e.f.g.h`, `a.b.c.d/n` or `a.b.c.d`, with or without `[External]`; undefined for a workload. */
export function parseIpEndpoint(name: string): Ipv4Range | undefined {
  const text = name.replace(/\[External\]$/, '');
  const dash = /^([\d.]+)-([\d.]+)$/.exec(text);
  if (dash) {
    const start = ipv4(dash[1]);
    const end = ipv4(dash[2]);
    return start !== undefined && end !== undefined ? { start, end } : undefined;
  }
  const cidr = /^([\d.]+)\/(\d+)$/.exec(text);
  if (cidr) {
    const start = ipv4(cidr[1]);
    const prefix = Number(cidr[2]);
    if (start === undefined || prefix > 32) return undefined;
    const size = 2 ** (32 - prefix);
    return { start, end: start + size - 1 };
  }
  const single = ipv4(text);
  return single !== undefined ? { start: single, end: single } : undefined;
}

const isIpv6 = (name: string) => /^[0-9a-f:]*:[0-9a-f:]*[-/]/i.test(name);

/** netreach's `connlist --output json`. */
export function readNetreachJson(file: string): Line[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { src: string; dst: string; conn: string }[]).map((e) => {
    const ports = parseConnections(e.conn);
    if (!ports) throw new Error(`cannot read netreach's connection "${e.conn}"`);
    return { src: e.src, dst: e.dst, ports };
  });
}

/** nca's `--output_format txt_no_fw_rules`: `SRC => DST : CONN` lines among warnings. */
export function readNcaText(file: string): Line[] {
  const lines: Line[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^(\S+) => (\S+) : (.+)$/.exec(line.trim());
    if (!match) continue; // warnings and the summary line
    const ports = parseNcaConnection(match[3]);
    if (!ports) throw new Error(`cannot read nca's connection "${match[3]}"`);
    lines.push({ src: match[1], dst: match[2], ports });
  }
  return lines;
}

export function compareLines(
  ours: readonly Line[],
  theirs: readonly Line[],
): { pairs: PairComparison; pieces: PairComparison; examples: string[] } {
  const examples: string[] = [];
  const note = (text: string) => {
    if (examples.length < 12) examples.push(text);
  };
  // Workload pairs. nca may print one pair on several lines (one per protocol group): union them.
  const pairMap = (lines: readonly Line[]) => {
    const sets = new Map<string, PortSet>();
    for (const l of lines) {
      if (parseIpEndpoint(l.src) || parseIpEndpoint(l.dst) || isIpv6(l.src) || isIpv6(l.dst)) continue;
      const key = `${l.src} => ${l.dst}`;
      sets.set(key, union(sets.get(key) ?? NO_PORTS, l.ports));
    }
    return new Map([...sets].map(([key, set]) => [key, formatConnections(set)]));
  };
  const a = pairMap(ours);
  const b = pairMap(theirs);
  const pairs = { compared: 0, agree: 0, onlyNca: 0, onlyNetreach: 0, differentPorts: 0 };
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    pairs.compared++;
    const x = a.get(key);
    const y = b.get(key);
    if (x === y) pairs.agree++;
    else if (y === undefined) {
      pairs.onlyNetreach++;
      note(`only netreach: ${key} : ${x}`);
    } else if (x === undefined) {
      pairs.onlyNca++;
      note(`only nca: ${key} : ${y}`);
    } else {
      pairs.differentPorts++;
      note(`ports differ: ${key}: netreach ${x}, nca ${y}`);
    }
  }
  // External pieces, per workload and direction.
  const ipMap = (lines: readonly Line[]) => {
    const map = new Map<string, { range: Ipv4Range; ports: PortSet }[]>();
    for (const l of lines) {
      const src = parseIpEndpoint(l.src);
      const dst = parseIpEndpoint(l.dst);
      if ((src && dst) || (!src && !dst)) continue;
      const key = src ? `${l.dst} from outside` : `${l.src} to outside`;
      let list = map.get(key);
      if (!list) map.set(key, (list = []));
      list.push({ range: (src ?? dst)!, ports: l.ports });
    }
    return map;
  };
  const ia = ipMap(ours);
  const ib = ipMap(theirs);
  const pieces = { compared: 0, agree: 0, onlyNca: 0, onlyNetreach: 0, differentPorts: 0 };
  for (const key of new Set([...ia.keys(), ...ib.keys()])) {
    const la = ia.get(key) ?? [];
    const lb = ib.get(key) ?? [];
    const cuts = new Set<number>([0, 2 ** 32]);
    for (const { range } of [...la, ...lb]) {
      cuts.add(range.start);
      cuts.add(range.end + 1);
    }
    const sorted = [...cuts].sort((p, q) => p - q);
    const at = (list: typeof la, address: number) => {
      const covering = list.filter((e) => e.range.start <= address && address <= e.range.end);
      return covering.length
        ? formatConnections(covering.reduce((set, e) => union(set, e.ports), NO_PORTS))
        : undefined;
    };
    for (let i = 0; i + 1 < sorted.length; i++) {
      const x = at(la, sorted[i]);
      const y = at(lb, sorted[i]);
      if (x === undefined && y === undefined) continue;
      pieces.compared++;
      const where = `${key} [${sorted[i]}..${sorted[i + 1] - 1}]`;
      if (x === y) pieces.agree++;
      else if (y === undefined) {
        pieces.onlyNetreach++;
        note(`only netreach: ${where} : ${x}`);
      } else if (x === undefined) {
        pieces.onlyNca++;
        note(`only nca: ${where} : ${y}`);
      } else {
        pieces.differentPorts++;
        note(`ports differ: ${where}: netreach ${x}, nca ${y}`);
      }
    }
  }
  return { pairs, pieces, examples };
}

export async function compareWithNca(options: {
  nca: string | undefined;
  shape: Shape;
  reps: number;
  regenerate: boolean;
  launcher: CliLauncher;
}): Promise<NcaComparison> {
  const nca = findNca(options.nca);
  if (!nca || !existsSync(nca)) {
    const skipped = 'nca not found: python3 -m venv .bench/venv && .bench/venv/bin/pip install network-config-analyzer';
    console.log(`--compare-nca: ${skipped}`);
    return { skipped };
  }
  const version = spawnSync(nca, ['--version'], { encoding: 'utf8' });
  const { dir, summary } = ensureWorkspace(options.shape, options.regenerate);
  const rel = path.relative(ROOT, dir);
  console.log('');
  console.log(
    `comparison with nca (${nca}) on ${rel}: ${workloadCount(summary)} workloads, ${summary.counts.NetworkPolicy ?? 0} policies, ${options.reps} runs each...`,
  );
  const ncaArgs = ['--connectivity', dir, '--ns_list', dir, '--pod_list', dir, '--output_format', 'txt_no_fw_rules'];
  const ourArgs = ['connlist', dir, '--output', 'json', '--ipblock-pods', 'ignore'];
  const ncaOut = path.join(BENCH, 'nca-connectivity.txt');
  const ourOut = path.join(BENCH, 'nca-netreach.json');
  const ncaRuns: ProcessRun[] = [];
  const ourRuns: ProcessRun[] = [];
  for (let i = 0; i < options.reps; i++) {
    ourRuns.push(runCli(ourArgs, ourOut, options.launcher));
    ncaRuns.push(runTimed(nca, ncaArgs, ncaOut));
  }
  const ours = readNetreachJson(ourOut);
  const theirs = readNcaText(ncaOut);
  const { pairs, pieces, examples } = compareLines(ours, theirs);
  const ncaMedian = median(ncaRuns.map((r) => r.wall));
  const ourMedian = median(ourRuns.map((r) => r.wall));
  const result: NcaComparison = {
    nca,
    version: version.stdout.trim() || version.stderr.trim(),
    workspace: rel,
    shape: options.shape,
    workloads: workloadCount(summary),
    policies: summary.counts.NetworkPolicy ?? 0,
    commands: { nca: `nca ${ncaArgs.join(' ')}`, netreach: `${cliCommand(options.launcher)} ${ourArgs.join(' ')}` },
    times: {
      nca: { median: ncaMedian, runs: ncaRuns },
      netreach: { median: ourMedian, runs: ourRuns },
      ratio: ncaMedian / ourMedian,
    },
    lines: { nca: theirs.length, netreach: ours.length },
    workloadPairs: pairs,
    externalPieces: pieces,
    examples,
  };
  const cpu = (r: readonly ProcessRun[]) => median(r.map((x) => x.cpu));
  console.log(`  nca:      ${seconds(ncaMedian)} wall, ${seconds(cpu(ncaRuns))} CPU, ${theirs.length} lines`);
  console.log(`  netreach: ${seconds(ourMedian)} wall, ${seconds(cpu(ourRuns))} CPU, ${ours.length} lines`);
  console.log(`  nca / netreach: ${(ncaMedian / ourMedian).toFixed(1)}x`);
  const describe = (c: PairComparison) =>
    `${c.agree} of ${c.compared} agree; only nca ${c.onlyNca}, only netreach ${c.onlyNetreach}, different ports ${c.differentPorts}`;
  console.log(`  workload pairs: ${describe(pairs)}`);
  console.log(`  external pieces (workload, direction, IPv4 piece): ${describe(pieces)}`);
  for (const example of examples) console.log(`    ${example}`);
  return result;
}
