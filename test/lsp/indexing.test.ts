// The first analysis after indexing covers every file, even when a request came in while
// the workspace was still being read (the VS Code client pulls the open document's
// diagnostics right after `initialized`, so this is the normal start, not a corner case).
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { fileUri, LspClient } from './lspClient';
import { TempWorkspace } from './helpers';

const FILES = 400;

function deployment(i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: ns-${i % 7}
spec:
  selector:
    matchLabels:
      app: app-${i}
  template:
    metadata:
      labels:
        app: app-${i}
    spec:
      containers:
        - name: c
          image: nginx
`;
}

describe('LSP: indexing', () => {
  let workspace: TempWorkspace;
  let client: LspClient | undefined;

  beforeEach(() => {
    const files: Record<string, string> = {};
    for (let i = 0; i < FILES; i++) files[`apps/app-${String(i).padStart(3, '0')}.yaml`] = deployment(i);
    workspace = new TempWorkspace(files);
  });
  afterEach(async () => {
    await client?.stop();
    workspace.dispose();
  });

  it('a request during indexing does not leave the analysis with only the files read so far', async () => {
    client = await LspClient.start({ folder: workspace.dir, pull: true });
    const open = path.join(workspace.dir, 'apps', 'app-000.yaml');
    client.open(fileUri(open), deployment(0));
    let ready = false;
    const readySeen = client.waitForStatus('ready').then(() => (ready = true));
    // The requests a client sends right after opening, again and again until the server
    // says it is ready, so that some arrive while the 400 files are being read.
    const seen: number[] = [];
    while (!ready) {
      await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: fileUri(open) } });
      const facts = await client.connection.sendRequest<{ workloads: unknown[] }>('netreach/workspaceFacts', {});
      seen.push(facts.workloads.length);
    }
    await readySeen;
    const facts = await client.connection.sendRequest<{ workloads: unknown[] }>('netreach/workspaceFacts', {});
    assert.equal(
      facts.workloads.length,
      FILES,
      `workloads after the first "ready"; requests during indexing saw ${[...new Set(seen)].join(', ')}`,
    );
  });
});
