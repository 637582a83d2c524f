import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// The exfiltration world shared by `sbsh demo exfil` and test/adversarial: a
// victim project that depends on a malicious package (test/fixtures), a fake
// HOME full of canary secrets, and host services an attacker would aim at.
// Every verdict is taken from the host side: listeners record what reached
// them, files are hashed before and after, processes are scanned.

export interface Ids {
  uid: number;
  gid: number;
}

export interface World {
  base: string;
  ws: string;
  home: string;
  owner: Ids;
  cleanup(): void;
}

const REPO = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../..' : '../..', import.meta.url));
export const FIXTURES = join(REPO, 'test', 'fixtures');

/** A workspace and a HOME owned by `owner`, under a fresh directory others may enter (the sandbox uid must reach it). */
export function makeWorld(owner: Ids): World {
  const base = mkdtempSync(join(tmpdir(), 'sbsh-t-'));
  chmodSync(base, 0o755);
  const ws = join(base, 'ws');
  const home = join(base, 'home');
  for (const d of [ws, home]) {
    mkdirSync(d, { mode: 0o755 });
    chmodSync(d, 0o755);
    chownSync(d, owner.uid, owner.gid);
  }
  return { base, ws, home, owner, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** Host processes whose command line contains `marker`. */
export function processesWith(marker: string): string[] {
  const r = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.includes(marker) && !l.includes('ps -eo'));
}

export function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  return new Promise((resolve) => {
    const tick = () => {
      if (check()) resolve(true);
      else if (Date.now() > until) resolve(false);
      else setTimeout(tick, 20);
    };
    tick();
  });
}

function canary(label: string): string {
  return `${label}-${randomBytes(10).toString('hex')}`;
}

const HOME_SECRETS = ['.ssh/id_rsa', '.aws/credentials', '.npmrc', '.netrc', '.docker/config.json', '.kube/config', '.git-credentials', '.bash_history', '.gnupg/private-keys-v1.d/key.key'];
const WORKSPACE_SECRETS = ['.env', '.npmrc'];
const ENV_SECRETS = ['AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'NPM_TOKEN'];

interface Listener {
  name: string;
  server: net.Server;
  connections: number;
  received: string;
}

function listen(name: string, opts: net.ListenOptions): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const l: Listener = { name, server: net.createServer(), connections: 0, received: '' };
    l.server.on('connection', (sock) => {
      l.connections++;
      sock.on('data', (d) => (l.received += d.toString()));
      sock.on('error', () => {});
    });
    l.server.once('error', reject);
    l.server.listen(opts, () => resolve(l));
  });
}

