// The user's settings, read through workspace/configuration when the client says they
// changed: a check turned off or re-graded, which files are indexed, and a comment that
// silences one occurrence.
import { strict as assert } from 'node:assert';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { codes, EXAMPLES, ready, settled, startOn, TempWorkspace } from './helpers';
import type { LspClient } from './lspClient';

const has = (code: string) => (d: Diagnostic[]) => codes(d).includes(code);
const lacks = (code: string) => (d: Diagnostic[]) => !codes(d).includes(code);

describe('lsp: settings', function () {
  let workspace: TempWorkspace;
  let client: LspClient;
  const egressIgnored = 'common-mistakes/egress-ignored.yaml';
  const orInsteadOfAnd = 'common-mistakes/or-instead-of-and.yaml';

  beforeEach(() => {
    workspace = new TempWorkspace(EXAMPLES);
  });

  afterEach(async () => {
    await client?.stop();
    workspace?.dispose();
  });

  it('a check turned off disappears, and comes back when turned on again', async () => {
    client = await startOn(workspace);
    const uri = workspace.uri(egressIgnored);
    await client.waitForDiagnostics(uri, has('NR020'));
    client.configure({ checks: { NR020: 'off' } });
    await client.waitForDiagnostics(uri, lacks('NR020'), 'NR020 off');
    client.configure({});
    await client.waitForDiagnostics(uri, has('NR020'), 'NR020 back');
  });

  it('a check whose severity is changed is reported with that severity', async () => {
    client = await startOn(workspace);
    const uri = workspace.uri(orInsteadOfAnd);
    const nr022 = (d: Diagnostic[]) => d.find((x) => x.code === 'NR022');
    assert.equal(nr022(await client.waitForDiagnostics(uri, has('NR022')))!.severity, 2);
    client.configure({ checks: { NR022: 'error' } });
    await client.waitForDiagnostics(uri, (d) => nr022(d)?.severity === 1, 'NR022 as an error');
    client.configure({ checks: { nr022: 'INFO' } });
    await client.waitForDiagnostics(
      uri,
      (d) => nr022(d)?.severity === 3,
      'NR022 as information (settings are case-insensitive)',
    );
  });

  it('settings given at start count from the first analysis', async () => {
    client = await startOn(workspace, { settings: { checks: { NR020: 'off', NR022: 'error' } } });
    await ready(client);
    assert.ok(!codes(client.pushed(workspace.uri(egressIgnored))).includes('NR020'));
    assert.equal(client.pushed(workspace.uri(orInsteadOfAnd))!.find((d) => d.code === 'NR022')!.severity, 1);
  });

  it('a client without workspace/configuration: settings from initializationOptions, then from didChangeConfiguration', async () => {
    // Helix and other clients send settings themselves instead of answering configuration requests.
    client = await startOn(workspace, {
      capabilities: { workspace: { configuration: false } },
      initializationOptions: { netreach: { checks: { NR020: 'off' } } },
    });
    await ready(client);
    const uri = workspace.uri(egressIgnored);
    assert.ok(!codes(client.pushed(uri)).includes('NR020'), 'NR020 off from the start');
    client.configure({ checks: { NR020: 'error' } });
    await client.waitForDiagnostics(uri, has('NR020'), 'NR020 back after didChangeConfiguration');
  });

  it('invalid settings fall back to the defaults instead of breaking the server', async () => {
    client = await startOn(workspace, {
      settings: { checks: { NR020: 'loud', NR022: 7 }, include: 'yes', exclude: [1], maxFileSize: -1 },
    });
    await ready(client);
    assert.ok(codes(client.pushed(workspace.uri(egressIgnored))).includes('NR020'));
    assert.ok(codes(client.pushed(workspace.uri(orInsteadOfAnd))).includes('NR022'));
  });

  it('exclude globs drop files (their diagnostics are cleared), include globs narrow the index', async () => {
    client = await startOn(workspace);
    const uri = workspace.uri(egressIgnored);
    await client.waitForDiagnostics(uri, has('NR020'));
    await ready(client);
    await settled(client, () => client.configure({ exclude: ['common-mistakes/**'] }));
    assert.deepEqual(client.pushed(uri), [], 'excluded files are cleared');
    assert.deepEqual(client.pushed(workspace.uri(orInsteadOfAnd)), []);
    assert.ok(client.pushed(workspace.uri('bookstore/clients.yaml'))!.length > 0, 'others stay');

    await settled(client, () => client.configure({ include: ['shop/**/*.yaml', 'common-mistakes/*.yaml'] }));
    assert.ok(codes(client.pushed(uri)).includes('NR020'), 'back when no longer excluded');
    assert.deepEqual(client.pushed(workspace.uri('bookstore/clients.yaml')), [], 'not included any more');
    // A new file outside the include globs is ignored.
    const outside = workspace.write('other/p.yaml', workspace.read(egressIgnored));
    // Together with a change of an included file, so that an analysis follows.
    await settled(client, () => client.watched({ uri: outside, type: 1 }, { uri, type: 2 }));
    assert.equal(client.pushed(workspace.uri('other/p.yaml')), undefined, 'not included: not analysed');
  });

  it('files over maxFileSize are not indexed', async () => {
    client = await startOn(workspace, { settings: { maxFileSize: 200 } });
    await ready(client);
    assert.ok(
      !codes(client.pushed(workspace.uri(egressIgnored))).includes('NR020'),
      'the file is larger than 200 bytes',
    );
  });

  it('# netreach-disable-next-line NRxxx silences that line only, typed in the editor', async () => {
    client = await startOn(workspace);
    const uri = workspace.uri(orInsteadOfAnd);
    const text = workspace.read(orInsteadOfAnd);
    client.open(uri, text);
    await client.waitForDiagnostics(uri, has('NR022'));
    const silenced = text.replace(
      '        - namespaceSelector:',
      '        # netreach-disable-next-line NR022\n        - namespaceSelector:',
    );
    client.change(uri, silenced);
    await client.waitForDiagnostics(uri, lacks('NR022'), 'NR022 silenced');
    // Another code on the comment does not silence this one.
    client.change(uri, silenced.replace('disable-next-line NR022', 'disable-next-line NR020'));
    await client.waitForDiagnostics(uri, has('NR022'), 'NR022 back with another code');
  });
});
