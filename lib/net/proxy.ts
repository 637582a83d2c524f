import { createServer as createNetServer, type Socket } from 'node:net';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { Socks5Server } from '@pondwader/socks5-server';
import { admit, coalesced, systemResolver, warmLookup, type Admission, type Resolver } from './admit.js';
import type { AllowEntry } from './allowlist.js';
import { AttemptLog, type Attempt, type AttemptReport } from './attempt.js';
import { splitHostPort } from './host.js';
import { connectPinned } from './upstream.js';

// The host side of the sandbox's only route out: one unix socket that speaks
// HTTP (absolute-URI requests and CONNECT) and SOCKS5, told apart by the
// first byte. Every destination goes through admit(); bodies are streamed.

export interface ProxyOptions {
  allowlist: readonly AllowEntry[];
  report(attempt: AttemptReport): void;
  resolve?: Resolver;
  connectTimeoutMs?: number;
  /** How long a client may take to say where it wants to go. */
  handshakeTimeoutMs?: number;
}

export interface RunningProxy {
  /** Stops listening, destroys every connection, reports every open attempt. Never hangs. */
  close(): Promise<void>;
}

const SOCKS_VERSION = 0x05;
const STOP_GRACE_MS = 200;

// Hop-by-hop headers (RFC 9110 7.6.1) plus those the proxy sets itself:
// `host` always comes from the request URI, so a Host header naming another
// site cannot pick a different virtual host behind an admitted address.
const NOT_FORWARDED = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'expect',
]);

function forwardableHeaders(raw: string[]): string[] {
  const listed = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'connection') for (const n of raw[i + 1]!.split(',')) listed.add(n.trim().toLowerCase());
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!NOT_FORWARDED.has(name) && !listed.has(name)) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

function refusalText(host: string, port: number, reason: string): string {
  const fix = reason === 'not-in-allowlist' || reason === 'port-not-in-allowlist' ? ` If the command needs it, add "${host}:${port}" to network.domains in the policy.` : '';
  return `sbsh: network access to ${host}:${port} refused (${reason}).${fix}\n`;
}

function httpStatusFor(reason: string): [number, string] {
  return reason.startsWith('resolve-failed') ? [502, 'Bad Gateway'] : [403, 'Forbidden'];
}

/** What the SOCKS5 validator hands the connection handler. */
type SocksConnection = {
  socket: Socket;
  destAddress: string;
  destPort: number;
  metadata: { verdict: Admission; upstream?: Socket; error?: string };
};

function errorCode(err: unknown): string {
  return (err as { code?: string } | undefined)?.code ?? 'ERROR';
}

type SocksStatus = 'CONNECTION_NOT_ALLOWED' | 'HOST_UNREACHABLE' | 'NETWORK_UNREACHABLE' | 'CONNECTION_REFUSED' | 'GENERAL_FAILURE';

function socksStatusFor(code: string): SocksStatus {
  switch (code) {
    case 'ECONNREFUSED': return 'CONNECTION_REFUSED';
    case 'ENETUNREACH': return 'NETWORK_UNREACHABLE';
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT': return 'HOST_UNREACHABLE';
    default: return 'GENERAL_FAILURE';
  }
}

/** Two-way pipe; either side closing or failing tears down the other. */
function splice(a: Duplex, b: Duplex): void {
  if (a.destroyed || b.destroyed) {
    a.destroy();
    b.destroy();
    return;
  }
  a.pipe(b);
  b.pipe(a);
  a.once('close', () => b.destroy());
  b.once('close', () => a.destroy());
}