function hashTree(root: string, skip: (rel: string) => boolean): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string) => {
    const rel = relative(root, p);
    if (rel && skip(rel)) return;
    const st = lstatSync(p);
    if (st.isDirectory()) {
      out.set(rel + '/', `dir ${st.mode.toString(8)}`);
      for (const n of readdirSync(p)) walk(join(p, n));
    } else if (st.isFile()) {
      out.set(rel, `${st.mode.toString(8)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    } else {
      out.set(rel, `other ${st.mode.toString(8)}`);
    }
  };
  walk(root);
  return out;
}

function changes(what: string, before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of after) if (before.get(k) !== v) out.push(`${what} ${before.has(k) ? 'changed' : 'gained'} ${k}`);
  for (const k of before.keys()) if (!after.has(k)) out.push(`${what} lost ${k}`);
  return out;
}

/** Files under `root` whose content contains any of `needles` (sockets and other non-files skipped). */
function filesContaining(root: string, needles: string[], except: Set<string>): string[] {
  if (!existsSync(root)) return [];
  const hits: string[] = [];
  const walk = (p: string) => {
    const st = lstatSync(p);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
    else if (st.isFile() && !except.has(p)) {
      const text = readFileSync(p, 'latin1');
      for (const n of needles) if (text.includes(n)) hits.push(`${p} contains ${n.split('-')[0]}`);
    }
  };
  walk(root);
  return hits;
}

export interface ExfilWorld extends World {
  /** The caller's environment for the victim's commands: canary secrets included, HOME = the fake HOME. */
  env: NodeJS.ProcessEnv;
  /** Everything that got out or changed, judged from the host side; empty when every attack failed. */
  leaks(output: { stdout: string; stderr: string }): Promise<string[]>;
}

/**
 * Builds the world for `owner` (root, or the normal user the victim runs as).
 * Throws when it cannot (npm pack failed, a listener could not bind).
 */
export async function buildExfilWorld(owner: Ids, opts: { registryDependency?: boolean } = {}): Promise<ExfilWorld> {
  const world = makeWorld(owner);
  const { ws, home, base } = world;
  const listeners: Listener[] = [];
  let hostSleep: ChildProcess | null = null;
  // /run is root's; as a normal user the socket goes beside the workspace instead.
  const runSocket = process.getuid?.() === 0 ? `/run/${canary('sbsh-adv')}.sock` : join(base, 'run.sock');
  const hostTmpFile = join(tmpdir(), canary('sbsh-adv-tmp'));
  const daemonMarker = canary('daemon');
  const cleanup = () => {
    hostSleep?.kill('SIGKILL');
    // Only an unsandboxed control run leaves the daemon behind.
    spawnSync('pkill', ['-KILL', '-f', daemonMarker]);
    for (const l of listeners) l.server.close();
    rmSync(runSocket, { force: true });
    rmSync(hostTmpFile, { force: true });
    world.cleanup();
  };
  try {
    cpSync(join(FIXTURES, 'victim'), ws, { recursive: true });
    if (opts.registryDependency) {
      // A real dependency from the npm registry beside the malicious one: the install needs the proxy.
      const pkg = JSON.parse(readFileSync(join(ws, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      pkg.dependencies['is-number'] = '7.0.0';
      writeFileSync(join(ws, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
    }
    mkdirSync(join(ws, '.git', 'hooks'), { recursive: true });
    writeFileSync(join(ws, '.git', 'hooks', 'pre-commit.sample'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    // npm pack writes only the tarball; the package has no pack-time script.
    const packDir = join(base, 'pack');
    mkdirSync(packDir);
    const pack = spawnSync('npm', ['pack', '--pack-destination', packDir, '--silent'], { cwd: join(FIXTURES, 'malicious-pkg'), encoding: 'utf8' });
    if (pack.status !== 0) throw new Error(`npm pack of the malicious fixture failed: ${pack.stderr}`);
    mkdirSync(join(ws, 'vendor'));
    cpSync(join(packDir, 'evil-pkg-1.0.0.tgz'), join(ws, 'vendor', 'evil-pkg-1.0.0.tgz'));

    const secrets: string[] = [];
    const planted = new Set<string>();
    for (const rel of HOME_SECRETS) {
      const p = join(home, rel);
      mkdirSync(dirname(p), { recursive: true, mode: 0o700 });
      const c = canary(`home${rel.replace(/[^a-z]/g, '_')}`);
      writeFileSync(p, `secret ${c}\n`, { mode: 0o600 });
      secrets.push(c);
      planted.add(p);
    }
    writeFileSync(join(home, '.bashrc'), "# the user's own bashrc\n");
    for (const rel of WORKSPACE_SECRETS) {
      const p = join(ws, rel);
      const c = canary(`ws${rel.replace(/[^a-z]/g, '_')}`);
      writeFileSync(p, rel === '.npmrc' ? `//registry.npmjs.org/:_authToken=${c}\n` : `API_KEY=${c}\n`, { mode: 0o600 });
      secrets.push(c);
      planted.add(p);
    }
    // The root hash line of /etc/shadow is a secret too, when it can be read here.
    try {
      const shadow = readFileSync('/etc/shadow', 'utf8').split('\n')[0] ?? '';
      if (shadow.length > 10) secrets.push(shadow);
    } catch {
      // Not root: the victim cannot read it either, sandbox or not.
    }

    listeners.push(
      await listen('tcp 127.0.0.1', { host: '127.0.0.1', port: 0 }),
      await listen('tcp ::1', { host: '::1', port: 0 }),
      await listen('abstract unix socket', { path: `\0${canary('sbsh-adv')}` }),
    );
    listeners.push(await listen('unix socket under /run', { path: runSocket }));
    listeners.push(await listen('unix socket under HOME', { path: join(home, 'agent.sock') }));
    // Reachable by the attacker's uid if it were not sandboxed.
    chmodSync(runSocket, 0o777);
    chmodSync(join(home, 'agent.sock'), 0o777);

    const hostSleepMarker = canary('hostsleep');
    // Owned by the attacker's uid when that is a normal user: only the sandbox stands between them.
    const asUser = owner.uid === 0 || owner.uid === process.getuid?.() ? [] : ['setpriv', `--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--clear-groups', '--'];
    const sleepArgv = [...asUser, 'bash', '-c', `exec -a ${hostSleepMarker} sleep 600`];
    const sleeper = spawn(sleepArgv[0]!, sleepArgv.slice(1), { stdio: 'ignore' });
    hostSleep = sleeper;
    if (!(await waitFor(() => processesWith(hostSleepMarker).length > 0, 5000))) throw new Error('the host canary process did not start');

    const port = (l: Listener) => (l.server.address() as net.AddressInfo).port;
    writeFileSync(join(ws, 'attack-targets.json'), JSON.stringify({
      home,
      workspace: ws,
      tcpPort: port(listeners[0]!),
      tcp6Port: port(listeners[1]!),
      abstractName: (listeners[2]!.server.address() as string).slice(1),
      runSocket,
      homeSocket: join(home, 'agent.sock'),
      hostSleepPid: sleeper.pid,
      hostSleepMarker,
      hostTmpFile,
      daemonMarker,
    }));

    const env: NodeJS.ProcessEnv = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: home,
      LANG: 'C.UTF-8',
      SSH_AUTH_SOCK: join(home, 'agent.sock'),
      // The host's TLS trust, for the registry (a gateway may re-sign its traffic).
      ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
    };
    for (const name of ENV_SECRETS) {
      const c = canary(`env_${name}`);
      env[name] = c;
      secrets.push(c);
    }
    spawnSync('chown', ['-R', `${owner.uid}:${owner.gid}`, ws, home]);
    const skipHome = (rel: string) => rel === 'agent.sock';
    const skipWs = (rel: string) => rel === 'node_modules' || rel === 'package-lock.json';
    const homeBefore = hashTree(home, skipHome);
    const wsBefore = hashTree(ws, skipWs);

    return {
      ...world,
      cleanup,
      env,
      async leaks(out) {
        const found: string[] = [];
        for (const l of listeners) if (l.connections > 0) found.push(`${l.name} got ${l.connections} connection(s) (${l.received.length} bytes)`);
        for (const c of secrets) if (out.stdout.includes(c) || out.stderr.includes(c)) found.push(`output contains ${c.split('-')[0]}`);
        found.push(...filesContaining(ws, secrets, planted), ...filesContaining(home, secrets, planted), ...filesContaining('/var/cache/sbsh', secrets, new Set()));
        if (existsSync(hostTmpFile)) found.push(`${hostTmpFile} was created on the host`);
        if (existsSync('/etc/x')) found.push('/etc/x was created');
        found.push(...changes('HOME', homeBefore, hashTree(home, skipHome)));
        found.push(...changes('workspace (outside the writable paths)', wsBefore, hashTree(ws, skipWs)));
        if (sleeper.exitCode !== null || sleeper.signalCode !== null) found.push('the host process was killed');
        if (!(await waitFor(() => processesWith(daemonMarker).length === 0, 3000))) found.push(`daemon still running: ${processesWith(daemonMarker).join('; ')}`);
        return found;
      },
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}
