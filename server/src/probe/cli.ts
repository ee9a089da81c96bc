/**
 * The implementation of `netreach probe` (server/src/cli/probeCommand.ts loads it on
 * demand, so the CLI does not carry the cluster client otherwise): test reachability in the live cluster. Reads the cluster through the
 * kubeconfig, predicts with the engine, plans probes for the scope (the paths' policies,
 * --from/--to, or the whole cluster), and only with --yes runs short-lived probe pods and
 * compares what they observe with the prediction.
 *
 * Decisions (also in `netreach help probe`):
 * - Without --yes nothing is created: the plan, the context and the cluster are printed
 *   and the command exits 0 with "Nothing was created" on stderr.
 * - --dry-run prints the plan and the exact objects a run would create; creates nothing,
 *   even with --yes.
 * - Exit codes: 0 every verdict match or inconclusive; 1 a mismatch; 2 errors (no
 *   kubeconfig, unreachable, 401/403, Pod Security, image pull, deadline, nothing to probe),
 *   also when some connections were probed; 130 cancelled with Ctrl-C (after cleanup).
 * - Progress goes to stderr; results (text or JSON) to stdout.
 */
import { stringify } from 'yaml';
import { ClusterError } from '../cluster/errors';
import { newRunId, type RunOptions, type RunProgress } from '../cluster/runner';
import { DEFAULT_PROBE_IMAGE } from '../cluster/probePod';
import { describeTarget, differencesText, planNamespaces, planText, resultsText, rowsData } from './format';
import { DEFAULT_MAX_PODS, formatPort, type PortChoice } from './planner';
import { prepareProbe, ProbeScopeError, runProbe, type PreparedProbe, type ScopeRequest } from './session';
import { choice, type ParsedCommand } from '../cli/args';
import type { Streams } from '../cli/context';
import { UsageError } from '../cli/errors';
import { parsePort } from '../cli/explainCommand';
import { collectManifestPaths, readSources } from '../cli/files';

export const EXIT_CANCELLED = 130;
const MINIMUM_NODE = [22, 19];
const DEFAULT_TIMEOUT_SECONDS = 120;

function positiveInteger(flag: string, value: string | undefined, fallback: number, minimum = 1): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < minimum) {
    throw new UsageError(`${flag} must be a whole number of at least ${minimum} (got "${value}")`);
  }
  return Number(value);
}

function nodeTooOld(): boolean {
  const [major, minor] = process.versions.node.split('.').map(Number);
  return major < MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor < MINIMUM_NODE[1]);
}

function scopeOf(command: ParsedCommand, hasFiles: boolean): ScopeRequest {
  const { from, to } = command.options;
  if (from !== undefined || to !== undefined) return { kind: 'pair', from, to };
  return hasFiles ? { kind: 'files' } : { kind: 'cluster' };
}

/**
 * Ctrl-C: the first cancels (the runner deletes its pods), the second says cleanup is
 * running, the third quits. Signals less than 300 ms apart count once: under bin/netreach's
 * re-exec on an older Node, one Ctrl-C reaches us twice (from the terminal and forwarded).
 */
