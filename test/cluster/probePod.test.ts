// The probe pod manifest and the program inside it. The program is run for real with the
// local POSIX shell, with a stand-in for `/agnhost connect` that answers like agnhost does
// (exit 0 on success; TIMEOUT / REFUSED / DNS: / OTHER: / UNKNOWN: on stderr and exit 1).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  batchTargets,
  buildProbePod,
  DEFAULT_PROBE_IMAGE,
  formatTarget,
  parseTerminationMessage,
  PROBE_SCRIPT,
  probeLabels,
  TERMINATION_MESSAGE_LIMIT,
} from '../../server/src/cluster/probePod';
import type { Pod } from './double';
import { assertSafeProbePod } from './helpers';

const run = promisify(execFile);

/** Runs PROBE_SCRIPT with /agnhost and /dev/termination-log redirected into a temp dir. */
async function runScript(
  targets: string,
  agnhost: string,
  files: string[] = [],
): Promise<{ stdout: string; log: string; code: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'netreach-probe-'));
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), '');
  }
  const fake = path.join(dir, 'agnhost');
  writeFileSync(fake, `#!/bin/sh\n${agnhost}\n`);
  chmodSync(fake, 0o755);
  const log = path.join(dir, 'termination-log');
  writeFileSync(log, '');
  const script = PROBE_SCRIPT.replaceAll('/agnhost ', `${fake} `).replaceAll('/dev/termination-log', log);
  assert.notEqual(script, PROBE_SCRIPT, 'the script calls /agnhost and writes /dev/termination-log');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    NETREACH_TARGETS: targets,
    NETREACH_CONNECT_TIMEOUT: '2',
    NETREACH_SETTLE_SECONDS: '0',
  };
  try {
    const { stdout } = await run('/bin/sh', ['-c', script], { env, cwd: dir });
    return { stdout, log: readFileSync(log, 'utf8'), code: 0 };
  } catch (error) {
    const e = error as { code?: number; stdout?: string };
    return { stdout: e.stdout ?? '', log: readFileSync(log, 'utf8'), code: e.code ?? -1 };
  }
}

const sortLines = (text: string) => text.split('\n').filter(Boolean).sort();

describe('probe pod program (run with the real POSIX shell)', () => {
  it('writes one `PROTO/IP:PORT RESULT` line per target to the termination log and stdout, and exits 0', async () => {
    // The stand-in answers by port, the way agnhost connect reports each failure.
    const agnhost = [
      'for a in "$@"; do case "$a" in --protocol=*) proto="${a#--protocol=}";; --timeout=*) t="${a#--timeout=}";; connect) ;; *) dest="$a";; esac; done',
      '[ "$t" = "2s" ] || { echo "UNKNOWN: bad timeout $t" >&2; exit 1; }',
      'case "$dest" in',
      '  *:80) exit 0 ;;',
      '  *:81) echo TIMEOUT >&2; exit 1 ;;',
      '  *:82) echo REFUSED >&2; exit 1 ;;',
      '  *:83) echo "DNS: lookup failed" >&2; exit 1 ;;',
      '  *:84) echo "OTHER: no route to host" >&2; exit 1 ;;',
      '  *:85) echo "UNKNOWN: read: connection reset by peer" >&2; exit 1 ;;',
      'esac',
      '[ "$proto" = udp ] && [ "$dest" = "[fd00::1]:53" ] && exit 0',
      'exit 9',
    ].join('\n');
    const targets = [
      'TCP/10.0.0.1:80',
      'TCP/10.0.0.1:81',
      'TCP/10.0.0.1:82',
      'TCP/10.0.0.1:83',
      'TCP/10.0.0.1:84',
      'TCP/10.0.0.1:85',
      'UDP/[fd00::1]:53',
      'XTP/10.0.0.1:80',
    ];
    const { stdout, log, code } = await runScript(targets.join(' '), agnhost);
    assert.equal(code, 0);
    const expected = [
      'TCP/10.0.0.1:80 CONNECTED',
      'TCP/10.0.0.1:81 TIMEOUT',
      'TCP/10.0.0.1:82 REFUSED',
      'TCP/10.0.0.1:83 DNS',
      'TCP/10.0.0.1:84 OTHER',
      'TCP/10.0.0.1:85 OTHER',
      'UDP/[fd00::1]:53 CONNECTED',
      'XTP/10.0.0.1:80 OTHER',
    ].sort();
    assert.deepEqual(sortLines(log), expected);
    assert.deepEqual(sortLines(stdout), expected);
    const parsed = parseTerminationMessage(log);
    assert.equal(parsed.get('UDP/[fd00::1]:53'), 'CONNECTED');
    assert.equal(parsed.size, 8);
  });

  it('does not glob-expand IPv6 brackets, even when a matching file exists', async () => {
    // Unquoted, `TCP/[fd00::1]:80` is a glob that matches a file named `TCP/f:80`.
    const { log } = await runScript('TCP/[fd00::1]:80', 'exit 0', ['TCP/f:80']);
    assert.deepEqual(sortLines(log), ['TCP/[fd00::1]:80 CONNECTED']);
  });

  it('probes targets in parallel: total time is about one connect, not the sum', async () => {
    const started = Date.now();
    const targets = Array.from({ length: 8 }, (_, i) => `TCP/10.0.0.${i + 1}:80`).join(' ');
    const { log } = await runScript(targets, 'sleep 1; echo TIMEOUT >&2; exit 1');
    assert.equal(sortLines(log).length, 8);
    assert.ok(Date.now() - started < 6000, 'eight 1 s attempts did not run one after the other');
  });
});

