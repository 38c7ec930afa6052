/**
 * Peer-address whitelists (Comet comet/utility/whitelist.py), IPv4 and IPv6.
 *
 * Entries are CIDR ("10.0.0.0/8", "2001:db8::/32"), netmask ("10.0.0.0/255.0.0.0") or a bare
 * address (a /32 or /128). Host bits may be set ("10.0.0.1/8" means 10.0.0.0/8), as with
 * Python's ip_network(strict=False). An empty list denies everyone. IPv4-mapped IPv6 peers
 * ("::ffff:127.0.0.1", what a dual-stack listener reports) are checked as IPv4.
 * Matching uses node's net.BlockList (as an allow list).
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { CoincideError } from '../errors.ts';

/** Everyone, IPv4 and IPv6 (Comet's default, 0.0.0.0/0, refuses every IPv6 peer). */
export const ALLOW_ALL: readonly string[] = ['0.0.0.0/0', '::/0'];
/** Loopback only, IPv4 and IPv6: the receiver's default (authors on the same host, as gwcelery runs Comet). */
export const LOOPBACK_ONLY: readonly string[] = ['127.0.0.0/8', '::1/128'];

/** Addresses whose verdict is remembered (the memory is cleared when full). */
const VERDICTS_KEPT = 4096;

export interface Whitelist {
  allows(address: string): boolean;
  readonly entries: readonly string[];
}

function netmaskToPrefix(mask: string): number {
  const bits = mask
    .split('.')
    .map((octet) => Number(octet).toString(2).padStart(8, '0'))
    .join('');
  if (!/^1*0*$/.test(bits)) throw new Error(`not a contiguous netmask: ${mask}`);
  return bits.indexOf('0') === -1 ? 32 : bits.indexOf('0');
}

export function createWhitelist(entries: readonly string[]): Whitelist {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', suffix] = entry.trim().split('/');
    try {
      if (isIPv4(address)) {
        const prefix =
          suffix === undefined ? 32 : suffix.includes('.') ? netmaskToPrefix(suffix) : Number(suffix);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error('bad prefix');
        list.addSubnet(address, prefix, 'ipv4');
      } else if (isIPv6(address)) {
        const prefix = suffix === undefined ? 128 : Number(suffix);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > 128) throw new Error('bad prefix');
        list.addSubnet(address, prefix, 'ipv6');
      } else {
        throw new Error('not an IP address');
      }
    } catch (cause) {
      throw new CoincideError('CONFIG_INVALID', `invalid whitelist entry "${entry}"`, { cause });
    }
  }
  const check = (rawAddress: string): boolean => {
    const address =
      rawAddress.startsWith('::ffff:') && isIPv4(rawAddress.slice(7)) ? rawAddress.slice(7) : rawAddress;
    if (isIPv4(address)) return list.check(address, 'ipv4');
    if (isIPv6(address)) return list.check(address, 'ipv6');
    return false;
  };
  // Verdicts of recent addresses: BlockList.check parses the address into a SocketAddress on
  // every call, a cost of every connection (issue 14); the list never changes once made.
  const verdicts = new Map<string, boolean>();
  return {
    entries: [...entries],
    allows(rawAddress: string): boolean {
      const known = verdicts.get(rawAddress);
      if (known !== undefined) return known;
      const verdict = check(rawAddress);
      if (verdicts.size >= VERDICTS_KEPT) verdicts.clear();
      verdicts.set(rawAddress, verdict);
      return verdict;
    },
  };
}