function interruptHandler(controller: AbortController, streams: Streams, cleanupHint: () => string): () => void {
  let count = 0;
  let last = 0;
  const onSignal = () => {
    const now = Date.now();
    if (now - last < 300) return;
    last = now;
    count++;
    if (count === 1) {
      streams.err('\nnetreach probe: cancelling; deleting the probe pods this run created...\n');
      controller.abort(new ClusterError('cancelled', 'Cancelled with Ctrl-C.'));
    } else if (count === 2) {
      streams.err(
        `netreach probe: cleanup is in progress, please wait. Ctrl-C once more quits without waiting; then ${cleanupHint()}\n`,
      );
    } else {
      process.exit(EXIT_CANCELLED);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

function progressPrinter(streams: Streams): (event: RunProgress) => void {
  let lastResults = -1;
  return (event) => {
    if (event.type === 'stage') {
      if (event.stage !== 'done') streams.err(`netreach probe: ${event.message}\n`);
    } else if (event.type === 'pod') {
      if (event.state === 'failed') {
        streams.err(
          `netreach probe: probe pod ${event.namespace}/${event.name} failed${event.detail ? `: ${event.detail}` : ''}\n`,
        );
      }
    } else if (event.done !== lastResults && (event.done === event.total || event.done % 10 === 0)) {
      lastResults = event.done;
      streams.err(`netreach probe: ${event.done}/${event.total} connections probed\n`);
    }
  };
}

function planJson(prepared: PreparedProbe, extra: Record<string, unknown> = {}): string {
  const { target, plan, differences } = prepared;
  return `${JSON.stringify(
    {
      context: target.context,
      cluster: target.cluster,
      server: target.server,
      scope: plan.scope,
      namespaces: planNamespaces(plan),
      differences: differences.map(({ id, kind, message }) => ({ id, kind, message })),
      probePods: plan.sources.map((s) => ({ namespace: s.namespace, labels: s.labels, for: s.workloads })),
      probes: plan.checks.map((c) => ({
        from: c.from.id,
        to: c.to.id,
        port: formatPort(c),
        predicted: c.predicted,
        reason: c.decidedBy,
        targetPod: c.target.pod,
        target: `${c.protocol}/${c.target.ip}:${c.port}`,
      })),
      skipped: plan.skipped,
      notes: plan.notes,
      ...extra,
    },
    null,
    2,
  )}\n`;
}

export async function runProbeCli(command: ParsedCommand, streams: Streams): Promise<number> {
  const output = choice('--output', command.options.output ?? 'txt', ['txt', 'json'] as const);
  const ports: PortChoice[] = (command.lists.port ?? []).map((text) => {
    const p = parsePort(text);
    return { protocol: p.protocol, port: p.port };
  });
  const timeoutSeconds = positiveInteger(
    '--timeout-seconds',
    command.options['timeout-seconds'],
    DEFAULT_TIMEOUT_SECONDS,
    1,
  );
  const maxPods = positiveInteger('--max-pods', command.options['max-pods'], DEFAULT_MAX_PODS, 1);
  const image = command.options.image;
  if (image !== undefined && image.trim() === '') throw new UsageError('--image must name an image');
  const dryRun = command.flags.has('dry-run');
  const yes = command.flags.has('yes');

  if (nodeTooOld()) {
    streams.err(
      `netreach probe: talking to a cluster needs Node.js ${MINIMUM_NODE.join('.')} or newer; this is Node.js ${process.versions.node}. ` +
        'Install a newer Node.js to use this command; the other netreach commands work on this one.\n',
    );
    return 2;
  }

  const files = command.positionals.length ? readSources(collectManifestPaths(command.positionals)) : undefined;
  const runId = newRunId();
  const runOptions: RunOptions = {
    runId,
    image,
    maxPods,
    timeoutMs: timeoutSeconds * 1000,
    podDeadlineSeconds: timeoutSeconds,
  };
  const controller = new AbortController();
  let namespaces: string[] = [];
  const stopListening = interruptHandler(controller, streams, () =>
    namespaces.length
      ? `remove what is left with: ${namespaces.map((ns) => `kubectl delete pods,configmaps -n ${ns} -l netreach.io/run-id=${runId}`).join('; ')}`
      : 'nothing was created yet.',
  );
  try {
    let prepared: PreparedProbe;
    try {
      prepared = await prepareProbe({
        kubeconfig: command.options.kubeconfig,
        context: command.options.context,
        files,
        scope: scopeOf(command, files !== undefined),
        maxPods,
        ports,
        signal: controller.signal,
        runDefaults: runOptions,
      });
    } catch (error) {
      if (error instanceof ProbeScopeError) throw new UsageError(error.message);
      throw error;
    }
    const { target, plan, differences } = prepared;
    namespaces = planNamespaces(plan);

    if (plan.checks.length === 0) {
      if (output === 'json') streams.err(planText(target, plan, differences));
      else streams.out(planText(target, plan, differences));
      streams.err('netreach probe: nothing to probe in this scope (see "Not probed" above); nothing was created.\n');
      return 2;
    }
    if (dryRun) {
      const preview = prepared.runner.preview(plan.run, runOptions);
      const objects = [...preview.configMaps, ...preview.pods];
      if (output === 'json') {
        streams.out(planJson(prepared, { objects, notProbed: preview.skipped }));
      } else {
        streams.out(
          planText(target, plan, differences, {
            image: image ?? DEFAULT_PROBE_IMAGE,
            podDeadlineSeconds: timeoutSeconds,
          }),
        );
        streams.out(
          '\n# The objects a run would create (the owner uid and the run id are assigned when it runs):\n' +
            objects.map((o) => `---\n${stringify(o)}`).join(''),
        );
        for (const s of preview.skipped) streams.out(`# not probed: ${s.id}: ${s.reason}\n`);
      }
      streams.err(`netreach probe: dry run: nothing was created in ${describeTarget(target)}.\n`);
      return 0;
    }
    if (!yes) {
      if (output === 'json') streams.out(planJson(prepared));
      else
        streams.out(
          planText(target, plan, differences, {
            image: image ?? DEFAULT_PROBE_IMAGE,
            podDeadlineSeconds: timeoutSeconds,
          }),
        );
      streams.err(
        `netreach probe: nothing was created. To create ${plan.sources.length} probe pod${plan.sources.length === 1 ? '' : 's'} ` +
          `in ${describeTarget(target)} and run these probes, add --yes.\n`,
      );
      return 0;
    }

    streams.err(
      `netreach probe: probing ${plan.checks.length} connection${plan.checks.length === 1 ? '' : 's'} from ${plan.sources.length} probe pod${plan.sources.length === 1 ? '' : 's'} ` +
        `in ${describeTarget(target)} (run ${runId}; Ctrl-C cancels and cleans up)\n`,
    );
    if (output === 'json') {
      const diff = differencesText(differences);
      if (diff) streams.err(diff);
    }
    const outcome = await runProbe(prepared, {
      ...runOptions,
      signal: controller.signal,
      onProgress: progressPrinter(streams),
    });
    const { report } = outcome;
    if (output === 'json') {
      streams.out(`${JSON.stringify(rowsData(outcome.rows), null, 2)}\n`);
    } else {
      const diff = differencesText(differences);
      streams.out(`${diff ? `${diff}\n` : ''}${resultsText(outcome)}`);
    }
    if (report.cancelled) {
      const left = report.cleanup.leftovers.length;
      streams.err(
        `netreach probe: cancelled; ${left ? `${left} objects could not be deleted (${report.cleanup.hint ?? ''})` : 'every probe pod it created was deleted'}.\n`,
      );
      return EXIT_CANCELLED;
    }
    if (report.error || report.problems.length) {
      if (output === 'json') {
        for (const e of [report.error, ...report.problems]) if (e) streams.err(`netreach probe: ${e.message}\n`);
      }
      if (report.error?.kind === 'timeout') {
        streams.err(
          `netreach probe: the run reached its deadline of ${timeoutSeconds} s; the results say where each probe pod was stuck. ` +
            'Raise --timeout-seconds if pods are merely slow to start.\n',
        );
      }
      return 2;
    }
    return outcome.counts.mismatch > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof ClusterError) {
      if (error.kind === 'cancelled' || controller.signal.aborted) {
        streams.err('netreach probe: cancelled before any probe pod was created.\n');
        return EXIT_CANCELLED;
      }
      streams.err(`netreach probe: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    stopListening();
  }
}
