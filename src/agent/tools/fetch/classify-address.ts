import { isIPv4, isIPv6 } from 'node:net';

/**
 * What kind of place an IP address is, for deciding whether an agent's HTTP request may go there. Only
 * `public` is reachable by default. Addresses are read as bytes, so every spelling of one address (an
 * IPv4-mapped IPv6 form, a NAT64 or 6to4 wrapper, a compressed or zero-padded IPv6) classifies the same.
 */
export type AddressKind = 'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved' | 'not-an-ip';

export interface AddressClass {
  kind: AddressKind;
  /** The IPv4 address an IPv6 form carries (mapped, NAT64, 6to4), when that decided the kind. */
  embeddedIPv4?: string;
  /** Why, in words, for the refusal message. */
  reason: string;
}

type Range = [prefix: number[], bits: number, kind: AddressKind, reason: string];

const IPV4_RANGES: Range[] = [
  [[0], 8, 'unspecified', 'the "this network" block 0.0.0.0/8'],
  [[10], 8, 'private', 'the private block 10.0.0.0/8'],
  [[100, 64], 10, 'private', 'the carrier-grade NAT block 100.64.0.0/10'],
  [[127], 8, 'loopback', 'the loopback block 127.0.0.0/8'],
  // 169.254.169.254 (cloud metadata) is in here.
  [[169, 254], 16, 'link-local', 'the link-local block 169.254.0.0/16 (where cloud metadata services live)'],
  [[172, 16], 12, 'private', 'the private block 172.16.0.0/12'],
  [[192, 0, 0], 24, 'reserved', 'the IETF protocol block 192.0.0.0/24'],
  [[192, 0, 2], 24, 'reserved', 'the documentation block 192.0.2.0/24'],
  [[192, 88, 99], 24, 'reserved', 'the 6to4 relay block 192.88.99.0/24'],
  [[192, 168], 16, 'private', 'the private block 192.168.0.0/16'],
  [[198, 18], 15, 'reserved', 'the benchmarking block 198.18.0.0/15'],
  [[198, 51, 100], 24, 'reserved', 'the documentation block 198.51.100.0/24'],
  [[203, 0, 113], 24, 'reserved', 'the documentation block 203.0.113.0/24'],
  [[224], 4, 'multicast', 'the multicast block 224.0.0.0/4'],
  [[240], 4, 'reserved', 'the reserved block 240.0.0.0/4 (and broadcast)'],
];

const IPV6_RANGES: Range[] = [
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'reserved', 'the discard block 100::/64'],
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'reserved', 'the documentation block 2001:db8::/32'],
  [[0x20, 0x01, 0, 0], 32, 'reserved', 'Teredo 2001::/32 (it tunnels to an address it hides)'],
  [[0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48, 'private', 'the local NAT64 block 64:ff9b:1::/48'],
  [[0xfc], 7, 'private', 'the unique local block fc00::/7'],
  [[0xfe, 0x80], 10, 'link-local', 'the link-local block fe80::/10'],
  [[0xfe, 0xc0], 10, 'private', 'the site-local block fec0::/10'],
  [[0xff], 8, 'multicast', 'the multicast block ff00::/8'],
];

function inRange(bytes: number[], prefix: number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((bytes[byte] ?? 0) & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

/** 16 bytes; `::`, an embedded dotted IPv4 tail and a zone id (`%eth0`, dropped) are understood. */
export function ipv6Bytes(address: string): number[] {
  let text = address.replace(/^\[|\]$/g, '');
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail = ipv4Bytes(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all = rest === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = all.flatMap((g) => [(g >> 8) & 0xff, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function classifyIPv4(address: string): AddressClass {
  const bytes = ipv4Bytes(address);
  for (const [prefix, bits, kind, reason] of IPV4_RANGES) if (inRange(bytes, prefix, bits)) return { kind, reason };
  return { kind: 'public', reason: 'a public address' };
}

function embedded(bytes: number[], from: number, why: string): AddressClass {
  const v4 = bytes.slice(from, from + 4).join('.');
  const inner = classifyIPv4(v4);
  return inner.kind === 'public' ? { kind: 'public', embeddedIPv4: v4, reason: `${why} of a public address` } : { kind: inner.kind, embeddedIPv4: v4, reason: `${why} of ${v4}, in ${inner.reason}` };
}

function classifyIPv6(address: string): AddressClass {
  const b = ipv6Bytes(address);
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 16)) return { kind: 'unspecified', reason: 'the unspecified address ::' };
  if (zeros(0, 15) && b[15] === 1) return { kind: 'loopback', reason: 'the loopback address ::1' };
  // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (translated) are the IPv4 address itself.
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return embedded(b, 12, 'the IPv4-mapped form');
  if (zeros(0, 8) && b[8] === 0xff && b[9] === 0xff && zeros(10, 12)) return embedded(b, 12, 'the IPv4-translated form');
  // ::a.b.c.d, IPv4-compatible: deprecated since 2006; nothing legitimate uses it.
  if (zeros(0, 12)) return { kind: 'reserved', embeddedIPv4: b.slice(12).join('.'), reason: 'the deprecated IPv4-compatible block ::/96' };
  if (inRange(b, [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96)) return embedded(b, 12, 'the NAT64 form');
  if (inRange(b, [0x20, 0x02], 16)) return embedded(b, 2, 'the 6to4 form');
  for (const [prefix, bits, kind, reason] of IPV6_RANGES) if (inRange(b, prefix, bits)) return { kind, reason };
  return { kind: 'public', reason: 'a public address' };
}

/** Classifies a literal IP address (IPv4 dotted, IPv6 with or without brackets); anything else is `not-an-ip`. */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIPv4(bare)) return classifyIPv4(bare);
  if (isIPv6(bare) || isIPv6(bare.replace(/%.*$/, ''))) return classifyIPv6(bare);
  return { kind: 'not-an-ip', reason: 'not an IP address' };
}
