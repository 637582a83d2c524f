import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { AuditInput } from '../audit/schema.js';
import { SetupError } from '../sandbox/types.js';
import { BRIDGE_SAFE_PATH, type Bridge } from './bridge.js';
import { randomBytesSync, randomIntSync } from './random.js';
import { decodeFrame, PcapReader, type DirectAttempt } from './pcap.js';

/** A network audit event before the bus stamps it. */
type NetworkInput = Extract<AuditInput, { type: 'network' }>;

// The sandbox's network namespace, and a witness inside it.
//
// bwrap's own --unshare-net gives an empty namespace where a direct connect
// fails with "network unreachable" before any packet exists, so nothing on the
// host could ever see (or log) it. Instead sbsh makes the namespace itself
// (unshare, as the sandbox's uid) and routes every address to its loopback:
// a connect to anywhere is then answered by the kernel with a RST, a UDP
// datagram with "port unreachable", both at once, and tcpdump, running in the
// namespace but outside the sandbox's PID namespace (the sandbox cannot see
// or signal it), captures exactly those answers and the DNS queries. bwrap is
// then started inside this namespace with nsenter. Nothing routes out either
// way: the namespace has no interface but lo.
//
// tcpdump only writes raw packets (-w -): it never dissects what the sandbox
// sent; pcap.ts decodes them here, bounds-checked.

export interface MonitorTools {
  setpriv: string;
  unshare: string;
  bash: string;
  ip: string;
  tcpdump: string;
}

export interface MonitorOptions {
  tools: MonitorTools;
  /** setpriv flags that make the monitor the sandbox's uid (root only), e.g. --reuid; empty otherwise. */
  asUser: string[];
  /** Each distinct attempt once, as it is seen. */
  report(attempt: DirectAttempt): void;
  /** Called once when more distinct attempts were seen than are reported. */
  overflow?(count: number): void;
}

export interface NetworkMonitor {
  /** argv prefix that runs a program in the monitor's user and network namespaces. */
  enter(nsenter: string): string[];
  /** Settles once the capture runs; only then may the sandboxed command start. Rejects with a SetupError. */
  readonly listening: Promise<void>;
  /**
   * Starts the proxy bridge: the namespace's 127.0.0.1:`port` leads to the
   * unix socket `socketPath` (which may appear later). Settles once it
   * listens; rejects with a SetupError. Once per monitor.
   */
  bridge(b: Bridge): Promise<void>;
  /**
   * Stops the bridge, if one was started, for a run without network that
   * takes a monitor bridged ahead of need. Settles once the bridge is gone
   * (nothing listens on its port); rejects with a SetupError. No bridge
   * starts after it.
   */
  unbridge(): Promise<void>;
  /** Waits until every packet up to now is read, then ends the capture. Never hangs; returns problems to tell the user. */
  stop(): Promise<string[]>;
  /** Still capturing: nothing has ended it (a spare can wait a long time before a run takes it). */
  alive(): boolean;
}

/**
 * Only the kernel's answers to attempts, never the traffic itself: a RST+ACK
 * with sequence 0 (refused SYN), DNS queries, "port unreachable" (v4: ICMP
 * type 3; v6: type 1), plus the stop sentinel. libpcap cannot index TCP
 * inside IPv6, hence the explicit offsets (no extension headers).
 */
export function captureFilter(sentinelPort: number): string {
  return [
    '(ip and tcp[13] & 0x14 == 0x14 and tcp[4:4] == 0)',
    '(ip6 and ip6[6] == 6 and ip6[53] & 0x14 == 0x14 and ip6[44:4] == 0)',
    'udp dst port 53',
    '(icmp and icmp[0] == 3)',
    '(icmp6 and ip6[40] == 1)',
    `(ip and udp dst port ${sentinelPort} and dst host 127.0.0.1)`,
  ].join(' or ');
}

