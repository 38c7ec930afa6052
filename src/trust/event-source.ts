/**
 * Where an event came from, as the ingest path records it (events.input, events.peer), and the
 * names trust rules use for it:
 *
 *   input 'vtp-receiver'    peer "1.2.3.4:5678" / "[::1]:5678"   address "1.2.3.4"
 *   input 'vtp-subscriber'  peer "host:port" (the upstream)     name "upstream:host:port"
 *   input 'gcn-kafka'       peer = the Kafka topic               name "gcn:<topic>"
 *   input 'replay'          peer = the archive or file           name "replay:<file>"
 *   any other input         name "<input>:<peer>"
 */

export interface EventSource {
  input: string;
  peer: string;
  /** The peer's IP address (vtp-receiver only), as the socket reported it. */
  address?: string;
  /** The name trust rules match against (non-receiver inputs). */
  name: string;
}

const NAME_PREFIX: Readonly<Record<string, string>> = {
  'vtp-subscriber': 'upstream',
  'gcn-kafka': 'gcn',
  replay: 'replay',
};

/** "1.2.3.4:5678" -> "1.2.3.4"; "[::1]:5678" -> "::1" (connection.ts peerName's format). */
export function addressOfPeer(peer: string): string {
  if (peer.startsWith('[')) {
    const end = peer.indexOf(']');
    return end > 0 ? peer.slice(1, end) : peer;
  }
  const colon = peer.lastIndexOf(':');
  return colon > 0 ? peer.slice(0, colon) : peer;
}

export function eventSource(input: string, peer: string): EventSource {
  if (input === 'vtp-receiver') {
    const address = addressOfPeer(peer);
    return { input, peer, address, name: address };
  }
  return { input, peer, name: `${NAME_PREFIX[input] ?? input}:${peer}` };
}
