/**
 * The netreach language server: a thin adapter from LSP to the engine. It keeps the
 * workspace's manifests (files.ts), rebuilds the analysis after changes (analysis.ts),
 * and answers diagnostics, code actions, hovers and completion from it. Every handler
 * goes through `guard`, so a failure is logged and answered empty, never a crash.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  FileChangeType,
  TextDocumentSyncKind,
  TextDocuments,
  type CancellationToken,
  type ClientCapabilities,
  type CompletionItem,
  type Connection,
  type Diagnostic,
  type DidChangeConfigurationParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { offsetAt } from '../engine';
import {
  EXPLAIN_REQUEST,
  REACHABILITY_REQUEST,
  STATUS_NOTIFICATION,
  WORKSPACE_FACTS_REQUEST,
  DEFAULT_SETTINGS,
  type ExplainParams,
  type InitializationOptions,
  type NetreachSettings,
  type ReachabilityParams,
  type StatusParams,
} from '../protocol';
import { Analysis, type AnalysisResult, type FileFindings } from './analysis';
import { codeActions, FIX_ALL_KIND } from './codeActions';
import { workspaceCompletions } from './completion';
import { DiagnosticsMemo, DiagnosticsState } from './diagnostics';
import { explainRequest, reachabilityRequest, workspaceFacts } from './requests';
import { WorkspaceFiles } from './files';
import { hoverMarkdown } from './hover';
import { fetchSettings, netreachSection } from './settings';
import { withoutDuplicates, YamlService } from './yamlService';

export interface ServerOptions {
  /** Overrides the client's `initializationOptions.debounceMs`. */
  readonly debounceMs?: number;
}

