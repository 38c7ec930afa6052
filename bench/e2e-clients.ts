/**
 * The WebSocket clients of bench/e2e.ts, in a child process of their own (forked with an IPC
 * channel), so that the cost of receiving N streams is not charged to the author's VTP
 * submissions and ack timing, and the service's latency is what gets measured.
 *
 * Timestamps come from monotonicMs (e2e-ipc.ts), which compares across processes; the IPC
 * protocol is described there.
 *
 * Per message the client does the least it can: the seq is read from the frame's first bytes
 * (`{"type":"notice","seq":N,`), and the trigger id is looked up once per seq, not per client.
 */
import WebSocket from 'ws';
import { monotonicMs, type ClientsCommand, type ClientsEvent } from './e2e-ipc.ts';

const HEARTBEAT_PREFIX = '{"type":"heartbeat"';
const SEQ_PATTERN = /^\{"type":"[a-z]+","seq":(\d+),/;
const TRIGGER_PATTERN = /"triggerId":"Fermi:(\d+)"/;
/** Clients opened per connection step, then a short pause (the server's accept backlog). */
const CONNECT_STEP = 100;
const CONNECT_PAUSE_MS = 20;

function send(event: ClientsEvent): void {
  process.send?.(event);
}

async function connect(url: string, token: string, count: number): Promise<void> {
  /** Receive times by seq; the seq's trigger id from the first copy that arrived. */
  const timesBySeq = new Map<number, number[]>();
  const triggerBySeq = new Map<number, string>();
  const sockets: WebSocket[] = [];
  let subscribed = 0;

  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${token}` },
      perMessageDeflate: false,
    });
    sockets.push(ws);
    let live = false;
    ws.on('message', (data: Buffer) => {
      const now = monotonicMs();
      const head = data.toString('latin1', 0, 40);
      if (head.startsWith(HEARTBEAT_PREFIX)) {
        // The first heartbeat says the subscription is live; later ones are periodic.
        if (!live) {
          live = true;
          subscribed += 1;
          if (subscribed === count) send({ ev: 'subscribed', count });
        }
        return;
      }
      const seq = Number(SEQ_PATTERN.exec(head)?.[1]);
      if (!Number.isInteger(seq)) return;
      let times = timesBySeq.get(seq);
      if (times === undefined) {
        times = [];
        timesBySeq.set(seq, times);
        const id = TRIGGER_PATTERN.exec(data.toString('utf8'))?.[1];
        if (id !== undefined) triggerBySeq.set(seq, id);
      }
      times.push(now);
    });
    ws.on('open', () => {
      ws.send('{"type":"subscribe","filters":{"types":["notice"]}}');
    });
    ws.on('error', (error) => {
      send({ ev: 'error', message: error.message });
    });
    if (i % CONNECT_STEP === CONNECT_STEP - 1) {
      await new Promise((resolve) => setTimeout(resolve, CONNECT_PAUSE_MS));
    }
  }

  process.on('message', (message: ClientsCommand) => {
    if (message.cmd === 'report') {
      const deliveries: Record<string, number[]> = {};
      for (const [seq, times] of timesBySeq) {
        const id = triggerBySeq.get(seq);
        if (id !== undefined) deliveries[id] = times;
      }
      send({ ev: 'report', deliveries });
    } else if (message.cmd === 'close') {
      for (const ws of sockets) ws.terminate();
      process.disconnect();
    }
  });
}

process.once('message', (message: ClientsCommand) => {
  if (message.cmd !== 'connect') return;
  connect(message.url, message.token, message.count).catch((error: unknown) => {
    send({ ev: 'error', message: String(error) });
  });
});
