/** `netreach connlist`: the allowed connections between workloads and external ranges. */
import {
  connlist,
  CONNLIST_FORMATS,
  exactnessBlockers,
  formatConnlist,
  ReachabilityIndex,
  type ConnlistFormat,
  type Workspace,
} from '../engine';
import { choice, type ParsedCommand } from './args';
import { formatLocation, loadWorkspace, requireKubernetesObjects, leftOutNotes, type Streams } from './context';
import { InputError } from './errors';

export const IPBLOCK_MODES = ['match', 'ignore'] as const;

export function ipBlockOption(value: string | undefined): boolean {
  return choice('--ipblock-pods', value ?? 'match', IPBLOCK_MODES) === 'match';
}

/** Loads, then refuses input whose answer would be a guess. */
export function loadExactIndex(
  paths: readonly string[],
  ipBlockPods: string | undefined,
  streams: Streams,
): ReachabilityIndex {
  const workspace = loadWorkspace(paths);
  requireKubernetesObjects(workspace);
  reportSkipped(workspace, streams);
  const blockers = exactnessBlockers(workspace);
  if (blockers.length > 0) {
    throw new InputError(
      'the manifests have problems that make the answer uncertain; fix them first:',
      blockers.map((b) => `${formatLocation(workspace, b.span)}: ${b.message}`),
    );
  }
  return new ReachabilityIndex(workspace, { ipBlockMatchesPods: ipBlockOption(ipBlockPods) });
}

/** Documents and objects left out of the analysis, as warnings on stderr. */
export function reportSkipped(workspace: Workspace, streams: Streams): void {
  for (const note of leftOutNotes(workspace)) streams.err(`netreach: note: ${note}\n`);
  for (const finding of workspace.findings) {
    if (finding.code === 'NR014')
      streams.err(`netreach: warning: ${formatLocation(workspace, finding.span)}: ${finding.message}\n`);
  }
}

export function runConnlist(command: ParsedCommand, streams: Streams): number {
  const format = choice('--output', command.options.output ?? 'txt', CONNLIST_FORMATS) as ConnlistFormat;
  const index = loadExactIndex(command.positionals, command.options['ipblock-pods'], streams);
  streams.out(formatConnlist(connlist(index), format));
  return 0;
}
