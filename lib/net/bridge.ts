import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

// The sandbox side of the route out. The sandbox has only its own loopback:
// a bridge listens there and forwards each connection to the proxy's unix
// socket on the host (the network monitor runs it: monitor.ts), and every
// common client is pointed at it.

export interface Bridge {
  /** Absolute path of socat on the host. */
  socat: string;
  /** Loopback port in the sandbox's network namespace. */
  port: number;
  socketPath: string;
}

/** What a bridge path may hold: socat reads `:` and `,` in an address as separators, and the monitor splits its commands on blanks. */
export const BRIDGE_SAFE_PATH = /^\/[A-Za-z0-9._/-]+$/;

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
