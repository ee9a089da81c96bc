// Addresses, CIDRs and the partition of the address space into external peers.
import { strict as assert } from 'node:assert';
import {
  cidrRange,
  formatIp,
  formatRange,
  isStrictlyInside,
  partition,
  parseCidr,
  parseIp,
  rangeContains,
  subtractRanges,
  type IpRange,
} from '../../../server/src/engine';
import { random } from './random';

function cidr(text: string) {
  const parsed = parseCidr(text);
  assert.ok(parsed.ok, `${text}: ${parsed.ok ? '' : parsed.reason}`);
  return parsed.cidr;
}

function range(text: string): IpRange {
  return cidrRange(cidr(text));
}

const show = (ranges: readonly IpRange[]) => ranges.map(formatRange);

describe('engine ip', () => {
  describe('parseIp', () => {
    const good: [string, 4 | 6, bigint][] = [
      ['0.0.0.0', 4, 0n],
      ['10.0.0.1', 4, 0x0a000001n],
      ['255.255.255.255', 4, 0xffffffffn],
      ['::', 6, 0n],
      ['::1', 6, 1n],
      ['fd00::10', 6, (0xfd00n << 112n) | 0x10n],
      ['2001:db8::ff00:42:8329', 6, 0x20010db8000000000000ff0000428329n],
      ['2001:0db8:0000:0000:0000:ff00:0042:8329', 6, 0x20010db8000000000000ff0000428329n],
      ['::ffff:10.0.0.1', 6, 0xffff0a000001n],
      ['FD00::A', 6, (0xfd00n << 112n) | 0xan],
    ];
    for (const [text, family, value] of good) {
      it(`reads ${text}`, () => {
        const ip = parseIp(text);
        assert.ok(ip);
        assert.equal(ip.family, family);
        assert.equal(ip.value, value);
      });
    }
    for (const text of [
      '10.0.0',
      '10.0.0.256',
      '10.0.0.1.2',
      'a.b.c.d',
      '1::2::3',
      '12345::',
      ':::',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7::8',
      '',
    ]) {
      it(`refuses ${JSON.stringify(text)}`, () => assert.equal(parseIp(text), undefined));
    }
    it('notes an octet with a leading zero', () => {
      assert.equal(parseIp('010.0.0.1')?.leadingZeros, true);
      assert.equal(parseIp('10.0.0.1')?.leadingZeros, false);
    });
  });

  describe('formatIp', () => {
    const table: [string, string][] = [
      ['10.0.0.1', '10.0.0.1'],
      ['::', '::'],
      ['::1', '::1'],
      ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::ff00:42:8329'],
      ['fd00:0:0:1:0:0:0:1', 'fd00:0:0:1::1'],
      ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
      ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ];
    for (const [input, output] of table) {
      it(`writes ${input} as ${output}`, () => {
        const ip = parseIp(input)!;
        assert.equal(formatIp(ip.family, ip.value), output);
      });
    }
  });

  describe('parseCidr', () => {
    it('reads IPv4 and IPv6 CIDRs into ranges', () => {
      assert.equal(formatRange(range('10.0.0.0/8')), '10.0.0.0-10.255.255.255');
      assert.equal(formatRange(range('0.0.0.0/0')), '0.0.0.0-255.255.255.255');
      assert.equal(formatRange(range('192.168.1.7/32')), '192.168.1.7-192.168.1.7');
      assert.equal(formatRange(range('fd00::/64')), 'fd00::-fd00::ffff:ffff:ffff:ffff');
      assert.equal(formatRange(range('::/0')), '::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
      assert.equal(formatRange(range('2001:db8::1/128')), '2001:db8::1-2001:db8::1');
    });
    it('keeps the written address and notes host bits', () => {
      const c = cidr('10.1.2.3/8');
      assert.equal(c.hostBitsSet, true);
      assert.equal(formatIp(4, c.network), '10.0.0.0');
      assert.equal(formatIp(4, c.address), '10.1.2.3');
      assert.equal(cidr('10.0.0.0/8').hostBitsSet, false);
      assert.equal(cidr('fd00::1/64').hostBitsSet, true);
    });
    const bad: [string, RegExp][] = [
      ['10.0.0.0', /prefix length/],
      ['10.0.0.0/33', /exceeds 32/],
      ['fd00::/129', /exceeds 128/],
      ['10.0.0.0/x', /not a prefix length/],
      ['10.0.0/8', /not an IP address/],
      ['10.0.0.0/-1', /not a prefix length/],
    ];
    for (const [text, reason] of bad) {
      it(`refuses ${text}`, () => {
        const parsed = parseCidr(text);
        assert.equal(parsed.ok, false);
        if (!parsed.ok) assert.match(parsed.reason, reason);
      });
    }
  });

  describe('ranges', () => {
    it('subtracts holes (cidr minus except)', () => {
      assert.deepEqual(show(subtractRanges([range('10.0.0.0/8')], [range('10.1.0.0/16')])), [
        '10.0.0.0-10.0.255.255',
        '10.2.0.0-10.255.255.255',
      ]);
      assert.deepEqual(show(subtractRanges([range('10.0.0.0/8')], [range('10.0.0.0/9'), range('10.255.255.255/32')])), [
        '10.128.0.0-10.255.255.254',
      ]);
      assert.deepEqual(show(subtractRanges([range('10.0.0.0/8')], [range('10.0.0.0/8')])), []);
      assert.deepEqual(show(subtractRanges([range('10.0.0.0/8')], [range('fd00::/8')])), ['10.0.0.0-10.255.255.255']);
    });
    it('tells strictly-inside ranges', () => {
      assert.equal(isStrictlyInside(range('10.1.0.0/16'), range('10.0.0.0/8')), true);
      assert.equal(isStrictlyInside(range('10.0.0.0/8'), range('10.0.0.0/8')), false);
      assert.equal(isStrictlyInside(range('11.0.0.0/16'), range('10.0.0.0/8')), false);
      assert.equal(isStrictlyInside(range('::/128'), range('0.0.0.0/0')), false);
    });
    it('contains by family', () => {
      assert.equal(rangeContains(range('0.0.0.0/0'), 6, 1n), false);
      assert.equal(rangeContains(range('::/0'), 6, 1n), true);
    });
  });

  describe('partition', () => {
    it('cuts the space at every start and end+1 (the README example)', () => {
      const ranges = subtractRanges([range('0.0.0.0/0')], ['10.0.0.0/8', '172.21.0.0/16', '172.30.0.0/16'].map(range));
      assert.deepEqual(show(partition(ranges, [4])), [
        '0.0.0.0-9.255.255.255',
        '10.0.0.0-10.255.255.255',
        '11.0.0.0-172.20.255.255',
        '172.21.0.0-172.21.255.255',
        '172.22.0.0-172.29.255.255',
        '172.30.0.0-172.30.255.255',
        '172.31.0.0-255.255.255.255',
      ]);
    });
    it('gives the whole space of each listed family when nothing cuts it', () => {
      assert.deepEqual(show(partition([], [4])), ['0.0.0.0-255.255.255.255']);
      assert.deepEqual(show(partition([range('fd00::/8')], [4, 6])), [
        '0.0.0.0-255.255.255.255',
        '::-fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
        'fd00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
        'fe00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      ]);
    });
    it('pieces cover the space without gaps, and every input range is a union of whole pieces', () => {
      const rng = random(7);
      for (let round = 0; round < 300; round++) {
        const inputs: IpRange[] = [];
        for (let n = rng.int(6); n > 0; n--) {
          const prefix = 1 + rng.int(32);
          const address = BigInt(rng.int(2 ** 32));
          inputs.push(range(`${formatIp(4, address)}/${prefix}`));
        }
        const pieces = partition(inputs, [4]);
        assert.equal(pieces[0].start, 0n);
        assert.equal(pieces[pieces.length - 1].end, 0xffffffffn);
        for (let i = 1; i < pieces.length; i++) assert.equal(pieces[i].start, pieces[i - 1].end + 1n);
        for (const input of inputs) {
          for (const piece of pieces) {
            const inside = input.start <= piece.start && piece.end <= input.end;
            const outside = piece.end < input.start || piece.start > input.end;
            assert.ok(inside || outside, `${formatRange(piece)} straddles ${formatRange(input)}`);
          }
        }
      }
    });
  });
});
