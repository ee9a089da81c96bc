/**
 * Silencing one occurrence with a comment:
 *   # netreach-disable-next-line NR022        (the next line)
 *   policyTypes: [Ingress]  # netreach-disable-line NR021   (this line)
 *   # netreach-disable-file NR070             (the whole file)
 * Without codes, every check is silenced there. Several codes: `NR022, NR030`.
 */
const DIRECTIVE = /#\s*netreach-disable-(next-line|line|file)\b([^\n]*)/g;

export interface Suppressions {
  /** No disable comment at all: nothing is suppressed. */
  readonly empty: boolean;
  isSuppressed(code: string, line: number): boolean;
}

export function readSuppressions(text: string): Suppressions {
  if (!text.includes('netreach-disable')) return { empty: true, isSuppressed: () => false };
  const byLine = new Map<number, Set<string> | 'all'>();
  let file: Set<string> | 'all' | undefined;
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  };
  const add = (current: Set<string> | 'all' | undefined, codes: string[]): Set<string> | 'all' => {
    if (codes.length === 0 || current === 'all') return 'all';
    const set = current ?? new Set<string>();
    for (const code of codes) set.add(code);
    return set;
  };
  for (const match of text.matchAll(DIRECTIVE)) {
    const codes = (match[2].match(/NR\d{3}/gi) ?? []).map((c) => c.toUpperCase());
    const line = lineOf(match.index);
    if (match[1] === 'file') {
      file = add(file, codes);
      continue;
    }
    const target = match[1] === 'next-line' ? nextContentLine(text, lineStarts, line) : line;
    byLine.set(target, add(byLine.get(target), codes));
  }
  const matches = (entry: Set<string> | 'all' | undefined, code: string) =>
    entry === 'all' || (entry !== undefined && entry.has(code));
  return { empty: false, isSuppressed: (code, line) => matches(file, code) || matches(byLine.get(line), code) };
}

/** The line after `line`, skipping blank lines and further comment lines. */
function nextContentLine(text: string, lineStarts: readonly number[], line: number): number {
  for (let next = line + 1; next < lineStarts.length; next++) {
    const content = text
      .slice(lineStarts[next], next + 1 < lineStarts.length ? lineStarts[next + 1] : text.length)
      .trim();
    if (content && !content.startsWith('#')) return next;
  }
  return line + 1;
}