/** A parsed `http://` proxy request target, or null. */
function httpTarget(url: string | undefined): { host: string; port: number; authority: string; path: string } | null {
  if (!url || !/^http:\/\//i.test(url)) return null;
  try {
    const u = new URL(url);
    return { host: u.hostname, port: u.port ? Number(u.port) : 80, authority: u.host, path: `${u.pathname}${u.search}` };
  } catch {
    return null;
  }
}

export function startProxy(socketPath: string, opts: ProxyOptions): Promise<RunningProxy> {
  const resolve = coalesced(opts.resolve ?? systemResolver);
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 30_000;
  const attempts = new AttemptLog(opts.report);
  const live = new Set<Duplex>();
  let stopped = false;

  function track<T extends Duplex>(s: T): T {
    live.add(s);
    // Errors end the connection through 'close'; an unhandled one would crash sbsh.
    s.on('error', () => {});
    s.once('close', () => live.delete(s));
    if (stopped) s.destroy();
    return s;
  }

  async function decide(attempt: Attempt): Promise<Admission> {
    let verdict = await admit(opts.allowlist, attempt.host, attempt.port, resolve);
    if (stopped) verdict = { allowed: false, reason: 'proxy-stopped' };
    if (!verdict.allowed) attempt.finish(false, verdict.reason);
    return verdict;
  }

  /**
   * Connects an admitted attempt and reports it when the upstream closes;
   * null when the client hung up while its destination was being checked.
   */
  function openUpstream(attempt: Attempt, verdict: Extract<Admission, { allowed: true }>, client: Duplex): Socket | null {
    if (client.destroyed) {
      attempt.finish(true, `${verdict.reason} client-closed`);
      return null;
    }
    const up = track(connectPinned(verdict.addresses, attempt.port, connectTimeoutMs));
    attempt.upstream = up;
    // Only a failure to connect is worth logging: once connected, EPIPE and
    // ECONNRESET are how ordinary teardowns race.
    let failure = '';
    let connected = false;
    up.once('connect', () => (connected = true));
    up.once('error', (err) => {
      if (!connected) failure = ` upstream-error:${errorCode(err)}`;
    });
    up.once('close', () => attempt.finish(true, verdict.reason + failure));
    return up;
  }

  async function onConnect(req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    const target = splitHostPort(req.url ?? '');
    if (!target) {
      client.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nsbsh: CONNECT needs host:port\n');
      return;
    }
    const attempt = attempts.begin('connect', target.host, target.port);
    const verdict = await decide(attempt);
    if (!verdict.allowed) {
      const [code, text] = httpStatusFor(verdict.reason);
      const body = refusalText(target.host, target.port, verdict.reason);
      client.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    const up = openUpstream(attempt, verdict, client);
    if (!up) return;
    let established = false;
    up.once('connect', () => {
      established = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) up.write(head);
      splice(client, up);
    });
    up.once('error', (err) => {
      if (!established) client.end(`HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\nsbsh: ${target.host}:${target.port}: ${errorCode(err)}\n`);
    });
    client.once('close', () => up.destroy());
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = httpTarget(req.url);
    if (!target) {
      res.writeHead(400, { 'content-type': 'text/plain', connection: 'close' }).end('sbsh: this is a proxy; send an absolute http:// URL (https goes through CONNECT)\n');
      return;
    }
    const attempt = attempts.begin('http', target.host, target.port);
    const verdict = await decide(attempt);
    if (!verdict.allowed) {
      const [code] = httpStatusFor(verdict.reason);
      res.writeHead(code, { 'content-type': 'text/plain', connection: 'close' }).end(refusalText(target.host, target.port, verdict.reason));
      return;
    }
    const up = openUpstream(attempt, verdict, req.socket);
    if (!up) return;
    // The upstream connection carries this one request, so it closes (and is
    // reported) when the response is done.
    const upReq = httpRequest({
      method: req.method,
      path: target.path,
      headers: [...forwardableHeaders(req.rawHeaders), 'Host', target.authority, 'Connection', 'close'],
      createConnection: () => up,
    });
    upReq.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', connection: 'close' }).end(`sbsh: ${target.authority}: ${errorCode(err)}\n`);
      else res.destroy();
    });
    upReq.on('response', (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, forwardableHeaders(upRes.rawHeaders));
      // A response cut short upstream must reach the client cut short, not look complete.
      upRes.once('error', () => res.destroy());
      upRes.pipe(res);
    });
    req.pipe(upReq);
    res.once('close', () => up.destroy());
  }

  async function onSocks(conn: SocksConnection): Promise<boolean> {
    conn.socket.setTimeout(0);
    const attempt = attempts.begin('socks5', conn.destAddress, conn.destPort);
    const verdict = await decide(attempt);
    conn.metadata.verdict = verdict;
    const up = verdict.allowed ? openUpstream(attempt, verdict, conn.socket) : null;
    if (up) {
      conn.metadata.upstream = up;
      // The library replies once this resolves; only then may bytes flow.
      await new Promise<void>((done) => {
        up.once('connect', done);
        up.once('error', (err) => (conn.metadata.error = errorCode(err)));
        // Destroyed by close() emits no error; the handler then finds it destroyed.
        up.once('close', done);
      });
    }
    return true;
  }

  const socks = new Socks5Server();
  // Admission and the upstream connect happen in the validator (before the
  // library reads further from the client); the handler only answers and pipes.
  // The library hands back the net.Socket given to _handleConnection, typed as a Duplex.
  const asSocks = (conn: unknown) => conn as SocksConnection;
  socks.setRulesetValidator((conn) => onSocks(asSocks(conn)));
  socks.setConnectionHandler((conn, sendStatus) => {
    const m = asSocks(conn).metadata;
    if (!m.verdict.allowed) return sendStatus(m.verdict.reason.startsWith('resolve-failed') ? 'HOST_UNREACHABLE' : 'CONNECTION_NOT_ALLOWED');
    if (m.error || !m.upstream || m.upstream.destroyed) return sendStatus(socksStatusFor(m.error ?? 'ERROR'));
    sendStatus('REQUEST_GRANTED');
    splice(conn.socket, m.upstream);
  });

  const http = createHttpServer({ requestTimeout: 0, headersTimeout: handshakeTimeoutMs });
  http.on('request', (req, res) => void onRequest(req, res).catch(() => res.destroy()));
  http.on('connect', (req, client, head) => void onConnect(req, client, head).catch(() => client.destroy()));
  http.on('upgrade', (req, client) => {
    const target = httpTarget(req.url);
    if (target) attempts.begin('http', target.host, target.port).finish(false, 'upgrade-not-supported');
    client.end('HTTP/1.1 501 Not Implemented\r\nConnection: close\r\n\r\nsbsh: protocol upgrades through the proxy are not supported\n');
  });

  const server = createNetServer({ allowHalfOpen: true }, (sock) => {
    track(sock);
    sock.setTimeout(handshakeTimeoutMs, () => sock.destroy());
    sock.once('data', (chunk) => {
      sock.pause();
      sock.unshift(chunk);
      if (chunk[0] === SOCKS_VERSION) {
        socks._handleConnection(sock);
      } else {
        sock.setTimeout(0);
        http.emit('connection', sock);
        // node:http reads through its own parser; the sniffed chunk waits in
        // the stream buffer until the socket flows again.
        sock.resume();
      }
    });
  });

  return new Promise((resolveStart, rejectStart) => {
    server.once('error', rejectStart);
    server.listen(socketPath, () => {
      server.off('error', rejectStart);
      // After the caller has heard that the proxy listens (the sandboxed
      // command then starts, and takes a while to connect).
      setImmediate(warmLookup);
      resolveStart({
        async close() {
          if (stopped) return;
          stopped = true;
          const closed = new Promise<void>((done) => server.close(() => done()));
          for (const s of live) s.destroy();
          await Promise.all([attempts.drain(STOP_GRACE_MS, 'proxy-stopped'), Promise.race([closed, delay(STOP_GRACE_MS)])]);
        },
      });
    });
  });
}