/** Connections the bridge serves at once; more wait in its listen queue. */
const MAX_BRIDGE_CONNECTIONS = 64;
// Polls of the socket table, 5 ms apart: this bounds a bridge that
// neither listens nor exits to a few seconds instead of a hang.
const MAX_BRIDGE_POLLS = 1_000;

// Runs as the namespace's owner with its capabilities (unshare --keep-caps).
// stdout is tcpdump's pcap stream and nothing else: the script lets go of it,
// so its end means tcpdump has ended. sbsh then sends commands, one per line:
// `bridge PORT ACTIVATE PROXYD SOCKET` starts the proxy bridge (below) and
// says when it listens; `sentinel` sends the stop sentinel; anything else, or
// EOF (a vanished sbsh), ends the capture and the bridge. tcpdump and the
// bridge die with the script whatever ends it.
//
// The bridge is the sandbox's only way to the proxy: systemd's socket proxy
// listening on the namespace's 127.0.0.1:PORT (bridge.ts), one connection to
// the proxy's unix socket per client. It runs here, outside the sandbox's PID
// and mount namespaces, started while bwrap builds the sandbox instead of
// inside it before the command. It only copies bytes (the proxy, also
// outside, parses them), runs without capabilities or a way to gain any, and
// serves a bounded number of connections at a time, in one process.
// systemd-socket-activate listens at once and starts the proxy program on the
// first connection, with the listening socket. Readiness comes from the
// namespace's socket table (LISTEN is state 0A; the address is a host-endian
// hex word, hence both spellings of 127.0.0.1). Between polls the script
// naps on a pipe that never gets data (read -t): a busy loop would take a
// core from bwrap and sbsh while they build the sandbox, and sleep(1)
// would be a process per poll.
const MONITOR_SCRIPT = `ip=$1 tcpdump=$2 filter=$3 port=$4 nonce=$5 setpriv=$6
routes='link set lo up
route add local 0.0.0.0/0 dev lo'
if [ -e /proc/net/if_inet6 ]; then routes="$routes
route add local ::/0 dev lo"; fi
printf '%s\\n' "$routes" | "$ip" -b - >&2 || { echo "sbsh-monitor: could not route the namespace's addresses to lo" >&2; exit 125; }
echo "sbsh-monitor: routes ready" >&2
"$setpriv" --pdeathsig KILL -- "$tcpdump" -i lo -n --immediate-mode -U -s 512 -w - "$filter" &
capture=$!
bridge=
exec >&-
listening() {
  while read -r _ addr _ state _; do
    case "$addr $state" in "0100007F:$1 0A"|"7F000001:$1 0A") return 0 ;; esac
  done </proc/net/tcp
  return 1
}
start_bridge() {
  [ -z "$bridge" ] || { echo "sbsh-monitor: bridge failed: it is already running" >&2; return; }
  "$setpriv" --pdeathsig KILL --no-new-privs --inh-caps=-all --ambient-caps=-all --bounding-set=-all -- \\
    "$2" --listen=127.0.0.1:"$1" "$3" --connections-max=${MAX_BRIDGE_CONNECTIONS} "$4" </dev/null >/dev/null &
  bridge=$!
  exec {nap}<> <(:)
  printf -v hex %04X "$1"
  polls=0
  outcome='bridge ready'
  until listening "$hex"; do
    if ! kill -0 "$bridge" 2>/dev/null; then outcome="bridge failed: $2 exited before listening on 127.0.0.1:$1"; break; fi
    polls=$((polls + 1))
    if [ "$polls" -ge ${MAX_BRIDGE_POLLS} ]; then outcome="bridge failed: $2 did not listen on 127.0.0.1:$1"; break; fi
    read -r -t 0.005 -u "$nap" _
  done
  exec {nap}>&-
  echo "sbsh-monitor: $outcome" >&2
  # One connection that carries nothing starts the proxy program now: started
  # by the command's first connection, its start-up (15-20 ms) would hold up
  # that connection and every one opened with it. It leaves as it came (a
  # FIN, which the capture does not match), and the proxy sees no request.
  if [ "$outcome" = 'bridge ready' ]; then { exec {poke}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null && exec {poke}>&-; fi
}
while read -r cmd a b c d; do
  case $cmd in
    bridge) start_bridge "$a" "$b" "$c" "$d" ;;
    unbridge) if [ -n "$bridge" ]; then kill -KILL "$bridge" 2>/dev/null; wait "$bridge" 2>/dev/null; bridge=; fi; echo "sbsh-monitor: bridge stopped" >&2 ;;
    sentinel) printf %s "$nonce" 2>/dev/null >"/dev/udp/127.0.0.1/$port" ;;
    *) break ;;
  esac
done
kill $capture $bridge 2>/dev/null
wait
`;

