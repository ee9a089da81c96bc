// The benchmark's own pieces (no timings here): the generator is deterministic and writes
// input the CLI accepts, and the nca comparison reads both tools' outputs right.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  buildWorkspace,
  connlist,
  exactnessBlockers,
  formatConnections,
  ReachabilityIndex,
} from '../../server/src/engine';
import { generate, workloadCount } from '../bench/generate';
import { compareLines, parseIpEndpoint, parseNcaConnection, readNcaText, type Line } from '../bench/nca';

function filesOf(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      files.set(path.relative(dir, full), readFileSync(full, 'utf8'));
    }
  }
  return files;
}

describe('benchmark', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'netreach-bench-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  describe('generate', () => {
    const shape = { workloads: 60, namespaces: 9, policies: 50, seed: 7 };

    it('writes the same bytes for the same shape and seed, and other bytes for another seed', () => {
      generate(path.join(tmp, 'a'), shape);
      generate(path.join(tmp, 'b'), shape);
      generate(path.join(tmp, 'c'), { ...shape, seed: 8 });
      assert.deepEqual(filesOf(path.join(tmp, 'a')), filesOf(path.join(tmp, 'b')));
      assert.notDeepEqual(filesOf(path.join(tmp, 'a')), filesOf(path.join(tmp, 'c')));
    });

    it('has the asked shape, no exactness blockers, and a non-empty connlist', () => {
      const dir = path.join(tmp, 'shape');
      const summary = generate(dir, shape);
      assert.equal(workloadCount(summary), shape.workloads);
      assert.equal(summary.counts.NetworkPolicy, shape.policies);
      assert.equal(summary.counts.Namespace, shape.namespaces);
      const sources = [...filesOf(dir)].map(([file, text]) => ({ uri: path.join(dir, file), text }));
      const workspace = buildWorkspace(sources);
      assert.equal(workspace.workloads.length, shape.workloads);
      assert.equal(workspace.policies.length, shape.policies);
      assert.deepEqual(exactnessBlockers(workspace), []);
      assert.ok(connlist(new ReachabilityIndex(workspace)).length > 0);
    });
  });

  describe('nca comparison', () => {
    it("reads nca's connection texts", () => {
      assert.equal(formatConnections(parseNcaConnection('All connections')!), 'All Connections');
      assert.equal(formatConnections(parseNcaConnection('{protocols:TCP, UDP,dst_ports:53}')!), 'TCP 53,UDP 53');
      assert.equal(
        formatConnections(parseNcaConnection('{protocols:TCP,dst_ports:80,9092-9094},{protocols:UDP}')!),
        'TCP 80,9092-9094,UDP 1-65535',
      );
      assert.equal(parseNcaConnection('something else'), undefined);
    });

    it("reads IPv4 endpoints in both tools' forms, and not workload names", () => {
      assert.deepEqual(parseIpEndpoint('0.0.0.0-9.255.255.255[External]'), { start: 0, end: 167772159 });
      assert.deepEqual(parseIpEndpoint('10.0.0.0/8'), { start: 167772160, end: 184549375 });
      assert.equal(parseIpEndpoint('shop/web[Deployment]'), undefined);
    });

    it('unites a pair nca prints on several lines, and compares external ranges cut differently', () => {
      const file = path.join(tmp, 'nca.txt');
      writeFileSync(
        file,
        [
          'Warning: something',
          'a/x[Deployment] => b/y[Deployment] : {protocols:TCP,dst_ports:53}',
          'a/x[Deployment] => b/y[Deployment] : {protocols:UDP,dst_ports:53}',
          '0.0.0.0-255.255.255.255 => b/y[Deployment] : All connections',
          '',
        ].join('\n'),
      );
      const theirs = readNcaText(file);
      const ports = (text: string) => parseNcaConnection(text)!;
      const ours: Line[] = [
        { src: 'a/x[Deployment]', dst: 'b/y[Deployment]', ports: ports('{protocols:TCP, UDP,dst_ports:53}') },
        { src: '0.0.0.0-9.255.255.255[External]', dst: 'b/y[Deployment]', ports: ports('All connections') },
        { src: '10.0.0.0-255.255.255.255[External]', dst: 'b/y[Deployment]', ports: ports('All connections') },
      ];
      const result = compareLines(ours, theirs);
      assert.deepEqual(result.pairs, { compared: 1, agree: 1, onlyNca: 0, onlyNetreach: 0, differentPorts: 0 });
      assert.deepEqual(result.pieces, { compared: 2, agree: 2, onlyNca: 0, onlyNetreach: 0, differentPorts: 0 });
    });
  });
});
