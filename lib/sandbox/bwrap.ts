import { execFile } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from '../net/bridge.js';
import { openNetwork, reserveEndpoint, type NetworkSession, type ProxyEndpoint } from '../net/index.js';
import { directAttemptEvent, overflowEvent, startMonitor, type MonitorTools, type NetworkMonitor } from '../net/monitor.js';
import type { DirectAttempt } from '../net/pcap.js';
import type { Plan, SandboxPlan } from '../plan/schema.js';
import { bwrapArgs, SANDBOX_NAMESPACES, type Bind, type BwrapLayout } from './bwrap-args.js';
import { becomeUserFlags, chooseSandboxUser, dropPrivilegesArgv, type Ids, type SandboxUser } from './identity.js';
import { prlimitArgs } from './limits.js';
import { superviseBwrap } from './bwrap-supervise.js';
import { giveBack, lend, type Loan } from './ownership.js';
import { ancestry, blockedOnTheWay, checkAbsolute, classifyWritable, missingKind, visibleInside, type NodeInfo } from './paths.js';
import { sandboxEnv } from './sandbox-env.js';
import { createStaging, type Staging } from './staging.js';
import type { HostContext } from './host.js';
import type { Supervised } from './run.js';
import { SetupError, type Backend, type ProbeResult, type RunContext } from './types.js';

// Sync file calls: sandbox set-up makes dozens of them, and each awaited one
// is a thread-pool round trip (tens of milliseconds per command in all).
function orNull<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}

// The bubblewrap backend: prepare() turns a plan into a bwrap command line
// (bwrap-args.ts) after making the host side ready: writable directories
// exist, files the run may create have stand-ins, paths the sandbox's uid
// must write are lent to it, the network proxy listens. dispose() undoes all
// of it. Nothing here ever runs the command outside bwrap.

const INSTALL_BWRAP = 'apt-get install -y bubblewrap';
const USERNS_FIX =
  'enable unprivileged user namespaces: sysctl -w kernel.unprivileged_userns_clone=1 (Debian), sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 24.04+), or raise user.max_user_namespaces';
/** Directories that get a fresh tmpfs besides HOME. /run and /var/run too: a unix socket on a read-only bind can still be connected to. */
const PRIVATE_DIRS = ['/tmp', '/var/tmp', '/dev/shm', '/run', '/var/run'];
/** Where root-run sandboxes keep package caches (HOME-relative paths), one tree per sandbox uid. */
const CACHE_ROOT = '/var/cache/sbsh';

const execFileP = promisify(execFile);

interface Tools {
  bwrap: string;
  bash: string;
  prlimit: string | null;
  setpriv: string;
  unshare: string;
  nsenter: string;
  ip: string;
  tcpdump: string;
}

function need(name: string, path: string | undefined, fix: string): string {
  const found = findExecutable(name, path);
  if (!found) throw new SetupError(`${name} is not on PATH (${path ?? 'PATH is unset'}), and the sandbox needs it`, fix);
  return found;
}

// The host's system directories too: ip and tcpdump live in /usr/sbin, which
// a normal user's PATH often leaves out.
function toolPath(env: NodeJS.ProcessEnv): string {
  return [env.PATH, '/usr/sbin', '/sbin', '/usr/bin', '/bin'].filter(Boolean).join(':');
}

function findTools(sb: SandboxPlan, env: NodeJS.ProcessEnv): Tools {
  const limited = Object.entries(sb.limits).some(([k, v]) => k !== 'wall_seconds' && v !== null);
  const path = toolPath(env);
  return {
    ...monitorTools(path),
    bwrap: need('bwrap', env.PATH, INSTALL_BWRAP),
    prlimit: limited ? need('prlimit', env.PATH, 'apt-get install -y util-linux') : null,
  };
}

