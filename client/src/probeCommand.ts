/**
 * "netreach: Test Reachability in Cluster": the same planner and runner as `netreach probe`,
 * in the extension host. The policy or workload under the cursor (or a file picked in the
 * explorer: a namespace matrix) is planned against the live cluster; a modal confirmation
 * names the context and cluster and says what will be created; a cancellable progress
 * notification runs the probes (cancel deletes the pods); the results go to the
 * reachability view and mismatches become diagnostics ('netreach-probe') on the deciding rules.
 *
 * The cluster code (with @kubernetes/client-node) is a separate bundle, dist/probe.js,
 * loaded on first use: activation stays small, and an extension host whose Node.js is
 * older than 22.19 gets a clear message instead of a crash.
 *
 * What an end-to-end test (test/e2e) could check without a cluster: the command is disabled
 * in an untrusted workspace; with netreach.cluster.enabled off it offers the setting; with a
 * kubeconfig pointing at the API test double (test/cluster/double) it shows the modal with
 * the context name, runs after "Run Probes", fills the view with observed/predicted rows and
 * leaves a 'netreach-probe' diagnostic on the rule of a mismatch; cancelling the progress
 * notification leaves no probe pod in the double.
 */
import * as vscode from 'vscode';
import type * as Probe from '../../server/src/probe';
import { currentContextName, nodeVersionProblem } from '../../server/src/probe/kubeContext';
import type { NetreachClient } from './netreachClient';
import type { ReachabilityView } from './reachabilityView';
import type { StatusBar } from './statusBar';
import { unwatchFile, watchFile } from 'node:fs';

type ProbeModule = typeof Probe;

const RUN = 'Run Probes';

interface ProbeSettings {
  enabled: boolean;
  kubeconfig?: string;
  context?: string;
  image?: string;
  timeoutSeconds: number;
  maxPods: number;
}

function settings(): ProbeSettings {
  const config = vscode.workspace.getConfiguration('netreach');
  const text = (key: string) => config.get<string>(key)?.trim() || undefined;
  return {
    enabled: config.get<boolean>('cluster.enabled', false),
    kubeconfig: text('cluster.kubeconfig'),
    context: text('cluster.context'),
    image: text('probe.image'),
    timeoutSeconds: Math.max(10, config.get<number>('probe.timeoutSeconds', 120)),
    maxPods: Math.max(1, config.get<number>('probe.maxPods', 20)),
  };
}

let loaded: ProbeModule | undefined;

function loadProbe(context: vscode.ExtensionContext): ProbeModule {
  // A separate bundle, required at run time (esbuild leaves a computed require alone).
  const file = context.asAbsolutePath('dist/probe.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require(file) as ProbeModule;
  return loaded;
}

/** The file and cursor the command was invoked on (explorer: the file; editor: file and cursor). */
async function invocationTarget(
  uri: vscode.Uri | undefined,
  second: unknown,
): Promise<{ uri: vscode.Uri; text: string; offset?: number } | undefined> {
  const editor = vscode.window.activeTextEditor;
  const fromExplorer = Array.isArray(second);
  const target = uri ?? editor?.document.uri;
  if (!target) return undefined;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
  const useCursor = !fromExplorer && editor && editor.document.uri.toString() === target.toString();
  return { uri: target, text, offset: useCursor ? editor.document.offsetAt(editor.selection.active) : undefined };
}

function toDiagnostics(
  probe: ProbeModule,
  outcome: Probe.ProbeOutcome,
  prepared: Probe.PreparedProbe,
): Map<string, vscode.Diagnostic[]> {
  const byUri = new Map<string, vscode.Diagnostic[]>();
  for (const d of probe.mismatchDiagnostics(outcome.rows, prepared.filePolicies)) {
    const range = new vscode.Range(
      d.range.start.line,
      d.range.start.character,
      d.range.end.line,
      d.range.end.character,
    );
    const diagnostic = new vscode.Diagnostic(range, d.message, vscode.DiagnosticSeverity.Warning);
    diagnostic.source = 'netreach-probe';
    diagnostic.code = 'probe-mismatch';
    byUri.set(d.uri, [...(byUri.get(d.uri) ?? []), diagnostic]);
  }
  return byUri;
}

export function registerProbeCommand(
  context: vscode.ExtensionContext,
  _start: () => Promise<NetreachClient>,
  view: ReachabilityView,
  status: StatusBar,
  output: vscode.LogOutputChannel,
): vscode.Disposable {
  const diagnostics = vscode.languages.createDiagnosticCollection('netreach-probe');
  let watched: string[] = [];

  const refreshStatus = () => {
    for (const file of watched) unwatchFile(file);
    watched = [];
    const s = settings();
    if (!s.enabled) {
      status.setCluster(undefined);
      return;
    }
    const current = currentContextName({ kubeconfig: s.kubeconfig, context: s.context });
    status.setCluster(current.context ?? 'no kubeconfig context');
    if (current.problem) output.info(`cluster: ${current.problem}`);
    // `kubectl config use-context` elsewhere: follow it.
    watched = current.files;
    for (const file of watched) watchFile(file, { interval: 5000 }, () => refreshStatus());
  };
  refreshStatus();

  const configListener = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('netreach.cluster')) refreshStatus();
  });

  const command = vscode.commands.registerCommand(
    'netreach.testReachability',
    async (uri?: vscode.Uri, second?: unknown) => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage(
          'netreach: testing against a cluster is disabled in untrusted workspaces.',
        );
        return;
      }
      const s = settings();
      if (!s.enabled) {
        const choice = await vscode.window.showInformationMessage(
          'netreach: testing reachability in a cluster is off. Turn on "netreach.cluster.enabled" to use it.',
          'Open Settings',
        );
        if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'netreach.cluster');
        return;
      }
      const tooOld = nodeVersionProblem();
      if (tooOld) {
        void vscode.window.showErrorMessage(
          `netreach: ${tooOld} Update VS Code (its extension host brings Node.js), or run "netreach probe" in a terminal.`,
        );
        return;
      }
      diagnostics.clear();
      try {
        await runCommand(context, view, output, diagnostics, s, uri, second);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        output.error(`probe: ${message}`);
        void vscode.window.showErrorMessage(`netreach: ${message}`);
      } finally {
        refreshStatus();
      }
    },
  );

  return vscode.Disposable.from(diagnostics, command, configListener, {
    dispose: () => watched.forEach((file) => unwatchFile(file)),
  });
}

