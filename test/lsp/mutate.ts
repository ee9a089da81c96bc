/**
 * Seeded, reproducible mutations of manifest text for the fuzz tests: deleted,
 * duplicated and swapped lines, bad indentation, values of the wrong type, keys swapped
 * for other NetworkPolicy keys, truncation, random characters, document separators.
 * The same seed gives the same text, so a failure is reproduced from its seed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { random, type Random } from '../unit/engine/random';
import { ROOT } from './lspClient';

export { random, type Random };

const KEYS = [
  'podSelector',
  'namespaceSelector',
  'ipBlock',
  'cidr',
  'except',
  'ingress',
  'egress',
  'from',
  'to',
  'ports',
  'port',
  'endPort',
  'protocol',
  'policyTypes',
  'matchLabels',
  'matchExpressions',
  'key',
  'operator',
  'values',
  'namespace',
  'name',
  'labels',
  'kind',
  'spec',
  'metadata',
  'containerPort',
  'template',
  'selector',
];

const VALUES = [
  '[]',
  '{}',
  '[a, b]',
  '{x: 1}',
  '[{}]',
  '- x',
  'null',
  '~',
  '""',
  "''",
  '0',
  '-1',
  '65536',
  '99999999999999999999',
  '1.5',
  'true',
  'NaN',
  '.inf',
  'TCP',
  'udp',
  'Ingress',
  'egress',
  '10.0.0.0/8',
  '10.0.0.5/24',
  '::/0',
  '0.0.0.0/0',
  '300.1.1.1/33',
  'http',
  'HTTP_PORT',
  'In',
  'Exists',
  'NetworkPolicy',
  'Deployment',
  '&a x',
  '*a',
  '!!binary aGVsbG8=',
  '|\n  block',
  '>-',
  '"unterminated',
  '{a: [1, {b: }]}',
  'kubernetes.io/metadata.name',
];

const CHARACTERS = [...':{}[]-#&*!|>\'"%@`,?\t \n\\', '\u00a0', 'é', '\u2028', '😀', '\ud800', '\u0000', '\ufeff'];

/** Mutations: each takes the text and returns the mutated text. */
const MUTATIONS: readonly [string, (text: string, r: Random) => string][] = [
  ['delete a line', (t, r) => editLines(t, r, (lines, i) => lines.splice(i, 1))],
  ['duplicate a line', (t, r) => editLines(t, r, (lines, i) => lines.splice(i, 0, lines[i]))],
  [
    'swap two lines',
    (t, r) =>
      editLines(t, r, (lines, i) => {
        const j = r.int(lines.length);
        [lines[i], lines[j]] = [lines[j], lines[i]];
      }),
  ],
  [
    'indent a line wrongly',
    (t, r) =>
      editLines(t, r, (lines, i) => {
        const delta = r.pick([-4, -2, -1, 1, 2, 3, 4]);
        lines[i] = delta > 0 ? ' '.repeat(delta) + lines[i] : lines[i].replace(new RegExp(`^ {0,${-delta}}`), '');
      }),
  ],
  [
    'a tab in the indentation',
    (t, r) => editLines(t, r, (lines, i) => (lines[i] = lines[i].replace(/^( *) /, '$1\t'))),
  ],
  [
    'a value of another type',
    (t, r) =>
      editLines(t, r, (lines, i) => {
        lines[i] = lines[i].replace(/^(\s*(?:-\s+)?[^:#\s][^:#]*:)\s+.*$/, `$1 ${r.pick(VALUES)}`);
      }),
  ],
  [
    'a list item replaced by a map or a scalar',
    (t, r) => editLines(t, r, (lines, i) => (lines[i] = lines[i].replace(/^(\s*)-\s+.*$/, `$1- ${r.pick(VALUES)}`))),
  ],
  [
    'another key',
    (t, r) =>
      editLines(
        t,
        r,
        (lines, i) => (lines[i] = lines[i].replace(/^(\s*(?:-\s+)?)[A-Za-z][\w./-]*:/, `$1${r.pick(KEYS)}:`)),
      ),
  ],
  [
    'a new key and value',
    (t, r) =>
      editLines(t, r, (lines, i) => {
        const indent = /^\s*/.exec(lines[i])![0];
        lines.splice(i, 0, `${indent}${r.pick(KEYS)}: ${r.pick(VALUES)}`);
      }),
  ],
  ['truncate', (t, r) => t.slice(0, r.int(t.length + 1))],
  [
    'random characters',
    (t, r) => {
      const at = r.int(t.length + 1);
      let inserted = '';
      for (let n = 1 + r.int(4); n > 0; n--) inserted += r.pick(CHARACTERS);
      return t.slice(0, at) + inserted + t.slice(at);
    },
  ],
  [
    'delete characters',
    (t, r) => {
      const at = r.int(t.length + 1);
      return t.slice(0, at) + t.slice(at + 1 + r.int(12));
    },
  ],
  [
    'a document separator',
    (t, r) => editLines(t, r, (lines, i) => lines.splice(i, 0, r.pick(['---', '...', '--- |', '---\n---']))),
  ],
  [
    'a comment silencing something',
    (t, r) => editLines(t, r, (lines, i) => lines.splice(i, 0, `# netreach-disable-next-line NR0${r.int(90)}`)),
  ],
  [
    'flow style',
    (t, r) => editLines(t, r, (lines, i) => (lines[i] = lines[i].replace(/:\s*$/, ': {').replace(/^(\s*)- /, '$1['))),
  ],
  ['CRLF line ends', (t) => t.replace(/\n/g, '\r\n')],
];

function editLines(text: string, r: Random, edit: (lines: string[], index: number) => void): string {
  const lines = text.split('\n');
  if (lines.length === 0) return text;
  edit(lines, r.int(lines.length));
  return lines.join('\n');
}

export interface Mutated {
  readonly text: string;
  /** What was done, for the failure message. */
  readonly steps: readonly string[];
}

/** 1 to `max` mutations of `text`, chosen by `r`. */
export function mutate(text: string, r: Random, max = 4): Mutated {
  const steps: string[] = [];
  let result = text;
  for (let n = 1 + r.int(max); n > 0; n--) {
    const [name, apply] = r.pick(MUTATIONS);
    result = apply(result, r);
    steps.push(name);
  }
  // A carriage return without its line feed (a CRLF cut in two) is a line break to some
  // tools and text to others; editors do not write it. Leave it out.
  return { text: result.replace(/\r(?!\n)/g, ''), steps };
}

/** A file of the corpus and the folder it belongs to (the other files of the folder are its context). */
export interface CorpusFile {
  readonly path: string;
  readonly group: string;
  readonly text: string;
}

/** The conformance corpus, when this checkout sits next to it (`../shared/conformance`). */
export const CONFORMANCE = path.resolve(ROOT, '..', 'shared', 'conformance');

/** Every manifest of the examples, the test fixtures and (when present) the conformance corpus. */
export function corpus(): CorpusFile[] {
  const roots = [path.join(ROOT, 'examples'), path.join(ROOT, 'test', 'fixtures'), CONFORMANCE];
  const files: CorpusFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/.test(name) && !/^(expected|case)\.json$/.test(name)) {
        const text = readFileSync(full, 'utf8');
        if (/\bkind\b/.test(text) && text.length < 200_000) files.push({ path: full, group: dir, text });
      }
    }
  };
  for (const root of roots) if (existsSync(root)) walk(root);
  return files;
}

/** The seed of this run: NETREACH_FUZZ_SEED, or a fixed default so runs are reproducible. */
export function fuzzSeed(fallback: number): number {
  const env = process.env.NETREACH_FUZZ_SEED;
  return env ? Number(env) >>> 0 : fallback;
}

export function fuzzCount(fallback: number): number {
  const env = process.env.NETREACH_FUZZ_CASES;
  return env ? Number(env) : fallback;
}