function monitorTools(path: string): Omit<Tools, 'bwrap' | 'prlimit'> {
  return {
    bash: need('bash', path, 'apt-get install -y bash'),
    setpriv: need('setpriv', path, 'apt-get install -y util-linux'),
    unshare: need('unshare', path, 'apt-get install -y util-linux'),
    nsenter: need('nsenter', path, 'apt-get install -y util-linux'),
    ip: need('ip', path, 'apt-get install -y iproute2'),
    tcpdump: need('tcpdump', path, 'apt-get install -y tcpdump'),
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Refuses a path that reaches somewhere else through a symlink: bwrap would follow it at the destination too. */
async function noSymlinks(path: string): Promise<void> {
  let existing = path;
  while (!(await exists(existing))) existing = dirname(existing);
  const real = realpathSync(existing);
  if (real !== existing) {
    throw new SetupError(`${path} goes through a symlink (${existing} is ${real}); sbsh binds only real paths`, `list the real path (${join(real, relative(existing, path))}) in the policy instead`);
  }
}

/** mkdir -p whose new directories belong to `owner` (root creating them for a user). */
async function makeDirs(path: string, owner: Ids | null): Promise<void> {
  const first = mkdirSync(path, { recursive: true, mode: 0o755 });
  if (!first || !owner) return;
  for (let p = path; ; p = dirname(p)) {
    chownSync(p, owner.uid, owner.gid);
    if (p === first) break;
  }
}

function nodeInfo(path: string): NodeInfo {
  const st = statSync(path);
  return { path, mode: st.mode, uid: st.uid, gid: st.gid, dir: st.isDirectory() };
}

/**
 * bwrap binds by path as the sandbox's uid, so that uid must be able to walk
 * there. `seen` holds the directories already looked at in this run: the
 * bound paths share most of their ancestry.
 */
function assertReachable(path: string, user: SandboxUser, seen: Map<string, NodeInfo>): void {
  const chain = ancestry(path).map((p) => seen.get(p) ?? seen.set(p, nodeInfo(p)).get(p)!);
  const blocked = blockedOnTheWay(chain, user);
  if (blocked) {
    throw new SetupError(
      `sbsh runs as root, so the sandbox runs as uid ${user.uid} (${user.why}), and it cannot reach ${path}: ${blocked}`,
      `run sbsh as the workspace's owner, or move the project somewhere that uid can read (a directory outside /root, e.g. /srv or /home/USER)`,
    );
  }
}

interface AttemptSink {
  attempt(a: DirectAttempt): void;
  overflow(count: number): void;
}

/** A network monitor, and where what it sees goes (set when a run takes it). */
interface Launched {
  key: string;
  monitor: Promise<NetworkMonitor>;
  bind(sink: AttemptSink): void;
  /** Set when the bridge starts with the monitor: where it leads, for the run's proxy. */
  endpoint: ProxyEndpoint | null;
}

function spareKey(tools: MonitorTools, user: Ids): string {
  return JSON.stringify([user.uid, user.gid, tools.setpriv, tools.unshare, tools.bash, tools.ip, tools.tcpdump]);
}

function launchMonitor(tools: MonitorTools, caller: Ids, user: SandboxUser, endpoint: ProxyEndpoint | null = null): Launched {
  let sink: AttemptSink | null = null;
  const monitor = startMonitor({
    tools,
    asUser: becomeUserFlags(caller, user),
    // Nothing runs in the namespace before a sandbox joins it, and by then the sink is set.
    report: (a) => sink?.attempt(a),
    overflow: (n) => sink?.overflow(n),
  });
  // The bridge's start is requested at once; the run that takes the monitor
  // gets the same start from bridge() and waits for it there.
  if (endpoint) void monitor.then((m) => m.bridge(endpoint.bridge)).catch(() => {});
  // Awaited by the run that takes it; a failure before then is not an unhandled rejection.
  monitor.catch(() => {});
  return { key: spareKey(tools, user), monitor, bind: (s) => (sink = s), endpoint };
}

function discard(l: Launched): void {
  void l.monitor.then((m) => m.stop(), () => {});
  l.endpoint?.remove();
}

// One monitor started ahead of need (warm()). The interactive shell starts it
// at the prompt after each sandboxed line, so its ~60 ms of process start-up
// happen while the user types the next one; `sbsh -c` starts it as soon as
// the plan is made, before logging and making the host side ready. (Not
// during planning: on 2 cores its processes then compete with planning for
// the CPU.) With `network`, its proxy bridge starts too (~30 ms more); a run
// without network that takes it stops the bridge before its command starts.
let spare: Launched | null = null;

function takeSpare(key: string): Launched | null {
  const s = spare;
  spare = null;
  if (!s) return null;
  if (s.key === key) return s;
  discard(s);
  return null;
}

// A spare nobody took still holds its endpoint's directory when sbsh exits.
let cleanupAtExit = false;

/** Starts a spare network monitor for the next sandbox in `workspace`, bridged when `network`; quietly does nothing when one cannot start (prepare will say why). */
function warm(workspace: string, opts: { network?: boolean } = {}): void {
  if (spare) return;
  try {
    const st = statSync(workspace);
    const caller = ids();
    const tools = monitorTools(toolPath(process.env));
    const endpoint = opts.network ? reserveEndpoint() : null;
    spare = launchMonitor(tools, caller, chooseSandboxUser(caller, { uid: st.uid, gid: st.gid }), endpoint);
    if (endpoint && !cleanupAtExit) {
      cleanupAtExit = true;
      process.once('exit', () => spare?.endpoint?.remove());
    }
  } catch {
    // a missing tool or workspace: the run itself reports it
  }
}

interface Undo {
  /** The workspace's owner: what the sandbox wrote becomes theirs. */
  owner: Ids;
  loans: Loan[];
  staging: Staging | null;
  network: NetworkSession | null;
  /** A bridged spare's endpoint while no network session owns it. */
  endpoint: ProxyEndpoint | null;
  /** Started first, awaited last: its processes start while the host side is made ready. */
  monitor: Promise<NetworkMonitor> | null;
}

async function undo(u: Undo): Promise<string[]> {
  const problems: string[] = [];
  // The sandbox is gone: the network side and the file side are undone side
  // by side. Files one step at a time: loans go back newest first (a loan may
  // sit inside another), then placeholders (one may sit inside a loan).
  const files = async () => {
    for (const loan of u.loans.reverse()) problems.push(...(await giveBack(loan)));
    if (u.staging) {
      problems.push(...(await u.staging.settle(u.owner)));
      await u.staging.remove().catch((e: Error) => problems.push(`${u.staging!.dir}: ${e.message}`));
    }
  };
  await Promise.all([
    u.network?.stop().catch((e: Error) => problems.push(`network proxy: ${e.message}`)),
    u.endpoint?.remove(),
    u.monitor?.then(
      async (m) => problems.push(...(await m.stop())),
      () => {},
    ),
    files(),
  ]);
  return problems;
}

function say(ctx: RunContext, text: string): void {
  if (ctx.say) ctx.say(text);
  else process.stderr.write(text);
}

function ids(): Ids {
  return { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 };
}

interface Resolved {
  env: Record<string, string>;
  argv: string[];
  /**
   * Called once bwrap is spawned; settles when the command may run: the
   * network monitor captures and, with network, its bridge and the proxy
   * listen (the socket reachable by the sandbox's uid). Starting the proxy
   * only then overlaps its loading with bwrap building the sandbox.
   */
  ready(): Promise<void>;
}

async function resolveLayout(plan: Plan, sb: SandboxPlan, ctx: HostContext, u: Undo): Promise<Resolved> {
  for (const [what, p] of [['workspace', sb.workspace], ['cwd', sb.cwd], ['HOME', sb.home]] as const) {
    const bad = checkAbsolute(what, p);
    if (bad) throw new SetupError(bad, 'this is a bug in the plan; report it with `sbsh plan --json`');
  }
  if (sb.cwd !== sb.workspace && !sb.cwd.startsWith(sb.workspace + '/')) {
    throw new SetupError(`the working directory ${sb.cwd} is outside the workspace ${sb.workspace}`, 'cd into the project first');
  }
  if (sb.workspace === sb.home || sb.home.startsWith(sb.workspace === '/' ? '/' : sb.workspace + '/')) {
    throw new SetupError(`the workspace ${sb.workspace} contains your home directory ${sb.home}, whose credentials the sandbox must not see`, 'run the command inside a project directory (a git checkout), not in or above HOME');
  }
  for (const p of [sb.workspace, sb.home]) {
    if (!(await exists(p))) throw new SetupError(`${p} does not exist`, `create ${p} or run sbsh from an existing directory`);
  }
  await noSymlinks(sb.workspace);

  const caller = ids();
  const root = caller.uid === 0;
  const tools = findTools(sb, ctx.env);
  const user = chooseSandboxUser(caller, u.owner);
  const sandboxIds = { uid: user.uid, gid: user.gid };
  const sink: AttemptSink = { attempt: (a) => ctx.audit.emit(directAttemptEvent(ctx.id, a)), overflow: (n) => ctx.audit.emit(overflowEvent(ctx.id, n)) };
  const spareMonitor = takeSpare(spareKey(tools, user));
  const monitor = spareMonitor ?? launchMonitor(tools, caller, user);
  monitor.bind(sink);
  u.monitor = monitor.monitor;
  u.endpoint = monitor.endpoint;

  u.staging = await createStaging();
  const staging = u.staging;
  const writable: Bind[] = [];
  for (const path of sb.writable) {
    const c = classifyWritable(path, sb.workspace, sb.home);
    if ('error' in c) throw new SetupError(c.error, 'fix writable_paths in the policy (sbsh policy show says where it comes from)');
    await noSymlinks(path);
    if (c.kind === 'workspace') {
      if (await exists(path)) {
        if (root) {
          const loan = await lend(path, sandboxIds);
          if (loan) u.loans.push(loan);
        }
      } else {
        await staging.placeholder(path, missingKind(path), sandboxIds, root ? u.owner : null);
      }
      writable.push({ source: path, dest: path });
    } else {
      // HOME paths (package caches) are never the host's own: a sandbox could
      // poison what a host-side npm or pip later trusts. Sandboxes get caches
      // of their own, shared only with other sandboxed runs of the same uid.
      const cacheRoot = user.why === 'caller' ? join(ctx.env.XDG_CACHE_HOME || join(sb.home, '.cache'), 'sbsh', 'sandbox-home') : join(CACHE_ROOT, String(user.uid));
      const source = join(cacheRoot, relative(sb.home, path));
      if (user.why !== 'caller') await makeDirs(CACHE_ROOT, null);
      await makeDirs(cacheRoot, user.why === 'caller' ? null : sandboxIds);
      await makeDirs(source, user.why === 'caller' ? null : sandboxIds);
      writable.push({ source, dest: path });
    }
  }

  let network: NetworkSession | null = null;
  if (sb.network.mode === 'allow') {
    network = u.network = openNetwork(sb.network, ctx, u.endpoint ?? undefined);
    u.endpoint = null;
    // The bridge connects as the sandbox's uid: it may pass, not list. The
    // socket is chowned to that uid once the proxy listens.
    if (user.why !== 'caller') chmodSync(network.dir, 0o711);
  }
  const hidden: string[] = [];
  for (const d of PRIVATE_DIRS) {
    // /var/run is usually a symlink to /run: mounting through it would hide /run twice.
    const st = orNull(() => lstatSync(d));
    if (st?.isDirectory()) hidden.push(d);
  }
  hidden.push(sb.home);

  const bound = [sb.workspace, ...writable.map((b) => b.dest)];
  const masks: BwrapLayout['masks'] = [];
  for (const path of sb.masked) {
    const st = orNull(() => statSync(path));
    if (st && visibleInside(path, hidden, bound)) masks.push({ path, dir: st.isDirectory() });
  }

  if (root) {
    const seen = new Map<string, NodeInfo>();
    for (const p of [sb.workspace, sb.cwd, ...writable.map((b) => b.source), ...(network ? [dirname(network.dir)] : [])]) assertReachable(p, user, seen);
  }

  // The monitor is waited for only now: its processes start while the host
  // side is made ready above. A spare that failed or ended while it waited is
  // replaced, not used: no run without a witness, and no failure that a
  // fresh start would not have.
  let running = spareMonitor ? await u.monitor.catch(() => null) : await u.monitor;
  if (!running?.alive()) {
    void running?.stop();
    const fresh = launchMonitor(tools, caller, user);
    fresh.bind(sink);
    u.monitor = fresh.monitor;
    running = await fresh.monitor;
  }

  // The bridge starts while bwrap builds the sandbox (unless the spare
  // started it already); the command waits for it (ready()). Without
  // network, a bridge a spare started is stopped first.
  const bridged = network ? running.bridge(network.bridge) : running.unbridge();
  bridged.catch(() => {});

  const inner = [...(tools.prlimit ? prlimitArgs(tools.prlimit, sb.limits) : []), tools.bash, '-c', plan.line, ...(ctx.positional ?? [])];
  const layout: BwrapLayout = {
    hidden,
    workspace: sb.workspace,
    writable,
    masks,
    emptyFile: staging.emptyFile,
    cwd: sb.cwd,
    statusFd: 3,
    // bwrap builds the sandbox while the monitor's capture, the bridge and
    // the proxy start; the command itself waits at this fd for all of them.
    blockFd: 4,
    command: inner,
  };
  // The rebuilt environment is what bwrap itself is started with, instead of
  // --clearenv plus --setenv pairs: values on bwrap's command line would be
  // readable by every host user in ps. bwrap passes its environment on as is.
  const env = sandboxEnv(sb.env, ctx.env, { HOME: sb.home, ...(network?.env ?? {}) });
  const argv = [...dropPrivilegesArgv(tools.setpriv, caller, user), ...running.enter(tools.nsenter), tools.bwrap, ...bwrapArgs(layout)];
  const proxyReady = async (session: NetworkSession) => {
    await session.listen();
    if (user.why !== 'caller') chownSync(session.bridge.socketPath, user.uid, user.gid);
  };
  return { env, argv, ready: () => Promise.all([running.listening, bridged, network && proxyReady(network)]).then(() => {}) };
}

async function prepare(plan: Plan, ctx: HostContext): Promise<Supervised> {
  const sb = plan.sandbox;
  if (plan.action !== 'sandbox' || !sb) {
    throw new SetupError(`the plan's action is ${plan.action}, not sandbox, so there is nothing to sandbox`, 'this is a bug in the caller; report it with `sbsh plan --json`');
  }
  const ws = orNull(() => statSync(sb.workspace));
  if (!ws) throw new SetupError(`the workspace ${sb.workspace} does not exist`, 'run sbsh from an existing directory');
  const u: Undo = { owner: { uid: ws.uid, gid: ws.gid }, loans: [], staging: null, network: null, endpoint: null, monitor: null };
  let resolved: Resolved;
  try {
    resolved = await resolveLayout(plan, sb, ctx, u);
  } catch (err) {
    const problems = await undo(u);
    for (const p of problems) say(ctx, `sbsh: cleanup: ${p}\n`);
    if (err instanceof SetupError) throw err;
    throw new SetupError(`preparing the sandbox failed: ${(err as Error).message}`, 'check the path named above; run `sbsh doctor`');
  }
  let disposed = false;
  return {
    file: resolved.argv[0]!,
    args: resolved.argv.slice(1),
    env: resolved.env,
    cwd: sb.cwd,
    fds: [],
    detached: true,
    statusPipe: true,
    gatePipe: true,
    supervise: (run) => superviseBwrap(run, sb.limits, ctx, resolved.ready()),
    async dispose() {
      if (disposed) return;
      disposed = true;
      for (const p of await undo(u)) say(ctx, `sbsh: after the sandbox: ${p}\n`);
    },
  };
}

// A documentation address (RFC 5737): in the probe's namespace it reaches nothing anyway.
const PROBE_TARGET = { host: '192.0.2.1', port: 9 };

async function probe(): Promise<ProbeResult> {
  const base = { backend: 'bwrap' };
  let tools: Omit<Tools, 'prlimit'>;
  try {
    tools = { ...monitorTools(toolPath(process.env)), bwrap: need('bwrap', process.env.PATH, INSTALL_BWRAP) };
  } catch (err) {
    if (err instanceof SetupError) return { ...base, works: false, detail: err.message, fix: err.fix };
    throw err;
  }
  const caller = ids();
  const user = chooseSandboxUser(caller, caller.uid === 0 ? { uid: 0, gid: 0 } : caller);
  const seen: string[] = [];
  let monitor: NetworkMonitor | null = null;
  let shown = 'the network monitor';
  try {
    monitor = await startMonitor({ tools, asUser: becomeUserFlags(caller, user), report: (a) => seen.push(`${a.protocol} ${a.host}:${a.port}`) });
    await monitor.listening;
    const inner = `id -u; (exec 3<>/dev/tcp/${PROBE_TARGET.host}/${PROBE_TARGET.port}) 2>/dev/null; exit 0`;
    const argv = [...dropPrivilegesArgv(tools.setpriv, caller, user), ...monitor.enter(tools.nsenter), tools.bwrap, '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc',
      ...SANDBOX_NAMESPACES, '--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--', tools.bash, '-c', inner];
    shown = argv.join(' ');
    const { stdout } = await execFileP(argv[0]!, argv.slice(1), { timeout: 10_000 });
    const problems = await monitor.stop();
    const uid = stdout.trim();
    if (uid === '0') return { ...base, works: false, detail: `${shown}: the sandbox runs as uid 0`, fix: 'run sbsh as a normal user' };
    const logged = seen.includes(`tcp ${PROBE_TARGET.host}:${PROBE_TARGET.port}`);
    if (!logged) return { ...base, works: false, detail: `${shown}: ran as uid ${uid}, but its direct connect to ${PROBE_TARGET.host}:${PROBE_TARGET.port} was not seen by the network monitor (${[...seen, ...problems].join('; ') || 'nothing captured'})`, fix: 'check that tcpdump can capture in a user namespace: unshare --user --map-current-user --keep-caps --net tcpdump -i lo -c 1' };
    return { ...base, works: true, detail: `${shown}: ran as uid ${uid}; its direct connect was refused and logged`, fix: null };
  } catch (err) {
    const e = err as Error & { stderr?: string; fix?: string };
    const msg = (e.stderr || e.message).trim();
    const userns = /namespace|uid map|setting up uid|Operation not permitted|Permission denied/i.test(msg);
    return { ...base, works: false, detail: `${shown}: ${msg}`, fix: userns ? USERNS_FIX : err instanceof SetupError ? err.fix : INSTALL_BWRAP };
  } finally {
    await monitor?.stop();
  }
}

export function createBwrapBackend(): Backend {
  return { name: 'bwrap', probe, prepare, warm };
}
