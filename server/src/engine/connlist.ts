/**
 * The connlist: every allowed connection between workloads and external IP ranges, in
 * the formats the CLI offers. The JSON form follows netpol-analyzer's `list` output
 * (`{"src","dst","conn"}`), so tools built for it read ours.
 */
import { endpointName, type Endpoint, type ReachabilityIndex } from './reachability';
import { formatConnections } from './ports';

export interface ConnlistEntry {
  readonly src: string;
  readonly dst: string;
  readonly conn: string;
}

export const CONNLIST_FORMATS = ['txt', 'json', 'md', 'csv', 'dot'] as const;
export type ConnlistFormat = (typeof CONNLIST_FORMATS)[number];

export function connlist(index: ReachabilityIndex): ConnlistEntry[] {
  const entries: ConnlistEntry[] = [];
  const names = new Map<Endpoint, string>();
  const nameOf = (e: Endpoint) => {
    let name = names.get(e);
    if (name === undefined) {
      name = endpointName(e);
      names.set(e, name);
    }
    return name;
  };
  const connections = new Map<number, string>();
  index.forEachConnection((source, destination, id) => {
    let conn = connections.get(id);
    if (conn === undefined) {
      conn = formatConnections(index.portSets.get(id));
      connections.set(id, conn);
    }
    entries.push({ src: nameOf(source), dst: nameOf(destination), conn });
  });
  return entries;
}

export function formatConnlist(entries: readonly ConnlistEntry[], format: ConnlistFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(entries, null, 2)}\n`;
    case 'txt':
      return entries.map((e) => `${e.src} => ${e.dst} : ${e.conn}\n`).join('');
    case 'md':
      return (
        [
          '| src | dst | conn |',
          '|-----|-----|------|',
          ...entries.map((e) => `| ${e.src} | ${e.dst} | ${e.conn} |`),
        ].join('\n') + '\n'
      );
    case 'csv':
      return ['src,dst,conn', ...entries.map((e) => [e.src, e.dst, e.conn].map(csvField).join(','))].join('\n') + '\n';
    case 'dot':
      return formatDot(entries);
  }
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function formatDot(entries: readonly ConnlistEntry[]): string {
  const nodes = new Set<string>();
  for (const e of entries) {
    nodes.add(e.src);
    nodes.add(e.dst);
  }
  const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines = ['digraph {'];
  for (const node of [...nodes].sort()) {
    const external = node.endsWith('[External]');
    lines.push(
      `\t${quote(node)} [label=${quote(node)} color="${external ? 'red2' : 'blue'}" fontcolor="${external ? 'red2' : 'blue'}"]`,
    );
  }
  for (const e of entries) {
    lines.push(`\t${quote(e.src)} -> ${quote(e.dst)} [label=${quote(e.conn)} color="gold2" fontcolor="darkgreen"]`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