async function runCommand(
  context: vscode.ExtensionContext,
  view: ReachabilityView,
  output: vscode.LogOutputChannel,
  diagnostics: vscode.DiagnosticCollection,
  s: ProbeSettings,
  uri: vscode.Uri | undefined,
  second: unknown,
): Promise<void> {
  const probe = loadProbe(context);
  const target = await invocationTarget(uri, second);
  const files = target ? [{ uri: target.uri.toString(), text: target.text }] : [];
  let scope: Probe.ScopeRequest;
  try {
    scope = target ? probe.editorScope(files[0], target.offset) : { kind: 'cluster' };
  } catch (error) {
    void vscode.window.showWarningMessage(`netreach: ${(error as Error).message}`);
    return;
  }

  const runOptions = {
    image: s.image,
    maxPods: s.maxPods,
    timeoutMs: s.timeoutSeconds * 1000,
    podDeadlineSeconds: s.timeoutSeconds,
  };
  const prepared = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'netreach: reading the cluster', cancellable: true },
    async (_progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      try {
        return await probe.prepareProbe({
          kubeconfig: s.kubeconfig,
          context: s.context,
          files,
          scope,
          maxPods: s.maxPods,
          signal: controller.signal,
          runDefaults: runOptions,
        });
      } catch (error) {
        if (controller.signal.aborted) return undefined;
        if (error instanceof probe.ProbeScopeError) {
          void vscode.window.showWarningMessage(`netreach: ${error.message}`);
          return undefined;
        }
        throw error;
      }
    },
  );
  if (!prepared) return;
  const { plan } = prepared;
  output.info(`probe plan:\n${probe.planText(prepared.target, plan, prepared.differences, runOptions)}`);
  if (plan.checks.length === 0) {
    const why = plan.skipped
      .slice(0, 3)
      .map((x) => `${x.what}: ${x.reason}`)
      .join('; ');
    void vscode.window.showInformationMessage(`netreach: nothing to probe for ${plan.scope}${why ? ` (${why})` : ''}.`);
    return;
  }

  const summary = probe.planSummary(prepared.target, plan, prepared.differences);
  const answer = await vscode.window.showWarningMessage(summary.message, { modal: true, detail: summary.detail }, RUN);
  if (answer !== RUN) return;

  const outcome = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `netreach: probing in ${prepared.target.context}`,
      cancellable: true,
    },
    async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      return probe.runProbe(prepared, {
        ...runOptions,
        signal: controller.signal,
        onProgress: (event) => {
          if (event.type === 'stage') progress.report({ message: event.message });
          else if (event.type === 'result' && event.total > 0) {
            const now = (100 * event.done) / event.total;
            progress.report({ message: `${event.done}/${event.total} connections`, increment: now - reported });
            reported = now;
          }
        },
      });
    },
  );

  const problems = probe.runProblemsText(outcome.report);
  const summaryText = [
    probe.summaryLine(outcome),
    `Context "${prepared.target.context}".`,
    probe.differencesText(prepared.differences).trim(),
    problems.trim(),
  ]
    .filter(Boolean)
    .join(' ');
  view.showProbe(`Probes: ${plan.scope}`, probe.rowsData(outcome.rows), summaryText);
  output.info(`probe results:\n${probe.resultsText(outcome)}`);
  for (const [file, list] of toDiagnostics(probe, outcome, prepared)) diagnostics.set(vscode.Uri.parse(file), list);

  const { report, counts } = outcome;
  if (report.cancelled) {
    void vscode.window.showInformationMessage(
      report.cleanup.leftovers.length
        ? `netreach: cancelled. ${report.cleanup.hint ?? ''}`
        : 'netreach: cancelled; every probe pod it created was deleted.',
    );
  } else if (report.error || report.problems.length) {
    void vscode.window.showErrorMessage(`netreach: ${(report.error ?? report.problems[0]).message}`);
  } else if (counts.mismatch > 0) {
    void vscode.window.showWarningMessage(
      `netreach: ${counts.mismatch} connection${counts.mismatch === 1 ? '' : 's'} did not behave as predicted; see the reachability view.`,
    );
  }
}
