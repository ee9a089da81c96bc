// Checks of a packaged extension folder (what `code-server --install-extension` unpacked
// from the .vsix), run from the harness process:
// - its files are exactly what the extension needs at run time (.vscodeignore);
// - its language server works on its own, without any node_modules: started over stdio
//   from the unpacked folder, it answers initialize, reports NR020 for the examples, runs
//   yaml-language-server's schema validation and hover (bundled, with its l10n and
//   formatter code), and shuts down.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type Diagnostic,
  type Hover,
  type InitializeResult,
  type PublishDiagnosticsParams,
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { NODE24 } from './paths';

export interface CheckResult {
  passed: boolean;
  /** What was checked and seen, one line each. */
  report: string[];
}

/** Paths (relative to the extension folder) a package may hold. */
const ALLOWED: RegExp[] = [
  /^package\.json$/,
  /^dist\/(client|server|probe)\.js$/,
  /^snippets\/(networkpolicy\.code-snippets|parameters\.json)$/,
  /^schemas\/[\w.-]+\.json$/,
  /^docs\/images\/[\w.-]+\.png$/,
  /^readme\.md$/i,
  /^changelog\.md$/i,
  /^LICENSE\.txt$/,
  // Written by VS Code when it installs a .vsix.
  /^\.vsixmanifest$/,
];

/** Paths a package must hold. */
const REQUIRED = [
  'package.json',
  'dist/client.js',
  'dist/server.js',
  'snippets/networkpolicy.code-snippets',
  'snippets/parameters.json',
  'LICENSE.txt',
];

export function checkPackagedFiles(extensionDir: string): CheckResult {
  const files = fs
    .readdirSync(extensionDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(extensionDir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
  const report: string[] = [];
  const unexpected = files.filter((file) => !ALLOWED.some((pattern) => pattern.test(file)));
  const missing = REQUIRED.filter((file) => !files.includes(file));
  const lower = files.map((f) => f.toLowerCase());
  if (!lower.includes('readme.md')) missing.push('README.md');
  if (!lower.includes('changelog.md')) missing.push('CHANGELOG.md');
  let bytes = 0;
  for (const file of files) bytes += fs.statSync(path.join(extensionDir, file)).size;
  report.push(`${files.length} files, ${(bytes / 1024 / 1024).toFixed(2)} MB unpacked: ${files.join(', ')}`);
  if (unexpected.length) report.push(`FAIL: not needed at run time (fix .vscodeignore): ${unexpected.join(', ')}`);
  if (missing.length) report.push(`FAIL: missing: ${missing.join(', ')}`);
  // The README's images must be in the package (the extension page shows them offline).
  const readme = files.find((f) => f.toLowerCase() === 'readme.md');
  const images = readme
    ? [...fs.readFileSync(path.join(extensionDir, readme), 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map(
        (m) => m[1]!,
      )
    : [];
  const absent = images.filter((image) => !/^https?:/.test(image) && !files.includes(image));
  if (absent.length) report.push(`FAIL: README images not in the package: ${absent.join(', ')}`);
  else report.push(`README images in the package: ${images.join(', ') || '(none)'}`);
  for (const file of files.filter((f) => f.endsWith('.js'))) {
    const text = fs.readFileSync(path.join(extensionDir, file), 'utf8');
    if (/\/\/# sourceMappingURL=/.test(text.slice(-500))) report.push(`FAIL: ${file} refers to a source map`);
  }
  return { passed: !report.some((line) => line.startsWith('FAIL')), report };
}

/**
 * Starts `<extensionDir>/dist/server.js --stdio` with Node 24 from a folder without
 * node_modules and talks LSP to it about `workspace` (the e2e workspace copy).
 */
export async function checkPackagedServer(extensionDir: string, workspace: string): Promise<CheckResult> {
  const report: string[] = [];
  const server = path.join(extensionDir, 'dist', 'server.js');
  const child = spawn(NODE24, [server, '--stdio'], { cwd: extensionDir, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  const diagnostics = new Map<string, Diagnostic[]>();
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    diagnostics.set(params.uri, params.diagnostics);
  });
  connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({})));
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();

  const until = async (what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (exited !== undefined) throw new Error(`the server exited (${exited}) while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const uri = (relative: string): string => pathToFileURL(path.join(workspace, relative)).toString();
  try {
    let timer: NodeJS.Timeout | undefined;
    const init = await Promise.race([
      connection.sendRequest<InitializeResult>('initialize', {
        processId: process.pid,
        rootUri: pathToFileURL(workspace).toString(),
        workspaceFolders: [{ uri: pathToFileURL(workspace).toString(), name: path.basename(workspace) }],
        capabilities: {
          workspace: { configuration: true, workspaceFolders: true },
          textDocument: { hover: { contentFormat: ['markdown'] }, publishDiagnostics: { relatedInformation: true } },
          window: { workDoneProgress: true },
        },
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer to initialize within 15 s')), 15_000);
      }),
    ]).finally(() => clearTimeout(timer));
    report.push(`initialize: ${init.serverInfo?.name ?? '?'}; hover ${Boolean(init.capabilities.hoverProvider)}`);
    await connection.sendNotification('initialized', {});

    const egress = uri('examples/common-mistakes/egress-ignored.yaml');
    await until('NR020 for examples/common-mistakes/egress-ignored.yaml', () =>
      (diagnostics.get(egress) ?? []).some((d) => d.code === 'NR020'),
    );
    report.push(`NR020 reported for egress-ignored.yaml (${diagnostics.size} files with diagnostics)`);

    // An open document with a schema error: yaml-language-server validates it.
    const broken = uri('broken.yaml');
    // An apiVersion only the schema objects to (as in test/lsp/schema.test.ts).
    const text =
      'apiVersion: networking.k8s.io/v2\nkind: NetworkPolicy\nmetadata:\n  name: broken\n  namespace: legacy\n' +
      'spec:\n  podSelector: {}\n';
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: broken, languageId: 'yaml', version: 1, text },
    });
    await until('a schema diagnostic (yaml-language-server) for an open document', () =>
      (diagnostics.get(broken) ?? []).some((d) => d.source === 'netreach (schema)'),
    );
    const schema = diagnostics.get(broken)!.find((d) => d.source === 'netreach (schema)')!;
    report.push(`schema validation: ${JSON.stringify(String(schema.message).slice(0, 80))}`);
    const hover = await connection.sendRequest<Hover | null>('textDocument/hover', {
      textDocument: { uri: broken },
      position: { line: 6, character: 4 },
    });
    // The field's description comes from the schema, through yaml-language-server.
    const hoverText = hover ? JSON.stringify(hover.contents) : '';
    if (!hoverText.includes('that the policy applies to')) {
      throw new Error(`the hover on podSelector lacks the schema's description: ${hoverText || 'null'}`);
    }
    report.push(`hover on podSelector with the schema's description (${hoverText.length} characters)`);

    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    await until('the server to exit after "exit"', () => exited !== undefined, 10_000);
    if (exited !== 0) throw new Error(`exit code ${exited} after shutdown/exit`);
    report.push('shutdown and exit: code 0');
    if (/Cannot find module|ERR_MODULE_NOT_FOUND/.test(stderr)) throw new Error('a module is missing');
    return { passed: true, report };
  } catch (error) {
    report.push(`FAIL: ${(error as Error).message}`);
    if (stderr.trim()) report.push(`server stderr:\n${stderr.trim().slice(-3000)}`);
    return { passed: false, report };
  } finally {
    connection.dispose();
    if (exited === undefined) child.kill();
  }
}