/**
 * What the monitor's stderr has said so far. Everything in the namespace
 * writes there (the script, ip, tcpdump, the bridge), so lines interleave:
 * tcpdump writes "tcpdump: " and its message in two writes, and the bridge's
 * "Listening on 127.0.0.1:PORT as 3." can land between them. Each marker is
 * one write of its own, matched wherever it lands.
 */
export function monitorSignals(tail: string): { routes: boolean; capturing: boolean; bridge: { failed: string | null } | null; unbridged: boolean } {
  const failed = /sbsh-monitor: bridge failed: (.*)/.exec(tail);
  return {
    routes: tail.includes('sbsh-monitor: routes ready'),
    capturing: tail.includes('listening on lo, link-type '),
    bridge: failed ? { failed: failed[1]! } : tail.includes('sbsh-monitor: bridge ready') ? { failed: null } : null,
    unbridged: tail.includes('sbsh-monitor: bridge stopped'),
  };
}

const DIRECT_REASON = { tcp: 'direct-connect', udp: 'direct-udp', dns: 'direct-dns' } as const;

/** The audit event for an attempt the sandbox made without the proxy (it reached nothing). */
export function directAttemptEvent(id: string, a: DirectAttempt): NetworkInput {
  return {
    type: 'network',
    id,
    protocol: a.protocol,
    host: a.host,
    port: a.port,
    allowed: false,
    reason: DIRECT_REASON[a.protocol],
    bytes_in: 0,
    bytes_out: 0,
    detail: a.server ? `query to ${a.server}; the sandbox has no DNS, the proxy resolves names` : 'the sandbox has no network of its own; only the proxy leads out',
  };
}

/** The event that stands for attempts past the per-command limit. */
export function overflowEvent(id: string, count: number): NetworkInput {
  return { type: 'network', id, protocol: 'tcp', host: '*', port: 0, allowed: false, reason: 'direct-log-limit', bytes_in: 0, bytes_out: 0, detail: `${count >= MAX_COUNTED ? 'at least ' : ''}${count} more distinct direct attempts were refused but not logged one by one` };
}

/** Bounds on the waits, so that a broken tcpdump or namespace costs seconds, not a hang. */
const READY_MS = 10_000;
/** What is kept of the monitor's stderr, to show when it fails. */
const STDERR_KEPT = 16_384;
const DRAIN_MS = 1_000;
const EXIT_MS = 1_000;
/** Distinct attempts reported per command; a flood past this is counted, not logged line by line. */
const MAX_REPORTED = 200;
const MAX_COUNTED = 100_000;
const SENTINEL_PORTS = [20000, 32768] as const;

type MonitorProcess = ChildProcessByStdio<Writable, Readable, Readable>;

function namespaceOf(pid: number | 'self'): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return null;
  }
}

