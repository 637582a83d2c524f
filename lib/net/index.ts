import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { NetworkPlan } from '../plan/schema.js';
import type { Audit } from '../audit/bus.js';
import { removePrivateDir } from '../sandbox/private-dir.js';
import { SetupError } from '../sandbox/types.js';
import { AllowlistError, parseAllowlist, type AllowEntry } from './allowlist.js';
import { BRIDGE_SAFE_PATH, findBridgeTools, proxyEnv, type Bridge } from './bridge.js';
import { randomIntSync } from './random.js';
import type { RunningProxy } from './proxy.js';

// Network for one sandboxed command: a proxy on the host that admits only the
// plan's domains, reached from inside through a loopback bridge that the
// network monitor runs in the sandbox's namespace (monitor.ts).
//
// Opening a session is cheap and synchronous: the bridge's port is what the
// sandbox's environment needs. The proxy itself (node:http, node:net, the
// SOCKS library: tens of milliseconds to load) is started by listen(), once
// bwrap is building the sandbox, and the sandboxed command waits for it.

/** The proxy of one sandboxed command, at its endpoint (`dir`, `bridge`: below). */
export interface NetworkSession extends Omit<ProxyEndpoint, 'remove'> {
  /** Proxy variables for the sandboxed command, pointing at the bridge's port on its loopback. */
  env: Record<string, string>;
  /** Starts the proxy; settles once it listens on `bridge.socketPath` (rejects with a SetupError). */
  listen(): Promise<void>;
  /** Closes everything, the endpoint included; never hangs. */
  stop(): Promise<void>;
}

// sun_path holds 107 bytes.
const MAX_SOCKET_PATH = 107;
// Below Linux's ephemeral range (32768+), so the command's own outgoing
// connections never collide with it; random so it is not a fixed target.
const BRIDGE_PORTS = [20000, 32768] as const;

function planAllowlist(domains: string[]): AllowEntry[] {
  try {
    return parseAllowlist(domains);
  } catch (err) {
    if (err instanceof AllowlistError) throw new SetupError(err.message, 'correct that entry in network.domains of the policy (sbsh policy check shows where)');
    throw err;
  }
}

/**
 * Where a sandbox's proxy will listen and its bridge will lead: a private
 * directory for the proxy's socket and the bridge's port. Reserved apart
 * from the proxy so that the bridge can start before the line that uses it
 * is known (a spare network monitor, bwrap.ts).
 */
export interface ProxyEndpoint {
  /** Host directory of the proxy's unix socket (only sbsh's user may write it). */
  dir: string;
  /** The bridge the network monitor is to start: its programs, its loopback port, and the proxy's socket in `dir`. */
  bridge: Bridge;
  /** Removes `dir` and whatever is in it; idempotent. */
  remove(): void;
}

export function reserveEndpoint(): ProxyEndpoint {
  const { activate, proxyd } = findBridgeTools();
  if (!activate || !proxyd) {
    const missing = [activate ? null : 'systemd-socket-activate (on PATH)', proxyd ? null : 'systemd-socket-proxyd (in /usr/lib/systemd or /lib/systemd)'].filter(Boolean).join(' and ');
    throw new SetupError(`the network proxy reaches into the sandbox through systemd's socket proxy, and ${missing} is missing`, 'apt-get install -y systemd');
  }

  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), 'sbsh-net-'));
  } catch (err) {
    throw new SetupError(`the network proxy could not make its private directory in ${tmpdir()}: ${(err as Error).message}`, 'set TMPDIR to a writable directory, e.g. TMPDIR=/tmp');
  }
  const socketPath = join(dir, 'proxy.sock');
  if (!BRIDGE_SAFE_PATH.test(socketPath) || Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    removePrivateDir(dir, []);
    throw new SetupError(`the proxy socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes or has characters other than letters, digits and ._/-`, 'set TMPDIR to a short plain directory, e.g. TMPDIR=/tmp');
  }
  let removed = false;
  return {
    dir,
    bridge: { activate, proxyd, port: randomIntSync(...BRIDGE_PORTS), socketPath },
    remove() {
      if (removed) return;
      removed = true;
      removePrivateDir(dir, [basename(socketPath)]);
    },
  };
}

/** The proxy for one sandboxed command, at `endpoint` (reserved now when not given), which it owns from here on. */
export function openNetwork(net: NetworkPlan, ctx: { audit: Audit; id: string }, endpoint?: ProxyEndpoint): NetworkSession {
  if (net.mode !== 'allow') throw new Error(`openNetwork: network mode is "${net.mode}"; such a sandbox gets no network and no proxy`);
  const allowlist = planAllowlist(net.domains);
  const owned = endpoint ?? reserveEndpoint();
  const { dir, bridge } = owned;
  const { port, socketPath } = bridge;
  let proxy: Promise<RunningProxy> | null = null;
  let stopping: Promise<void> | null = null;
  return {
    dir,
    bridge,
    env: proxyEnv(port),
    listen: () =>
      (proxy ??= import('./proxy.js')
        .then(({ startProxy }) => startProxy(socketPath, { allowlist, report: (attempt) => ctx.audit.emit({ type: 'network', id: ctx.id, ...attempt }) }))
        .catch((err: Error) => {
          throw new SetupError(`the network proxy could not listen on ${socketPath}: ${err.message}`, 'set TMPDIR to a writable local directory, e.g. TMPDIR=/tmp');
        })).then(() => {}),
    stop: () =>
      (stopping ??= (async () => {
        const running = await proxy?.catch(() => null);
        await running?.close();
        owned.remove();
      })()),
  };
}
