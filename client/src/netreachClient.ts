/** Starting and talking to the bundled netreach language server. */
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  EXPLAIN_REQUEST,
  REACHABILITY_REQUEST,
  STATUS_NOTIFICATION,
  WORKSPACE_FACTS_REQUEST,
  type ExplainParams,
  type ExplainResult,
  type InitializationOptions,
  type ReachabilityParams,
  type ReachabilityResult,
  type StatusParams,
  type WorkspaceFactsResult,
} from '../../server/src/protocol';
import type { StatusBar } from './statusBar';

/** How long requests wait for the server's first analysis before asking anyway. */
const INDEXED_TIMEOUT_MS = 30_000;

export class NetreachClient {
  private languageClient: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  /** Resolves on the server's first `ready` status: the workspace is indexed and analysed. */
  private indexed: Promise<void> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
    private readonly status: StatusBar,
  ) {}

  get isStarted(): boolean {
    return this.starting !== undefined;
  }

  start(): Promise<void> {
    this.starting ??= this.doStart().catch((error: unknown) => {
      this.starting = undefined;
      const message = error instanceof Error ? error.message : String(error);
      this.output.error(`netreach language server failed to start: ${message}`);
      void vscode.window
        .showErrorMessage(
          `netreach: the language server failed to start (${message}). See the netreach output.`,
          'Show Output',
        )
        .then((choice) => {
          if (choice) this.output.show();
        });
    });
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const module = this.context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const initializationOptions: InitializationOptions = {
      yamlExtensionPresent: vscode.extensions.getExtension('redhat.vscode-yaml') !== undefined,
    };
    const clientOptions: LanguageClientOptions = {
      // JSON manifests get diagnostics and hovers too (the server keeps fixes and completion to YAML).
      documentSelector: [
        { scheme: 'file', language: 'yaml' },
        { scheme: 'untitled', language: 'yaml' },
        { scheme: 'file', language: 'json' },
      ],
      outputChannel: this.output,
      initializationOptions,
      markdown: { isTrusted: false, supportHtml: false },
    };
    this.status.update({ state: 'starting' });
    const languageClient = new LanguageClient('netreach', 'netreach', serverOptions, clientOptions);
    let markIndexed!: () => void;
    this.indexed = new Promise<void>((resolve) => (markIndexed = resolve));
    this.context.subscriptions.push(
      languageClient.onNotification(STATUS_NOTIFICATION, (params: StatusParams) => {
        if (params.state === 'ready') markIndexed();
        this.status.update(params);
      }),
    );
    await languageClient.start();
    this.languageClient = languageClient;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const languageClient = this.languageClient;
    this.languageClient = undefined;
    this.starting = undefined;
    if (languageClient) await languageClient.stop();
  }

  private async request<P, R>(method: string, params: P): Promise<R> {
    await this.start();
    if (!this.languageClient) throw new Error('the netreach language server is not running');
    // Answers before the first analysis would come from the files read so far.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.indexed, new Promise((resolve) => (timer = setTimeout(resolve, INDEXED_TIMEOUT_MS)))]);
    clearTimeout(timer);
    return this.languageClient.sendRequest<R>(method, params);
  }

  reachability(params: ReachabilityParams): Promise<ReachabilityResult | null> {
    return this.request(REACHABILITY_REQUEST, params);
  }

  explain(params: ExplainParams): Promise<ExplainResult | { error: string } | null> {
    return this.request(EXPLAIN_REQUEST, params);
  }

  workspaceFacts(): Promise<WorkspaceFactsResult | null> {
    return this.request(WORKSPACE_FACTS_REQUEST, {});
  }
}
