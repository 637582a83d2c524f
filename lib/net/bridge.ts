import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

// The sandbox side of the route out. The sandbox has only its own loopback,
// so socat listens there and forwards each connection to the proxy's unix
// socket (bind-mounted at the same path). A small sh script starts it, waits
// until the port really listens, then execs the command, so the command's
// exit status and signals stay its own.

export interface Bridge {
  /** Absolute path of socat on the host; the sandbox sees the host's root read-only. */
  socat: string;
  /** Loopback port inside the sandbox. */
  port: number;
  socketPath: string;
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

// A poll costs well under a millisecond; this bounds a socat that neither
// listens nor exits to a few seconds instead of a hang.
const MAX_POLLS = 20_000;

// Readiness comes from the kernel's socket table rather than a sleep: the
// loop ends as soon as 127.0.0.1:PORT is in LISTEN state (0A), using only sh
// builtins. /proc/net/tcp prints the address as a host-endian hex word, hence
// both spellings of 127.0.0.1. Exit 125 is sbsh's "sandbox could not be set up".
const BRIDGE_SCRIPT = `socat=$1 port=$2 hexport=$3 sock=$4
shift 4
[ -r /proc/net/tcp ] || { echo "sbsh: network bridge: /proc/net/tcp is not readable in the sandbox" >&2; exit 125; }
"$socat" -lp sbsh-net-bridge TCP-LISTEN:"$port",bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:"$sock" </dev/null >/dev/null &
bridge=$! polls=0
until
  ready=
  while read -r _ addr _ state _; do
    case "$addr $state" in "0100007F:$hexport 0A"|"7F000001:$hexport 0A") ready=1; break ;; esac
  done </proc/net/tcp
  [ -n "$ready" ]
do
  kill -0 "$bridge" 2>/dev/null || { echo "sbsh: network bridge: socat exited before listening on 127.0.0.1:$port" >&2; exit 125; }
  polls=$((polls + 1))
  [ "$polls" -lt ${MAX_POLLS} ] || { echo "sbsh: network bridge: socat did not listen on 127.0.0.1:$port" >&2; exit 125; }
done
exec "$@"
`;

export function bridgeArgv(bridge: Bridge, argv: readonly string[]): string[] {
  if (argv.length === 0) throw new Error('bridgeArgv: empty command');
  const hexPort = bridge.port.toString(16).toUpperCase().padStart(4, '0');
  return ['/bin/sh', '-c', BRIDGE_SCRIPT, 'sbsh-net-bridge', bridge.socat, String(bridge.port), hexPort, bridge.socketPath, ...argv];
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
