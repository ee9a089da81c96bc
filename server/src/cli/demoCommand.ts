/**
 * `netreach demo` (what `npm start` runs): a short tour of a workspace for a newcomer:
 * the problems netreach finds, who may reach the bookstore API server and why, and a
 * matrix of one namespace. Defaults to the bundled examples.
 */
import path from 'node:path';
import {
  describeEndpoint,
  explain,
  formatConnections,
  isEmpty,
  lintWorkspace,
  ReachabilityIndex,
  type Finding,
  type Workload,
  type Workspace,
} from '../engine';
import type { ParsedCommand } from './args';
import { formatLocation, loadWorkspace, type Streams } from './context';
import { displayPath } from './files';

const EXAMPLES = path.join(__dirname, '..', 'examples');

export function runDemo(command: ParsedCommand, streams: Streams): number {
  const paths = command.positionals.length ? command.positionals : [EXAMPLES];
  const color = streams === undefined ? false : useColor();
  const c = colors(color);
  const workspace = loadWorkspace(paths);
  const { index, findings } = lintWorkspace(workspace);
  const out: string[] = [];
  const where = paths.map(displayPath).join(' ');

  out.push(c.bold(`netreach: what your NetworkPolicies really do (${where})`));
  out.push(
    `${workspace.files.size} files, ${workspace.workloads.length} workloads, ${workspace.policies.length} NetworkPolicies, ${workspace.namespaces.size} namespaces`,
  );
  out.push('');
  out.push(...problems(workspace, findings, c));
  out.push('');
  out.push(...bookstore(index, c));
  const matrixNamespace = ['shop', ...new Set(workspace.workloads.map((w) => w.namespace))].find((ns) =>
    workspace.workloads.some((w) => w.namespace === ns),
  );
  if (matrixNamespace) {
    out.push('');
    out.push(...matrix(index, matrixNamespace, c));
  }
  out.push('');
  out.push(c.bold('Try next'));
  const sample = findSample(index);
  if (sample)
    out.push(
      `  ./bin/netreach explain ${where} --from ${sample.from} --to ${sample.to}${sample.port ? ` --port ${sample.port}` : ''}`,
    );
  out.push(`  ./bin/netreach lint ${where} --format sarif > netreach.sarif`);
  out.push(`  ./bin/netreach connlist ${where} --output md`);
  streams.out(`${out.join('\n')}\n`);
  return 0;
}

type Colors = ReturnType<typeof colors>;

function useColor(): boolean {
  return process.stdout.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

function colors(enabled: boolean) {
  const wrap = (code: string) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text);
  return { bold: wrap('1'), red: wrap('31'), yellow: wrap('33'), blue: wrap('34'), green: wrap('32'), dim: wrap('2') };
}

function problems(workspace: Workspace, findings: readonly Finding[], c: Colors): string[] {
  const lines = [c.bold('1. Problems in the manifests') + c.dim('  (netreach lint)')];
  const shown = findings.filter((f) => f.severity !== 'info');
  if (shown.length === 0) lines.push(c.green('  none: no errors or warnings'));
  const label = { error: c.red('error  '), warning: c.yellow('warning'), info: c.blue('info   ') };
  for (const finding of shown) {
    const firstSentence = finding.message.split(/(?<=\.)\s/)[0];
    lines.push(`  ${label[finding.severity]} ${finding.code}  ${formatLocation(workspace, finding.span)}`);
    lines.push(`          ${firstSentence}`);
  }
  const infos = findings.length - shown.length;
  if (infos > 0) lines.push(c.dim(`  (+${infos} informational notes; run lint to see them)`));
  return lines;
}

function bookstore(index: ReachabilityIndex, c: Colors): string[] {
  const api = index.workspace.workloads.find(
    (w) => w.labels.get('app') === 'bookstore' && w.labels.get('role') === 'api',
  );
  if (!api) return [];
  const lines = [c.bold(`2. Who may reach the bookstore API server, ${api.id}?`)];
  const policies = index.isolatingPolicies(api, 'ingress');
  lines.push(
    policies.length
      ? `  It is ingress-isolated by ${policies.map((p) => p.id).join(', ')}, so only what a rule allows gets in:`
      : '  No policy isolates it: everything may connect.',
  );
  const others = index.workspace.workloads.filter((w) => w !== api && w.namespace === api.namespace);
  const width = Math.max(...others.map((w) => w.id.length));
  for (const other of others) {
    const explanation = explain(index, { kind: 'workload', workload: other }, { kind: 'workload', workload: api });
    const allowed = !isEmpty(explanation.allowed);
    const because = allowed
      ? explanation.ingress.matchingRules
          .filter((m) => !isEmpty(m.ports))
          .map((m) => `${m.rule.policy.name} ${m.rule.direction} rule ${m.rule.index + 1}`)
          .join(', ')
      : explanation.ingress.matchingRules.length === 0
        ? `no rule matches its labels (${[...other.labels].map(([k, v]) => `${k}=${v}`).join(', ') || 'none'})`
        : 'its ports are not allowed';
    const verdict = allowed ? c.green(`allowed (${formatConnections(explanation.allowed)})`) : c.red('DENIED');
    lines.push(`    ${other.id.padEnd(width)}  ${verdict}  ${c.dim(because ? `because ${because}` : 'not isolated')}`);
  }
  return lines;
}

function matrix(index: ReachabilityIndex, namespace: string, c: Colors): string[] {
  const workloads = index.workspace.workloads.filter((w) => w.namespace === namespace).slice(0, 8);
  const short = (w: Workload) => w.name;
  const cell = (from: Workload, to: Workload) => {
    if (from === to) return '·';
    const ports = index.connection({ kind: 'workload', workload: from }, { kind: 'workload', workload: to });
    return isEmpty(ports) ? '-' : formatConnections(ports);
  };
  const cells = workloads.map((from) => workloads.map((to) => cell(from, to)));
  const widths = workloads.map((to, j) => Math.max(short(to).length, ...cells.map((row) => row[j].length)));
  const first = Math.max(4, ...workloads.map((w) => short(w).length));
  const lines = [c.bold(`3. Allowed connections inside namespace ${namespace}`) + c.dim('  (row: from, column: to)')];
  lines.push(`  ${''.padEnd(first)}  ${workloads.map((w, j) => short(w).padEnd(widths[j])).join('  ')}`);
  workloads.forEach((from, i) => {
    lines.push(
      `  ${short(from).padEnd(first)}  ${cells[i].map((text, j) => (text === '-' ? c.dim(text.padEnd(widths[j])) : text.padEnd(widths[j]))).join('  ')}`,
    );
  });
  return lines;
}

function findSample(index: ReachabilityIndex): { from: string; to: string; port?: string } | undefined {
  const api = index.workspace.workloads.find(
    (w) => w.labels.get('app') === 'bookstore' && w.labels.get('role') === 'api',
  );
  const outsider = index.workspace.workloads.find(
    (w) => api && w.namespace === api.namespace && w !== api && !w.labels.has('app'),
  );
  if (api && outsider)
    return { from: describeEndpoint({ kind: 'workload', workload: outsider }), to: api.id, port: 'TCP/80' };
  const [a, b] = index.workspace.workloads;
  return a && b ? { from: a.id, to: b.id } : undefined;
}
