// connlist: the rows (sorted, no self pairs, external ranges as pieces of the address space)
// and each output format, golden on one small case.
import { strict as assert } from 'node:assert';
import { connlist, CONNLIST_FORMATS, formatConnlist } from '../../../server/src/engine';
import { fixture, pod } from './helpers';

const fx = fixture({
  'cluster.yaml': [
    pod('shop/web', { app: 'web' }),
    pod('shop/db', { app: 'db' }),
    pod('shop/web-2', { app: 'web' }, { owner: 'ReplicaSet/web-7f9' }),
  ].join('\n---\n'),
  'policies.yaml': `
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: db, namespace: shop}
    spec:
      podSelector: {matchLabels: {app: db}}
      policyTypes: [Ingress, Egress]
      ingress:
        - from: [{podSelector: {matchLabels: {app: web}}}]
          ports: [{port: 5432}, {port: 5433, protocol: UDP}]
        - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
          ports: [{port: 22}]
  `,
});

const ROWS = [
  { src: '0.0.0.0-9.255.255.255[External]', dst: 'shop/web-7f9[ReplicaSet]', conn: 'All Connections' },
  { src: '0.0.0.0-9.255.255.255[External]', dst: 'shop/web[Pod]', conn: 'All Connections' },
  { src: '10.0.0.0-10.0.255.255[External]', dst: 'shop/db[Pod]', conn: 'TCP 22' },
  { src: '10.0.0.0-10.0.255.255[External]', dst: 'shop/web-7f9[ReplicaSet]', conn: 'All Connections' },
  { src: '10.0.0.0-10.0.255.255[External]', dst: 'shop/web[Pod]', conn: 'All Connections' },
  { src: '10.1.0.0-10.1.255.255[External]', dst: 'shop/web-7f9[ReplicaSet]', conn: 'All Connections' },
  { src: '10.1.0.0-10.1.255.255[External]', dst: 'shop/web[Pod]', conn: 'All Connections' },
  { src: '10.2.0.0-10.255.255.255[External]', dst: 'shop/db[Pod]', conn: 'TCP 22' },
  { src: '10.2.0.0-10.255.255.255[External]', dst: 'shop/web-7f9[ReplicaSet]', conn: 'All Connections' },
  { src: '10.2.0.0-10.255.255.255[External]', dst: 'shop/web[Pod]', conn: 'All Connections' },
  { src: '11.0.0.0-255.255.255.255[External]', dst: 'shop/web-7f9[ReplicaSet]', conn: 'All Connections' },
  { src: '11.0.0.0-255.255.255.255[External]', dst: 'shop/web[Pod]', conn: 'All Connections' },
  { src: 'shop/web-7f9[ReplicaSet]', dst: '0.0.0.0-255.255.255.255[External]', conn: 'All Connections' },
  { src: 'shop/web-7f9[ReplicaSet]', dst: 'shop/db[Pod]', conn: 'TCP 5432,UDP 5433' },
  { src: 'shop/web-7f9[ReplicaSet]', dst: 'shop/web[Pod]', conn: 'All Connections' },
  { src: 'shop/web[Pod]', dst: '0.0.0.0-255.255.255.255[External]', conn: 'All Connections' },
  { src: 'shop/web[Pod]', dst: 'shop/db[Pod]', conn: 'TCP 5432,UDP 5433' },
  { src: 'shop/web[Pod]', dst: 'shop/web-7f9[ReplicaSet]', conn: 'All Connections' },
];

describe('engine connlist', () => {
  it('lists every allowed directed pair, sorted by source then destination', () => {
    // db is isolated for egress without rules: it reaches nothing; no self pairs; no IP-to-IP.
    assert.deepEqual(connlist(fx.index()), ROWS);
  });

  it('an empty workspace (no workloads) lists nothing, not even IP ranges', () => {
    const empty = fixture(
      '{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: p, namespace: x}, spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}]}]}}',
    );
    assert.deepEqual(connlist(empty.index()), []);
    assert.equal(formatConnlist([], 'json'), '[]\n');
  });

  const small = ROWS.filter((r) => !r.src.includes('External') && !r.dst.includes('External')).slice(0, 2);
  small.push({ src: '10.0.0.0-10.0.255.255[External]', dst: 'shop/db[Pod]', conn: 'TCP 22' });

  it('txt', () => {
    assert.equal(
      formatConnlist(small, 'txt'),
      [
        'shop/web-7f9[ReplicaSet] => shop/db[Pod] : TCP 5432,UDP 5433',
        'shop/web-7f9[ReplicaSet] => shop/web[Pod] : All Connections',
        '10.0.0.0-10.0.255.255[External] => shop/db[Pod] : TCP 22',
        '',
      ].join('\n'),
    );
  });

  it('json: an array of {src, dst, conn}, two-space indented', () => {
    const text = formatConnlist(small, 'json');
    assert.deepEqual(JSON.parse(text), small);
    assert.equal(text, `${JSON.stringify(small, null, 2)}\n`);
    assert.match(text, /^\[\n {2}\{\n {4}"src": "shop\/web-7f9\[ReplicaSet\]",/);
  });

  it('md: a table', () => {
    assert.equal(
      formatConnlist(small, 'md'),
      [
        '| src | dst | conn |',
        '|-----|-----|------|',
        '| shop/web-7f9[ReplicaSet] | shop/db[Pod] | TCP 5432,UDP 5433 |',
        '| shop/web-7f9[ReplicaSet] | shop/web[Pod] | All Connections |',
        '| 10.0.0.0-10.0.255.255[External] | shop/db[Pod] | TCP 22 |',
        '',
      ].join('\n'),
    );
  });

  it('csv: a header, and fields with commas quoted', () => {
    assert.equal(
      formatConnlist(small, 'csv'),
      [
        'src,dst,conn',
        'shop/web-7f9[ReplicaSet],shop/db[Pod],"TCP 5432,UDP 5433"',
        'shop/web-7f9[ReplicaSet],shop/web[Pod],All Connections',
        '10.0.0.0-10.0.255.255[External],shop/db[Pod],TCP 22',
        '',
      ].join('\n'),
    );
    assert.equal(formatConnlist([{ src: 'a"b', dst: 'c', conn: 'd' }], 'csv'), 'src,dst,conn\n"a""b",c,d\n');
  });

  it('dot: a digraph, nodes sorted, external ranges in red', () => {
    assert.equal(
      formatConnlist(small, 'dot'),
      [
        'digraph {',
        '\t"10.0.0.0-10.0.255.255[External]" [label="10.0.0.0-10.0.255.255[External]" color="red2" fontcolor="red2"]',
        '\t"shop/db[Pod]" [label="shop/db[Pod]" color="blue" fontcolor="blue"]',
        '\t"shop/web-7f9[ReplicaSet]" [label="shop/web-7f9[ReplicaSet]" color="blue" fontcolor="blue"]',
        '\t"shop/web[Pod]" [label="shop/web[Pod]" color="blue" fontcolor="blue"]',
        '\t"shop/web-7f9[ReplicaSet]" -> "shop/db[Pod]" [label="TCP 5432,UDP 5433" color="gold2" fontcolor="darkgreen"]',
        '\t"shop/web-7f9[ReplicaSet]" -> "shop/web[Pod]" [label="All Connections" color="gold2" fontcolor="darkgreen"]',
        '\t"10.0.0.0-10.0.255.255[External]" -> "shop/db[Pod]" [label="TCP 22" color="gold2" fontcolor="darkgreen"]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('offers exactly these formats', () => {
    assert.deepEqual([...CONNLIST_FORMATS], ['txt', 'json', 'md', 'csv', 'dot']);
  });
});
