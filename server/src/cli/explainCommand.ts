/** `netreach explain`: allowed or denied, and which policy and rule decide. */
import { explain, explanationData, formatExplanation, parsePortText, type Protocol } from '../engine';
import { requireOption, type ParsedCommand } from './args';
import { loadExactIndex } from './connlistCommand';
import { formatLocation, resolveEndpoint, type Streams } from './context';
import { UsageError } from './errors';

export function parsePort(text: string): { protocol: Protocol; port: number } {
  const port = parsePortText(text);
  if (!port) throw new UsageError(`--port ${text}: expected PROTOCOL/PORT within 1-65535, e.g. TCP/80 or UDP/53`);
  return port;
}

export function runExplain(command: ParsedCommand, streams: Streams): number {
  const from = requireOption(command, 'from');
  const to = requireOption(command, 'to');
  const port = command.options.port ? parsePort(command.options.port) : undefined;
  const index = loadExactIndex(command.positionals, command.options['ipblock-pods'], streams);
  const workspace = index.workspace;
  const source = resolveEndpoint(workspace, from, '--from');
  const destination = resolveEndpoint(workspace, to, '--to');
  if (source.kind === 'ip' && destination.kind === 'ip') {
    throw new UsageError('--from and --to are both IP addresses; NetworkPolicies govern traffic to and from pods');
  }
  const explanation = explain(index, source, destination);
  const locate = (span: Parameters<typeof formatLocation>[1]) => formatLocation(workspace, span);
  if (command.options.output === 'json') {
    const data = explanationData(explanation, locate, port);
    streams.out(`${JSON.stringify(data, (key, value) => (key === 'span' ? undefined : value), 2)}\n`);
  } else {
    streams.out(formatExplanation(explanation, locate, port));
  }
  return 0;
}
