/**
 * A real LSP client for tests: starts the bundled server (`dist/server.js --stdio`) as a
 * child process and speaks the protocol through vscode-languageserver-protocol. Waits
 * are by event (diagnostics notifications, requests), never by sleeping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Diagnostic,
  type InitializeResult,
} from 'vscode-languageserver-protocol/node';

export const ROOT = path.resolve(__dirname, '..', '..');
/** The bundled server under test; `NETREACH_TEST_SERVER` points at another bundle (e.g. a private build). */
export const SERVER_JS = process.env.NETREACH_TEST_SERVER ?? path.join(ROOT, 'dist', 'server.js');

export interface StartOptions {
  readonly folder: string;
  /** Announce pull diagnostics support (default: push only). */
  readonly pull?: boolean;
  readonly settings?: Record<string, unknown>;
  readonly initializationOptions?: Record<string, unknown>;
  /** Extra client capabilities, merged over the defaults. */
  readonly capabilities?: ClientCapabilities;
  /** Workspace folders (default: `folder` only). */
  readonly folders?: readonly string[];
}

export function fileUri(file: string): string {
  return pathToFileURL(file).toString();
}

export class LspClient {
  readonly connection: ProtocolConnection;
  private readonly diagnostics = new Map<string, Diagnostic[]>();
  private readonly waiters: { check: () => boolean; resolve: () => void; fail: (error: Error) => void }[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  readonly log: string[] = [];
  settings: Record<string, unknown>;
  private versions = new Map<string, number>();
  refreshRequests = 0;
  initializeResult: InitializeResult | undefined;
  /** What the server wrote to stderr (a stack trace there is a bug). */
  stderr = '';
  /** Set when the server process ends. */
  exitCode: number | null | undefined;

  /** The server's process id (the benchmark reads its CPU time from /proc). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  private constructor(
    private readonly child: ChildProcess,
    settings: Record<string, unknown>,
  ) {
    this.settings = settings;
    this.connection = createProtocolConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.diagnostics.set(params.uri, params.diagnostics);
      this.wake();
    });
    // Every other notification (vscode-jsonrpc's star handler; ProtocolConnection's types omit it).
    const onAnyNotification = this.connection.onNotification.bind(this.connection) as unknown as (
      handler: (method: string, params: unknown) => void,
    ) => void;
    onAnyNotification((method: string, params: unknown) => {
      this.notifications.push({ method, params });
      if (method === 'window/logMessage') this.log.push((params as { message: string }).message);
      this.wake();
    });
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
      params.items.map((item) => (item.section === 'netreach' ? this.settings : null)),
    );
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('workspace/diagnostic/refresh', () => {
      this.refreshRequests++;
      this.wake();
      return null;
    });
    // Writing to a server that has just exited (killed after a hang) must not crash the tests.
    child.stdin!.on('error', () => undefined);
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    child.on('exit', (code) => {
      this.exitCode = code;
      this.wake();
    });
    this.connection.listen();
  }

  static async start(options: StartOptions): Promise<LspClient> {
    const child = spawn(path.join(ROOT, 'node_modules', 'node', 'bin', 'node'), [SERVER_JS, '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const client = new LspClient(child, options.settings ?? {});
    const capabilities: ClientCapabilities = {
      workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceFolders: true },
      textDocument: {
        publishDiagnostics: { relatedInformation: true },
        hover: { contentFormat: ['markdown'] },
        completion: { completionItem: { snippetSupport: false } },
        codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } } },
        ...(options.pull ? { diagnostic: { dynamicRegistration: false } } : {}),
        ...options.capabilities?.textDocument,
      },
      window: { workDoneProgress: true },
    };
    if (options.capabilities?.workspace) Object.assign(capabilities.workspace!, options.capabilities.workspace);
    const folders = options.folders ?? [options.folder];
    client.initializeResult = await client.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: fileUri(options.folder),
      workspaceFolders: folders.map((f) => ({ uri: fileUri(f), name: path.basename(f) })),
      capabilities,
      initializationOptions: { debounceMs: 0, ...options.initializationOptions },
    });
    await client.connection.sendNotification('initialized', {});
    return client;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) {
      if (this.exitCode !== undefined) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.fail(new Error(`the server exited (${this.exitCode}); stderr:\n${this.stderr.slice(-2000)}`));
      } else if (waiter.check()) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  /** Resolves when `check` holds, re-checked on every message from the server. */
  waitFor(what: string, check: () => boolean, timeoutMs = 15000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`timed out waiting for ${what}; server log:\n${this.log.slice(-10).join('\n')}`));
      }, timeoutMs);
      const waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        fail: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Pushed diagnostics of a file (push mode). */
  pushed(uri: string): Diagnostic[] | undefined {
    return this.diagnostics.get(uri);
  }

  async waitForDiagnostics(
    uri: string,
    predicate: (d: Diagnostic[]) => boolean,
    what = 'diagnostics',
    timeoutMs?: number,
  ): Promise<Diagnostic[]> {
    await this.waitFor(
      `${what} of ${uri}`,
      () => {
        const current = this.diagnostics.get(uri);
        return current !== undefined && predicate(current);
      },
      timeoutMs,
    );
    return this.diagnostics.get(uri)!;
  }

  async waitForStatus(state: string): Promise<void> {
    const seen = this.notifications.length;
    await this.waitFor(`status ${state}`, () =>
      this.notifications
        .slice(seen)
        .some((n) => n.method === 'netreach/status' && (n.params as { state: string }).state === state),
    );
  }

  open(uri: string, text: string, languageId = uri.endsWith('.json') ? 'json' : 'yaml'): void {
    this.versions.set(uri, 1);
    void this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId, version: 1, text },
    });
  }

  change(uri: string, text: string): void {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
  }

  /** An incremental change, as editors send while typing: `text` replaces `range` (in the server's copy). */
  edit(
    uri: string,
    range: { start: { line: number; character: number }; end: { line: number; character: number } },
    text: string,
  ): void {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range, text }],
    });
  }

  /** Tells the server files changed on disk (1 created, 2 changed, 3 deleted). */
  watched(...changes: { uri: string; type: 1 | 2 | 3 }[]): void {
    void this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes });
  }

  /** Tells the server the settings changed (it pulls them again through workspace/configuration). */
  configure(settings: Record<string, unknown>): void {
    this.settings = settings;
    void this.connection.sendNotification('workspace/didChangeConfiguration', { settings: { netreach: settings } });
  }

  /** The number of `netreach/status` notifications with this state so far. */
  statusCount(state: string): number {
    return this.notifications.filter(
      (n) => n.method === 'netreach/status' && (n.params as { state: string }).state === state,
    ).length;
  }

  close(uri: string): void {
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Shuts the server down; kills it when it does not answer within `timeoutMs` (a test that failed on a hang). */
  async stop(timeoutMs = 10000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer to shutdown')), timeoutMs);
      });
      await Promise.race([this.connection.sendRequest('shutdown'), timeout]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone, or hanging: killed below
    } finally {
      clearTimeout(timer);
    }
    this.connection.dispose();
    if (this.child.exitCode === null) this.child.kill();
  }
}
