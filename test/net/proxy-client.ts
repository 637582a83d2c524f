import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import type { Audit } from '../../lib/audit/bus.js';
import type { AuditEvent } from '../../lib/audit/schema.js';
import { openNetwork, type NetworkSession } from '../../lib/net/index.js';
import type { NetworkPlan } from '../../lib/plan/schema.js';

// Speaks to the proxy's unix socket the way clients inside the sandbox do
// (through the bridge they send the same bytes): HTTP CONNECT, plain
// absolute-URI requests and SOCKS5.

export type NetworkEvent = Extract<AuditEvent, { type: 'network' }>;

/** A session with its proxy listening, as the backend has it once bwrap is spawned; a failed start leaves nothing behind. */
export async function startNetwork(net: NetworkPlan, ctx: { audit: Audit; id: string }): Promise<NetworkSession> {
  const session = openNetwork(net, ctx);
  try {
    await session.listen();
  } catch (err) {
    await session.stop();
    throw err;
  }
  return session;
}

async function open(socketPath: string): Promise<Socket> {
  const s = connect(socketPath);
  await once(s, 'connect');
  return s;
}

/** Reads until `\r\n\r\n`; returns the head and whatever came after it. */
function readHead(s: Socket): Promise<{ head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      s.off('data', onData);
      s.off('close', onClose);
      s.pause();
      resolve({ head: buf.subarray(0, i).toString('latin1'), rest: buf.subarray(i + 4) });
    };
    const onClose = () => reject(new Error(`closed before a response head: ${JSON.stringify(buf.toString('latin1'))}`));
    s.on('data', onData);
    s.once('close', onClose);
  });
}

/** Everything the peer sends until it closes. */
export async function readAll(s: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  s.resume();
  await once(s, 'close');
  return Buffer.concat(chunks);
}

export async function httpConnect(socketPath: string, target: string): Promise<{ status: number; head: string; socket: Socket; rest: Buffer }> {
  const s = await open(socketPath);
  s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  const { head, rest } = await readHead(s);
  return { status: Number(head.split(' ')[1]), head, socket: s, rest };
}

/** Sends raw bytes (a whole request) and returns the whole response once the proxy closes. */
export async function rawExchange(socketPath: string, request: string | Buffer): Promise<string> {
  const s = await open(socketPath);
  s.write(request);
  return (await readAll(s)).toString('latin1');
}

type SocksAddress = { domain: string } | { ipv4: number[] } | { ipv6: number[] };

export async function socks5Connect(socketPath: string, address: SocksAddress, port: number): Promise<{ reply: number; socket: Socket }> {
  const s = await open(socketPath);
  const reader = byteReader(s);
  s.write(Buffer.from([5, 1, 0]));
  const greeting = await reader(2);
  if (greeting[1] !== 0) throw new Error(`SOCKS5 greeting refused: ${[...greeting]}`);
  let addr: Buffer;
  if ('domain' in address) {
    const d = Buffer.from(address.domain, 'latin1');
    addr = Buffer.concat([Buffer.from([3, d.length]), d]);
  } else if ('ipv4' in address) {
    addr = Buffer.from([1, ...address.ipv4]);
  } else {
    addr = Buffer.from([4, ...address.ipv6]);
  }
  const portBytes = Buffer.from([port >> 8, port & 0xff]);
  s.write(Buffer.concat([Buffer.from([5, 1, 0]), addr, portBytes]));
  const reply = await reader(10);
  reader.release();
  return { reply: reply[1]!, socket: s };
}

/** Exact-length reads off a socket, for binary handshakes. */
function byteReader(s: Socket): ((n: number) => Promise<Buffer>) & { release(): void } {
  let buf = Buffer.alloc(0);
  let want: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  const pump = () => {
    if (want && buf.length >= want.n) {
      const out = buf.subarray(0, want.n);
      buf = buf.subarray(want.n);
      const w = want;
      want = null;
      w.resolve(out);
    }
  };
  const onData = (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    pump();
  };
  const onClose = () => want?.reject(new Error(`socket closed with ${buf.length} bytes buffered`));
  s.on('data', onData);
  s.on('close', onClose);
  const read = (n: number) =>
    new Promise<Buffer>((resolve, reject) => {
      want = { n, resolve, reject };
      pump();
      if (want && s.destroyed) onClose();
    });
  return Object.assign(read, {
    release() {
      s.off('data', onData);
      s.off('close', onClose);
      s.pause();
      if (buf.length) s.unshift(buf);
    },
  });
}

/** Collects the network events an audit bus emits. */
export function networkEvents(audit: Audit): { events: NetworkEvent[]; next(pred: (e: NetworkEvent) => boolean, timeoutMs?: number): Promise<NetworkEvent> } {
  const events: NetworkEvent[] = [];
  const waiters: Array<{ pred: (e: NetworkEvent) => boolean; resolve: (e: NetworkEvent) => void }> = [];
  audit.subscribe((e) => {
    if (e.type !== 'network') return;
    events.push(e);
    for (const w of [...waiters]) if (w.pred(e)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  return {
    events,
    next(pred, timeoutMs = 5000) {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching network event in ${timeoutMs} ms; got ${JSON.stringify(events)}`)), timeoutMs);
        waiters.push({ pred, resolve: (e) => { clearTimeout(timer); resolve(e); } });
      });
    },
  };
}