export async function startMonitor(opts: MonitorOptions): Promise<NetworkMonitor> {
  const { tools } = opts;
  // tcpdump run as uid 0 would try to switch to its own user, which the namespace does not map.
  if (process.getuid?.() === 0 && opts.asUser.length === 0) throw new Error('startMonitor: as root, the monitor must run as the sandbox\'s uid (asUser)');
  const sentinelPort = randomIntSync(...SENTINEL_PORTS);
  const nonce = randomBytesSync(12).toString('hex');
  const argv = [
    ...(opts.asUser.length > 0 ? [tools.setpriv, ...opts.asUser, '--'] : []),
    tools.unshare, '--user', '--map-current-user', '--keep-caps', '--net', '--',
    tools.bash, '--noprofile', '--norc', '-c', MONITOR_SCRIPT, 'sbsh-monitor', tools.ip, tools.tcpdump, captureFilter(sentinelPort), String(sentinelPort), nonce, tools.setpriv,
  ];
  // Own process group: the terminal's Ctrl-C is for the command, not the witness.
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } }) as MonitorProcess;
  const pid = child.pid ?? -1;
  // Set when the process is reaped: from then on its pid may name another process.
  let exited = false;
  child.once('exit', () => (exited = true));
  const exit = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('error', () => {});
  child.stdin.on('error', () => {});

  let stderr = '';
  let routesReady!: () => void;
  let listening!: () => void;
  let bridged!: (failure: string | null) => void;
  let bridgeGone!: () => void;
  const routes = new Promise<void>((r) => (routesReady = r));
  const capture = new Promise<void>((r) => (listening = r));
  let capturing = false;
  void capture.then(() => (capturing = true));
  const bridgeOutcome = new Promise<string | null>((r) => (bridged = r));
  const unbridged = new Promise<void>((r) => (bridgeGone = r));
  const captureEnded = new Promise<void>((r) => child.stdout.once('close', r));
  let stopRequested = false;
  let endedEarly = false;
  void captureEnded.then(() => (endedEarly = !stopRequested));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    // The tail only: what is shown on failure, bounded whatever the bridge logs.
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
    const said = monitorSignals(stderr);
    if (said.routes) routesReady();
    if (said.capturing) listening();
    if (said.bridge) bridged(said.bridge.failed);
    if (said.unbridged) bridgeGone();
  });

  const seen = new Set<string>();
  const beyond = new Set<string>();
  let sentinelSeen!: () => void;
  const sentinel = new Promise<void>((r) => (sentinelSeen = r));
  const reader = new PcapReader();
  child.stdout.on('data', (chunk: Buffer) => {
    for (const frame of reader.push(chunk)) {
      const d = decodeFrame(frame, reader.linktype ?? -1);
      if (d?.kind === 'datagram') {
        if (d.port === sentinelPort && d.payload.toString('latin1') === nonce) sentinelSeen();
      } else if (d?.kind === 'attempt') {
        // The kernel's "port unreachable" answer to the sentinel itself.
        if (d.attempt.protocol === 'udp' && d.attempt.port === sentinelPort && d.attempt.host === '127.0.0.1') continue;
        const key = `${d.attempt.protocol} ${d.attempt.host} ${d.attempt.port}`;
        if (seen.has(key)) continue;
        if (seen.size >= MAX_REPORTED) {
          // Distinct ones only, remembered up to a bound so a flood cannot grow memory without end.
          if (!beyond.has(key) && beyond.size < MAX_COUNTED) beyond.add(key);
          continue;
        }
        seen.add(key);
        opts.report(d.attempt);
      }
    }
  });

  const failure = (what: string, fix = 'check that tcpdump, unshare and ip work and that unprivileged user namespaces are enabled: run `sbsh doctor`') =>
    new SetupError(`the network monitor ${what}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`, fix);
  const within = (p: Promise<void>, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(failure(`did not ${what} within ${READY_MS / 1000} s`)), READY_MS);
      timer.unref();
      p.then(
        () => (clearTimeout(timer), resolve()),
        (err: unknown) => (clearTimeout(timer), reject(err)),
      );
      exit.then(() => (clearTimeout(timer), reject(failure(`exited before it could ${what}`))));
      captureEnded.then(() => (clearTimeout(timer), reject(failure(`could not ${what}: tcpdump ended`))));
    });

  const killGroup = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };

  let namespace: string | null = null;
  try {
    await within(routes, 'set up its network namespace');
    // The sandbox joins this namespace by pid (nsenter -t): it must really be
    // a new one. The pid stays the monitor's while it is an unreaped child of
    // ours; it waits on its stdin until sbsh stops it, and nothing in a
    // sandbox can see it to kill it.
    const mine = namespaceOf('self');
    const theirs = namespaceOf(pid);
    if (exited || theirs === null || theirs === mine) throw failure(`is not in a network namespace of its own (${theirs ?? 'gone'})`);
    namespace = theirs;
  } catch (err) {
    killGroup();
    throw err;
  }

  const listeningPromise = within(capture, 'start capturing');
  listeningPromise.catch(() => {});
  let stopping: Promise<string[]> | null = null;
  let bridging: Promise<void> | null = null;
  let unbridging: Promise<void> | null = null;
  return {
    enter: (nsenter) => [nsenter, '-t', String(pid), '--user', '--net', '--preserve-credentials', '--'],
    // Also asked of the kernel: a monitor killed a moment ago is not reaped yet,
    // but its namespace links are already gone.
    alive: () => !exited && !endedEarly && namespaceOf(pid) === namespace,
    listening: listeningPromise,
    bridge: ({ activate, proxyd, port, socketPath }) =>
      unbridging ? Promise.reject(new Error('bridge: this monitor\'s bridge was stopped')) : (bridging ??= (async () => {
        for (const path of [activate, proxyd, socketPath]) {
          if (!BRIDGE_SAFE_PATH.test(path)) throw new SetupError(`the network bridge cannot use ${path}: only absolute paths of letters, digits and ._/- are passed to it`, 'set TMPDIR to a short plain directory, e.g. TMPDIR=/tmp, and install systemd in a plain path');
        }
        if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bridge: bad port ${port}`);
        child.stdin.write(`bridge ${port} ${activate} ${proxyd} ${socketPath}\n`);
        const started = bridgeOutcome.then((failed) => {
          if (failed !== null) throw failure(`could not start the proxy bridge (${failed})`, 'check that systemd-socket-activate and systemd-socket-proxyd work (apt-get install -y systemd), then run `sbsh doctor`');
        });
        await within(started, 'start the proxy bridge');
      })()),
    unbridge: () =>
      (unbridging ??= bridging === null ? Promise.resolve() : (async () => {
        child.stdin.write('unbridge\n');
        await within(unbridged, 'stop the proxy bridge');
      })()),
    stop: () =>
      (stopping ??= (async () => {
        stopRequested = true;
        const problems: string[] = [];
        if (endedEarly) problems.push('network monitor: tcpdump ended while the sandbox ran; direct connection attempts after that are missing from the log');
        if (!exited) {
          // A capture that never started has nothing to catch up on: no
          // sandboxed command ran, since each waits for it (listening).
          if (capturing) {
            child.stdin.write('sentinel\n');
            const drained = await Promise.race([sentinel.then(() => true), captureEnded.then(() => false), delay(DRAIN_MS).then(() => false)]);
            if (!drained && !endedEarly) problems.push(`network monitor: the capture did not catch up within ${DRAIN_MS} ms; direct connection attempts of the last moments may be missing from the log`);
          }
          // Every packet is read: the script ends tcpdump and itself on its own.
          // Only one that does not gets killed; nobody waits for it.
          child.stdin.end('stop\n');
          const reaper = setTimeout(killGroup, EXIT_MS);
          reaper.unref();
          void exit.then(() => clearTimeout(reaper));
        }
        if (reader.error) problems.push(`network monitor: ${reader.error}`);
        if (beyond.size > 0) opts.overflow?.(beyond.size);
        return problems;
      })()),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
