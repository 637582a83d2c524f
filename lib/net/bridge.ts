import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

// The sandbox side of the route out. The sandbox has only its own loopback:
// a bridge listens there and forwards each connection to the proxy's unix
// socket on the host (the network monitor runs it: monitor.ts), and every
// common client is pointed at it.
//
// The bridge is systemd's socket proxy: systemd-socket-activate listens on
// the port and hands the socket to systemd-socket-proxyd, one process that
// splices every connection to the proxy's socket. (socat, used before, forks
// a process per connection: ~7 ms of CPU each here, ~100 ms for one
// `npm install`, taken from the install it serves.)

export interface Bridge {
  /** Absolute path of systemd-socket-activate on the host. */
  activate: string;
  /** Absolute path of systemd-socket-proxyd on the host. */
  proxyd: string;
  /** Loopback port in the sandbox's network namespace. */
  port: number;
  socketPath: string;
}

/** What a bridge path may hold: the monitor splits its commands on blanks, and each path is passed on as one argument. */
export const BRIDGE_SAFE_PATH = /^\/[A-Za-z0-9._/-]+$/;

/** systemd keeps its helper programs off PATH. */
const SYSTEMD_HELPERS = '/usr/lib/systemd:/lib/systemd';

/** The bridge's two programs, or null for each one missing. */
export function findBridgeTools(pathEnv = process.env.PATH): { activate: string | null; proxyd: string | null } {
  return { activate: findExecutable('systemd-socket-activate', pathEnv), proxyd: findExecutable('systemd-socket-proxyd', SYSTEMD_HELPERS) };
}

export function findExecutable(name: string, pathEnv = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'): string | null {
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      // stat first, which says "absent" without throwing: most PATH entries lack most tools.
      if (!statSync(candidate, { throwIfNoEntry: false })?.isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not executable by us, or a PATH entry we cannot search
    }
  }
  return null;
}

/** Proxy settings every common client reads (curl, npm, yarn, pip, cargo, git, go, node 24+). */
export function proxyEnv(port: number): Record<string, string> {
  const http = `http://127.0.0.1:${port}`;
  // socks5h: the proxy resolves names; the sandbox has no DNS of its own.
  const socks = `socks5h://127.0.0.1:${port}`;
  // Inside the sandbox loopback is the sandbox's own, so local test servers stay direct.
  const direct = 'localhost,127.0.0.1,::1';
  return {
    HTTP_PROXY: http,
    HTTPS_PROXY: http,
    ALL_PROXY: socks,
    NO_PROXY: direct,
    http_proxy: http,
    https_proxy: http,
    all_proxy: socks,
    no_proxy: direct,
    npm_config_proxy: http,
    npm_config_https_proxy: http,
    npm_config_noproxy: direct,
    YARN_HTTP_PROXY: http,
    YARN_HTTPS_PROXY: http,
    PIP_PROXY: http,
    CARGO_HTTP_PROXY: http,
    NODE_USE_ENV_PROXY: '1',
  };
}