describe('probe pod manifest', () => {
  const pod = buildProbePod({
    name: 'netreach-ab12cd34-0',
    namespace: 'shop',
    runId: 'ab12cd34',
    identity: {
      app: 'client',
      tier: 'web',
      'pod-template-hash': '5c6b',
      'controller-revision-hash': 'x',
      'job-name': 'j',
    },
    targets: ['TCP/10.244.0.11:8080', 'UDP/10.244.0.11:53'],
    owner: { name: 'netreach-ab12cd34', uid: '1111-2222' },
    connectTimeoutSeconds: 3,
    settleSeconds: 3,
    activeDeadlineSeconds: 120,
    imagePullSecrets: ['mirror-creds'],
  }) as unknown as Pod;

  it('carries the identity labels and ours, never controller-managed ones', () => {
    assert.deepEqual(pod.metadata.labels, {
      app: 'client',
      tier: 'web',
      'app.kubernetes.io/managed-by': 'netreach',
      'netreach.io/run-id': 'ab12cd34',
    });
    assert.deepEqual(probeLabels({ 'app.kubernetes.io/managed-by': 'helm', app: 'x' }, 'r').dropped, [
      'app.kubernetes.io/managed-by',
    ]);
  });

  it('meets every safety property of docs/probing.md', () => {
    assertSafeProbePod(pod);
    assert.equal(pod.metadata.namespace, 'shop');
    assert.deepEqual(pod.metadata.ownerReferences, [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: 'netreach-ab12cd34',
        uid: '1111-2222',
        controller: true,
        blockOwnerDeletion: false,
      },
    ]);
    assert.equal(pod.spec.activeDeadlineSeconds, 120);
    assert.equal(pod.spec.containers[0].image, DEFAULT_PROBE_IMAGE);
    assert.match(DEFAULT_PROBE_IMAGE, /^registry\.k8s\.io\/e2e-test-images\/agnhost:\d+\.\d+$/, 'pinned, not :latest');
    assert.deepEqual(pod.spec.imagePullSecrets, [{ name: 'mirror-creds' }]);
    assert.deepEqual(pod.spec.containers[0].env, [
      { name: 'NETREACH_TARGETS', value: 'TCP/10.244.0.11:8080 UDP/10.244.0.11:53' },
      { name: 'NETREACH_CONNECT_TIMEOUT', value: '3' },
      { name: 'NETREACH_SETTLE_SECONDS', value: '3' },
    ]);
  });

  it('formats IPv6 targets with brackets', () => {
    assert.equal(formatTarget({ proto: 'TCP', ip: 'fd00::1', port: 80 }), 'TCP/[fd00::1]:80');
    assert.equal(formatTarget({ proto: 'UDP', ip: '10.0.0.1', port: 53 }), 'UDP/10.0.0.1:53');
  });
});

describe('splitting targets across pods', () => {
  it("keeps each pod's worst-case result message within 4 KiB and within the per-pod cap", () => {
    const targets = Array.from({ length: 400 }, (_, i) => `TCP/[fd00:1234:5678:9abc::${i.toString(16)}]:${40000 + i}`);
    const batches = batchTargets(targets, 1000);
    assert.deepEqual(batches.flat(), targets, 'every target, in order, once');
    for (const b of batches) {
      const bytes = b.reduce((n, t) => n + Buffer.byteLength(`${t} CONNECTED\n`), 0);
      assert.ok(bytes <= TERMINATION_MESSAGE_LIMIT, `${bytes} bytes`);
    }
    assert.ok(batches.length > 1);
    assert.deepEqual(
      batchTargets(targets.slice(0, 7), 3).map((b) => b.length),
      [3, 3, 1],
    );
  });

  it('reads results and ignores anything that is not a result line', () => {
    const results = parseTerminationMessage(
      'TCP/10.0.0.1:80 CONNECTED\nnoise here\nTCP/10.0.0.2:80 MAYBE\n\nUDP/10.0.0.3:53 TIMEOUT\n',
    );
    assert.deepEqual(
      [...results],
      [
        ['TCP/10.0.0.1:80', 'CONNECTED'],
        ['UDP/10.0.0.3:53', 'TIMEOUT'],
      ],
    );
  });
});