const DEFAULT_DEBOUNCE_MS = 60;
/** More changed and open files than this are not worth showing before the whole analysis. */
const MAX_FIRST_FILES = 50;
const NEVER_CANCELLED: CancellationToken = {
  isCancellationRequested: false,
  onCancellationRequested: () => ({ dispose: () => undefined }),
};

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  let settings: NetreachSettings = DEFAULT_SETTINGS;
  const log = (message: string) => connection.console.log(`[${new Date().toISOString()}] ${message}`);
  const files = new WorkspaceFiles(settings, log);
  const analysis = new Analysis(files, settings);
  const diagnosticsState = new DiagnosticsState(connection);
  const diagnosticsMemo = new DiagnosticsMemo();
  let yamlService: YamlService | undefined;
  let capabilities: ClientCapabilities = {};
  let initOptions: InitializationOptions = {};
  /** Settings the client sent itself, for clients that answer no configuration requests. */
  let sentSettings: unknown;
  let pullDiagnostics = false;
  let folders: string[] = [];
  let debounceMs = DEFAULT_DEBOUNCE_MS;
  let timer: NodeJS.Timeout | undefined;
  let wholeTimer: NodeJS.Timeout | undefined;
  let ready = false;
  /** Files changed since the last analysis started (undefined: anything may have changed). */
  let changed: Set<string> | undefined = new Set();

  const guard =
    <P, R>(name: string, fallback: R, handler: (params: P, token: CancellationToken) => R | Promise<R>) =>
    async (params: P, token?: CancellationToken): Promise<R> => {
      try {
        return await handler(params, token ?? NEVER_CANCELLED);
      } catch (error) {
        log(`${name} failed: ${(error as Error).stack ?? String(error)}`);
        return fallback;
      }
    };

  /**
   * JSON manifests get diagnostics and hovers; fixes, disable comments, completion and the
   * schema features all write or assume YAML, so they are YAML-only.
   */
  const isJson = (uri: string) => documents.get(uri)?.languageId === 'json' || /\.json$/i.test(uri);

  const schemaEnabled = () =>
    settings.schema === 'on' || (settings.schema === 'auto' && !initOptions.yamlExtensionPresent);
  const current = (): AnalysisResult => analysis.current();

  connection.onInitialize((params): InitializeResult => {
    capabilities = params.capabilities;
    initOptions = (params.initializationOptions ?? {}) as InitializationOptions;
    sentSettings = netreachSection(params.initializationOptions);
    debounceMs = options.debounceMs ?? initOptions.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    pullDiagnostics = capabilities.textDocument?.diagnostic !== undefined;
    folders = (params.workspaceFolders ?? []).map((f) => f.uri);
    if (folders.length === 0 && params.rootUri) folders = [params.rootUri];
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: [':', ' ', '-', '/'] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        ...(pullDiagnostics
          ? { diagnosticProvider: { identifier: 'netreach', interFileDependencies: true, workspaceDiagnostics: true } }
          : {}),
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'netreach-language-server' },
    };
  });

  connection.onInitialized(
    guard('initialized', undefined, async () => {
      const dynamic = capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
      if (dynamic) {
        await connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: '**/*.{yaml,yml,json}' }],
        });
      }
      if (capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
        await connection.client.register(DidChangeConfigurationNotification.type, { section: 'netreach' });
      }
      if (capabilities.workspace?.workspaceFolders) {
        connection.workspace.onDidChangeWorkspaceFolders(
          guard('workspace folders', undefined, async (event) => {
            folders = [
              ...folders.filter((f) => !event.removed.some((r) => r.uri === f)),
              ...event.added.map((a) => a.uri),
            ];
            await loadWorkspace();
          }),
        );
      }
      await loadWorkspace();
    }),
  );

  async function loadWorkspace(): Promise<void> {
    settings = await fetchSettings(connection, capabilities.workspace?.configuration === true, sentSettings);
    files.configure(settings);
    analysis.configure(settings);
    sendStatus('indexing');
    const progress = await connection.window.createWorkDoneProgress();
    progress.begin('netreach: indexing manifests', 0, undefined, true);
    const started = performance.now();
    const count = await files.scan(folders, {
      report: (done, total) => progress.report(total ? Math.round((done / total) * 100) : 0, `${done}/${total} files`),
      get cancelled() {
        return progress.token.isCancellationRequested;
      },
    });
    progress.done();
    log(`indexed ${count} files in ${Math.round(performance.now() - started)} ms`);
    // A request during the scan analysed the files read so far; that result is stale now.
    analysis.invalidate();
    ready = true;
    analyzeNow();
  }

  /** `uri`: the file that changed; none when anything may have (settings). */
  function schedule(uri?: string): void {
    analysis.invalidate();
    if (uri === undefined) changed = undefined;
    else changed?.add(uri);
    if (timer) clearTimeout(timer);
    timer = setTimeout(analyzeNow, debounceMs);
  }

  /**
   * Analyses in two steps after an edit: first the findings of the changed files and the
   * open documents (the same findings the whole analysis gives them, judged against the
   * whole workspace), pushed at once; then, on the next turn of the event loop, the whole
   * workspace, whose diagnostics for those files are then the same and not sent again. An
   * edit arriving in between starts over, so typing is answered file first.
   */
  function analyzeNow(): void {
    timer = undefined;
    if (wholeTimer) clearTimeout(wholeTimer);
    wholeTimer = undefined;
    if (!ready) return;
    try {
      sendStatus('analyzing');
      const first =
        changed && !pullDiagnostics ? new Set([...changed, ...documents.all().map((d) => d.uri)]) : undefined;
      changed = new Set();
      if (first && first.size > 0 && first.size <= MAX_FIRST_FILES) {
        const partial = analysis.findingsOf(first);
        log(
          `analysed ${first.size} changed and open files first in ${partial.elapsed.toFixed(1)} ms${timingText(partial.timings)}`,
        );
        diagnosticsState.pushOnly(
          first,
          (uri) => diagnosticsOf(partial, uri),
          (uri) => files.version(uri),
        );
      }
      wholeTimer = setTimeout(analyzeWhole, 0);
    } catch (error) {
      log(`analysis failed: ${(error as Error).stack ?? String(error)}`);
    }
  }

  function analyzeWhole(): void {
    wholeTimer = undefined;
    // A newer change has its own analysis coming.
    if (timer) return;
    try {
      const result = current();
      log(
        `analysed ${result.workspace.policies.length} policies, ${result.workspace.workloads.length} workloads in ${result.elapsed.toFixed(1)} ms${timingText(result.timings)}${leftOutText(result)}`,
      );
      publish(result);
      sendStatus('ready', result);
    } catch (error) {
      log(`analysis failed: ${(error as Error).stack ?? String(error)}`);
    }
  }

  /** Templates and kustomize patches are left out of the analysis: say so where a puzzled user looks. */
  function leftOutText(result: AnalysisResult): string {
    const templates = result.workspace.templates.size;
    const patches = result.workspace.patches.size;
    return (
      (templates ? `; left out ${templates} template file(s) ({{ }}, e.g. Helm; render them to analyse them)` : '') +
      (patches ? `; left out ${patches} kustomize patch file(s)` : '')
    );
  }

  function timingText(timings: Readonly<Record<string, number>> | undefined): string {
    const parts = Object.entries(timings ?? {}).map(([phase, ms]) => `${phase} ${ms.toFixed(1)}`);
    return parts.length ? ` (${parts.join(', ')})` : '';
  }

  const schemaDiagnostics = new Map<string, Diagnostic[]>();

  async function schemaFor(uri: string): Promise<Diagnostic[]> {
    const document = documents.get(uri);
    if (!document || !schemaEnabled() || isJson(uri)) return [];
    yamlService ??= new YamlService();
    return yamlService.validate(uri, document.version, document.getText());
  }

  /** The same array while neither netreach's nor the schema's diagnostics of the file changed. */
  const combined = new WeakMap<Diagnostic[], { schema: Diagnostic[] | undefined; all: Diagnostic[] }>();

  function diagnosticsOf(result: FileFindings, uri: string): Diagnostic[] {
    const own = diagnosticsMemo.of(result, uri);
    const schema = schemaDiagnostics.get(uri);
    const known = combined.get(own);
    if (known && known.schema === schema) return known.all;
    const all = [...own, ...withoutDuplicates(schema ?? [], own)];
    combined.set(own, { schema, all });
    return all;
  }

  function publish(result: AnalysisResult): void {
    if (pullDiagnostics) {
      void connection.sendRequest('workspace/diagnostic/refresh').catch(() => undefined);
      return;
    }
    diagnosticsState.push(
      result.findingsByUri.keys(),
      (uri) => diagnosticsOf(result, uri),
      (uri) => files.version(uri),
    );
    // Schema diagnostics of open documents arrive a little later; publish again when they do.
    for (const document of documents.all()) {
      void schemaFor(document.uri).then((items) => {
        const previous = JSON.stringify(schemaDiagnostics.get(document.uri) ?? []);
        if (previous === JSON.stringify(items)) return;
        schemaDiagnostics.set(document.uri, items);
        diagnosticsState.pushOnly(
          [document.uri],
          (uri) => diagnosticsOf(analysis.findingsOf([uri]), uri),
          (uri) => files.version(uri),
        );
      });
    }
  }

  function sendStatus(state: StatusParams['state'], result?: AnalysisResult): void {
    const errors = result?.findings.filter((f) => f.severity === 'error').length ?? 0;
    const warnings = result?.findings.filter((f) => f.severity === 'warning').length ?? 0;
    const params: StatusParams = {
      state,
      files: files.size,
      workloads: result?.workspace.workloads.length ?? 0,
      policies: result?.workspace.policies.length ?? 0,
      errors,
      warnings,
    };
    void connection.sendNotification(STATUS_NOTIFICATION, params);
  }

  documents.onDidChangeContent((event) => {
    files.setOpen(event.document.uri, event.document.version, event.document.getText());
    schedule(event.document.uri);
  });
  documents.onDidClose(
    guard('close', undefined, async (event: { document: TextDocument }) => {
      schemaDiagnostics.delete(event.document.uri);
      await files.close(event.document.uri);
      schedule(event.document.uri);
    }),
  );
  connection.onDidChangeWatchedFiles(
    guard('watched files', undefined, async (params) => {
      for (const change of params.changes) {
        if (await files.diskChanged(change.uri, change.type === FileChangeType.Deleted)) schedule(change.uri);
      }
    }),
  );
  connection.onDidChangeConfiguration(
    guard('configuration', undefined, async (params: DidChangeConfigurationParams) => {
      const previous = settings;
      sentSettings = netreachSection(params.settings) ?? sentSettings;
      settings = await fetchSettings(connection, capabilities.workspace?.configuration === true, sentSettings);
      analysis.configure(settings);
      if (previous.include.join() !== settings.include.join() || previous.exclude.join() !== settings.exclude.join()) {
        await loadWorkspace();
      } else {
        schedule();
      }
    }),
  );

  connection.languages.diagnostics.on(
    guard('document diagnostics', { kind: DocumentDiagnosticReportKind.Full, items: [] }, async (params) => {
      const uri = params.textDocument.uri;
      schemaDiagnostics.set(uri, await schemaFor(uri));
      return diagnosticsState.document(diagnosticsOf(analysis.findingsOf([uri]), uri), params.previousResultId);
    }),
  );
  connection.languages.diagnostics.onWorkspace(
    guard('workspace diagnostics', { items: [] }, async (params) => {
      const result = current();
      const previous = new Map(params.previousResultIds.map((p) => [p.uri, p.value]));
      // Open documents are reported by document pulls, which also carry schema problems.
      const uris = [...result.findingsByUri.keys()].filter((uri) => !documents.get(uri));
      const reports = diagnosticsState.workspace(
        uris,
        (uri) => diagnosticsMemo.of(result, uri),
        previous,
        (uri) => files.version(uri),
      );
      return { items: reports.filter((r) => !documents.get(r.uri)) };
    }),
  );

  connection.onCodeAction(
    guard('code actions', [], (params) =>
      isJson(params.textDocument.uri) ? [] : codeActions(analysis.findingsOf([params.textDocument.uri]), params),
    ),
  );

  connection.onHover(
    guard('hover', null, async (params, token) => {
      const result = current();
      const file = result.workspace.files.get(params.textDocument.uri)?.file;
      if (!file || token.isCancellationRequested) return null;
      const offset = offsetAt(file, params.position);
      const ours = hoverMarkdown(result, params.textDocument.uri, offset);
      const document = documents.get(params.textDocument.uri);
      let field: string | undefined;
      if (document && schemaEnabled() && !isJson(document.uri)) {
        yamlService ??= new YamlService();
        field = await yamlService.hover(document.uri, document.version, document.getText(), params.position);
        // The schema's title heading adds nothing next to our own heading.
        field = field?.replace(/^#+ .*$/gm, '').trim() || undefined;
      }
      const value = [ours, field].filter(Boolean).join('\n\n---\n\n');
      return value ? { contents: { kind: 'markdown', value } } : null;
    }),
  );

  connection.onCompletion(
    guard('completion', [] as CompletionItem[], async (params) => {
      const document = documents.get(params.textDocument.uri);
      if (!document || isJson(document.uri)) return [];
      const text = document.getText();
      const offset = document.offsetAt(params.position);
      const ours = workspaceCompletions(analysis.currentModel(), document.uri, text, offset);
      if (ours.length > 0 || !schemaEnabled()) return ours;
      yamlService ??= new YamlService();
      const snippets = capabilities.textDocument?.completion?.completionItem?.snippetSupport === true;
      return yamlService.complete(document.uri, document.version, text, params.position, snippets);
    }),
  );

  // These need the model only, not the findings.
  const model = () => analysis.currentModel();
  connection.onRequest(
    REACHABILITY_REQUEST,
    guard('reachability', null, (params: ReachabilityParams) => reachabilityRequest(model(), params)),
  );
  connection.onRequest(
    EXPLAIN_REQUEST,
    guard('explain', null, (params: ExplainParams) => explainRequest(model(), params)),
  );
  connection.onRequest(
    WORKSPACE_FACTS_REQUEST,
    guard('workspace facts', null, () => workspaceFacts(model())),
  );

  documents.listen(connection);
  connection.listen();
}
