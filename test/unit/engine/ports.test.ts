// Port-set algebra: union, intersection, difference, the canonical form, the connection
// strings of connlist and their parser, checked on tables and against a brute-force model
// over many random sets.
import { strict as assert } from 'node:assert';
import {
  ALL_PORTS,
  allPortsOf,
  contains,
  describePorts,
  formatConnections,
  intersect,
  isAll,
  isEmpty,
  isSubset,
  NO_PORTS,
  parseConnections,
  portRange,
  portSetKey,
  PortSetTable,
  PROTOCOLS,
  subtract,
  union,
  type PortSet,
  type Protocol,
} from '../../../server/src/engine';
import { random } from './random';

function set(text: string): PortSet {
  const parsed = parseConnections(text);
  assert.ok(parsed, `cannot parse ${text}`);
  return parsed;
}

function ranges(protocol: Protocol, ...pairs: [number, number][]): PortSet {
  return pairs.reduce((acc, [a, b]) => union(acc, portRange(protocol, a, b)), NO_PORTS);
}

describe('engine ports', () => {
  describe('formatConnections', () => {
    const table: [PortSet, string][] = [
      [ALL_PORTS, 'All Connections'],
      [NO_PORTS, 'No Connections'],
      [portRange('TCP', 80), 'TCP 80'],
      [portRange('TCP', 80, 81), 'TCP 80-81'],
      [union(portRange('TCP', 80), portRange('TCP', 443)), 'TCP 80,443'],
      [union(portRange('TCP', 10053, 10054), portRange('UDP', 10053)), 'TCP 10053-10054,UDP 10053'],
      [union(portRange('UDP', 53), portRange('SCTP', 9)), 'SCTP 9,UDP 53'],
      [allPortsOf('UDP'), 'UDP 1-65535'],
      [union(allPortsOf('TCP'), allPortsOf('UDP')), 'TCP 1-65535,UDP 1-65535'],
      [
        subtract(ALL_PORTS, union(union(portRange('TCP', 80), portRange('UDP', 53)), portRange('SCTP', 9003))),
        'SCTP 1-9002,9004-65535,TCP 1-79,81-65535,UDP 1-52,54-65535',
      ],
    ];
    for (const [value, text] of table) {
      it(`formats ${text}`, () => assert.equal(formatConnections(value), text));
    }
    it('merges touching ranges into one', () => {
      assert.equal(formatConnections(union(portRange('TCP', 80, 90), portRange('TCP', 91, 100))), 'TCP 80-100');
      assert.equal(formatConnections(union(portRange('TCP', 91, 100), portRange('TCP', 80, 90))), 'TCP 80-100');
      assert.equal(formatConnections(union(portRange('TCP', 80, 95), portRange('TCP', 85, 100))), 'TCP 80-100');
    });
    it('describes sets for people', () => {
      assert.equal(describePorts(ALL_PORTS), 'all ports');
      assert.equal(describePorts(NO_PORTS), 'no ports');
      assert.equal(describePorts(set('TCP 80,443,UDP 53')), 'TCP 80, 443; UDP 53');
      assert.equal(describePorts(allPortsOf('SCTP')), 'all SCTP');
    });
  });

  describe('parseConnections', () => {
    const table: [string, PortSet][] = [
      ['All Connections', ALL_PORTS],
      ['all connections', ALL_PORTS],
      ['No Connections', NO_PORTS],
      ['TCP 80', portRange('TCP', 80)],
      ['TCP 80-90', portRange('TCP', 80, 90)],
      ['TCP 80,443', ranges('TCP', [80, 80], [443, 443])],
      ['TCP 80,UDP 53', union(portRange('TCP', 80), portRange('UDP', 53))],
      ['TCP 80, UDP 53', union(portRange('TCP', 80), portRange('UDP', 53))],
      ['udp 53', portRange('UDP', 53)],
      ['TCP', allPortsOf('TCP')],
      ['TCP,UDP 53', union(allPortsOf('TCP'), portRange('UDP', 53))],
      ['SCTP 1-9002,9004-65535,TCP 80', union(ranges('SCTP', [1, 9002], [9004, 65535]), portRange('TCP', 80))],
    ];
    for (const [text, value] of table) {
      it(`parses ${text}`, () => assert.equal(portSetKey(set(text)), portSetKey(value)));
    }
    for (const bad of ['80', 'ICMP 1', 'TCP eighty', 'TCP 80-', '-']) {
      it(`refuses ${JSON.stringify(bad)}`, () => assert.equal(parseConnections(bad), undefined));
    }
  });

  describe('the algebra against a brute-force model', () => {
    // Sets live on ports 1..24 (plus, sometimes, everything), so membership can be checked
    // at every port that matters: 0..26 and the top of the range.
    const probes = [...Array.from({ length: 27 }, (_, i) => i), 65534, 65535];
    const rng = random(20240601);
    const randomSet = (): PortSet => {
      if (rng.int(12) === 0) return ALL_PORTS;
      let result = NO_PORTS;
      for (let n = rng.int(5); n > 0; n--) {
        const start = 1 + rng.int(24);
        const end = Math.min(24, start + rng.int(5));
        result = union(result, portRange(rng.pick(PROTOCOLS), start, end));
      }
      return result;
    };
    const members = (s: PortSet) =>
      new Set(PROTOCOLS.flatMap((p) => probes.filter((port) => contains(s, p, port)).map((port) => `${p}/${port}`)));
    const same = (actual: PortSet, expected: Set<string>, what: string) =>
      assert.deepEqual([...members(actual)].sort(), [...expected].sort(), what);

    it('union, intersection and difference match set operations; the form is canonical', () => {
      for (let i = 0; i < 2000; i++) {
        const a = randomSet();
        const b = randomSet();
        const ma = members(a);
        const mb = members(b);
        const what = `${formatConnections(a)} / ${formatConnections(b)}`;
        same(union(a, b), new Set([...ma, ...mb]), `union of ${what}`);
        same(intersect(a, b), new Set([...ma].filter((m) => mb.has(m))), `intersection of ${what}`);
        same(subtract(a, b), new Set([...ma].filter((m) => !mb.has(m))), `difference of ${what}`);
        // Canonical: equal sets, equal keys, however they were built.
        assert.equal(portSetKey(union(a, b)), portSetKey(union(b, a)));
        assert.equal(portSetKey(intersect(a, b)), portSetKey(intersect(b, a)));
        assert.equal(
          portSetKey(union(subtract(a, b), intersect(a, b))),
          portSetKey(a),
          `a = (a-b) + (a&b) for ${what}`,
        );
        assert.equal(isSubset(intersect(a, b), a), true);
        assert.equal(isSubset(a, union(a, b)), true);
        assert.equal(
          isSubset(a, b),
          [...ma].every((m) => mb.has(m)),
          `subset ${what}`,
        );
        assert.equal(isEmpty(subtract(a, a)), true);
        // Intervals stay sorted, disjoint and non-touching.
        for (const s of [union(a, b), intersect(a, b), subtract(a, b)]) {
          for (const p of PROTOCOLS) {
            const iv = s[p];
            for (let k = 0; k < iv.length; k += 2) {
              assert.ok(iv[k] <= iv[k + 1], `interval order in ${formatConnections(s)}`);
              if (k > 0) assert.ok(iv[k] > iv[k - 1] + 1, `touching intervals in ${formatConnections(s)}`);
            }
          }
        }
      }
    });

    it('format and parse round-trip', () => {
      for (let i = 0; i < 2000; i++) {
        const a = randomSet();
        const text = formatConnections(a);
        assert.equal(portSetKey(set(text)), portSetKey(a), `round trip of ${text}`);
      }
    });

    it('the interning table returns the same ids as the plain operations', () => {
      const table = new PortSetTable();
      for (let i = 0; i < 500; i++) {
        const a = randomSet();
        const b = randomSet();
        const ia = table.intern(a);
        const ib = table.intern(b);
        assert.equal(table.intern(a), ia, 'interning is stable');
        assert.equal(portSetKey(table.get(table.union(ia, ib))), portSetKey(union(a, b)));
        assert.equal(portSetKey(table.get(table.intersect(ia, ib))), portSetKey(intersect(a, b)));
        assert.equal(table.union(ia, ib), table.union(ib, ia));
      }
      assert.equal(table.get(table.none), NO_PORTS);
      assert.equal(isAll(table.get(table.all)), true);
    });
  });
});
