/**
 * Whether an IP address is one a sky-map download must not reach by default: loopback,
 * unspecified, link-local (cloud metadata services live at 169.254.169.254), private (RFC 1918,
 * RFC 4193 unique-local), carrier-grade NAT (RFC 6598), multicast and reserved ranges. IPv4
 * mapped into IPv6 (::ffff:a.b.c.d) is judged as the IPv4 address. Uses node's net.BlockList.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

const NON_PUBLIC = new BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // RFC 6598 carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (metadata services)
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NON_PUBLIC.addSubnet(address, prefix, 'ipv4');
}
for (const [address, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // RFC 4193 unique-local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['64:ff9b::', 96], // NAT64 (reaches IPv4, possibly private)
] as const) {
  NON_PUBLIC.addSubnet(address, prefix, 'ipv6');
}

/** True for loopback, link-local, private and other non-public addresses (and for non-addresses). */
export function isNonPublicAddress(rawAddress: string): boolean {
  const address = rawAddress.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return NON_PUBLIC.check(mapped, 'ipv4');
  if (isIPv4(address)) return NON_PUBLIC.check(address, 'ipv4');
  if (isIPv6(address)) return NON_PUBLIC.check(address, 'ipv6');
  return true;
}
