import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeWorld, processesWith, waitFor, type User, type World } from '../sandbox/harness.js';

// A malicious npm package installed for real, by whatever runs a command
// line: this backend driven with a hand-built plan, or `bin/sbsh -c`. The
// package (test/fixtures/malicious-pkg) is packed into the victim project
// (test/fixtures/victim) as a vendored tarball, so no network is needed. Its
// postinstall and its planted `npm run build` tool try every attack in the
// book; every check here is made from the host side.

export interface RunLineContext {
  world: World;
  user: User;
  /** The caller's environment: canary secrets included, PATH, HOME = the fake HOME. */
  env: NodeJS.ProcessEnv;
}

export type RunLine = (line: string, ctx: RunLineContext) => Promise<{ status: number | null; stdout: string; stderr: string }>;

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'test', 'fixtures'))) {
    if (dirname(dir) === dir) throw new Error('repository root not found above ' + fileURLToPath(import.meta.url));
    dir = dirname(dir);
  }
  return dir;
}

const FIXTURES = join(repoRoot(), 'test', 'fixtures');

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

/** Registers the adversarial suite `name`, run as `user`, each line through `runLine`. */
export function adversarialSuite(name: string, user: User, runLine: RunLine): void {
  const s = suite(name);
  let world: World;
  let env: NodeJS.ProcessEnv;
  let secrets: string[];
  let planted: Set<string>;
  let listeners: Listener[];
  let hostSleep: ChildProcess;
  let hostSleepMarker: string;
  let daemonMarker: string;
  let hostTmpFile: string;
  let runSocket: string;
  let homeBefore: Map<string, string>;
  let wsBefore: Map<string, string>;

  s.before(async () => {
    world = makeWorld(user);
    const { ws, home } = world;
    cpSync(join(FIXTURES, 'victim'), ws, { recursive: true });
    mkdirSync(join(ws, '.git', 'hooks'), { recursive: true });
    writeFileSync(join(ws, '.git', 'hooks', 'pre-commit.sample'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    // npm pack writes only the tarball; no script of the package runs.
    const packDir = join(world.base, 'pack');
    mkdirSync(packDir);
    const pack = spawnSync('npm', ['pack', '--pack-destination', packDir, '--silent'], { cwd: join(FIXTURES, 'malicious-pkg'), encoding: 'utf8' });
    assert.is(pack.status, 0, pack.stderr);
    mkdirSync(join(ws, 'vendor'));
    cpSync(join(packDir, 'evil-pkg-1.0.0.tgz'), join(ws, 'vendor', 'evil-pkg-1.0.0.tgz'));

    secrets = [];
    planted = new Set();
    for (const rel of HOME_SECRETS) {
      const p = join(home, rel);
      mkdirSync(dirname(p), { recursive: true, mode: 0o700 });
      const c = canary(`home${rel.replace(/[^a-z]/g, '_')}`);
      writeFileSync(p, `secret ${c}\n`, { mode: 0o600 });
      secrets.push(c);
      planted.add(p);
    }
    writeFileSync(join(home, '.bashrc'), '# the user\'s own bashrc\n');
    for (const rel of WORKSPACE_SECRETS) {
      const p = join(ws, rel);
      const c = canary(`ws${rel.replace(/[^a-z]/g, '_')}`);
      writeFileSync(p, rel === '.npmrc' ? `//registry.npmjs.org/:_authToken=${c}\n` : `API_KEY=${c}\n`, { mode: 0o600 });
      secrets.push(c);
      planted.add(p);
    }
    // The root hash line of /etc/shadow is a secret too (the test runs as root).
    const shadow = readFileSync('/etc/shadow', 'utf8').split('\n')[0] ?? '';
    if (shadow.length > 10) secrets.push(shadow);

    listeners = [
      await listen('tcp 127.0.0.1', { host: '127.0.0.1', port: 0 }),
      await listen('tcp ::1', { host: '::1', port: 0 }),
      await listen('abstract unix socket', { path: `\0${canary('sbsh-adv')}` }),
    ];
    runSocket = `/run/${canary('sbsh-adv')}.sock`;
    listeners.push(await listen('unix socket under /run', { path: runSocket }));
    listeners.push(await listen('unix socket under HOME', { path: join(home, 'agent.sock') }));
    // Reachable by the attacker's uid if it were not sandboxed.
    chmodSync(runSocket, 0o777);
    chmodSync(join(home, 'agent.sock'), 0o777);

    hostSleepMarker = canary('hostsleep');
    // Owned by the attacker's uid when that is a normal user: only the sandbox stands between them.
    const asUser = user.uid === 0 ? [] : ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--'];
    const sleepArgv = [...asUser, 'bash', '-c', `exec -a ${hostSleepMarker} sleep 600`];
    hostSleep = spawn(sleepArgv[0]!, sleepArgv.slice(1), { stdio: 'ignore' });
    assert.ok(await waitFor(() => processesWith(hostSleepMarker).length > 0, 5000), 'host sleep started');
    daemonMarker = canary('daemon');
    hostTmpFile = join(tmpdir(), canary('sbsh-adv-tmp'));

    const addr = (l: Listener) => (l.server.address() as net.AddressInfo).port;
    writeFileSync(join(ws, 'attack-targets.json'), JSON.stringify({
      home,
      workspace: ws,
      tcpPort: addr(listeners[0]!),
      tcp6Port: addr(listeners[1]!),
      abstractName: (listeners[2]!.server.address() as string).slice(1),
      runSocket,
      homeSocket: join(home, 'agent.sock'),
      hostSleepPid: hostSleep.pid,
      hostSleepMarker,
      hostTmpFile,
      daemonMarker,
    }));

    env = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: home,
      LANG: 'C.UTF-8',
      SSH_AUTH_SOCK: join(home, 'agent.sock'),
    };
    for (const name of ENV_SECRETS) {
      const c = canary(`env_${name}`);
      env[name] = c;
      secrets.push(c);
    }
    spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, ws, home]);
    homeBefore = hashTree(home, (rel) => rel === 'agent.sock');
    wsBefore = hashTree(ws, (rel) => rel === 'node_modules' || rel === 'package-lock.json');
  });

  s.after(() => {
    hostSleep?.kill('SIGKILL');
    for (const l of listeners ?? []) l.server.close();
    rmSync(runSocket, { force: true });
    rmSync(hostTmpFile, { force: true });
    world?.cleanup();
  });

  async function nothingEscaped(phase: string, out: { stdout: string; stderr: string }): Promise<void> {
    const leaks: string[] = [];
    for (const l of listeners) {
      if (l.connections > 0) leaks.push(`${l.name} got ${l.connections} connection(s) (${l.received.length} bytes)`);
    }
    for (const c of secrets) {
      if (out.stdout.includes(c) || out.stderr.includes(c)) leaks.push(`output contains ${c.split('-')[0]}`);
    }
    const { ws, home } = world;
    leaks.push(...filesContaining(ws, secrets, planted), ...filesContaining(home, secrets, planted), ...filesContaining('/var/cache/sbsh', secrets, new Set()));
    if (existsSync(hostTmpFile)) leaks.push(`${hostTmpFile} was created on the host`);
    if (existsSync('/etc/x')) leaks.push('/etc/x was created');
    const homeAfter = hashTree(home, (rel) => rel === 'agent.sock');
    assert.equal(Object.fromEntries(homeAfter), Object.fromEntries(homeBefore), `${phase}: HOME changed`);
    const wsAfter = hashTree(ws, (rel) => rel === 'node_modules' || rel === 'package-lock.json');
    assert.equal(Object.fromEntries(wsAfter), Object.fromEntries(wsBefore), `${phase}: workspace files outside the writable paths changed`);
    if (hostSleep.exitCode !== null || hostSleep.signalCode !== null) leaks.push('the host process was killed');
    if (!(await waitFor(() => processesWith(daemonMarker).length === 0, 3000))) leaks.push(`daemon still running: ${processesWith(daemonMarker).join('; ')}`);
    assert.equal(leaks, [], `${phase}: ${leaks.join('\n')}`);
  }

  s('npm install: succeeds, and the postinstall gets nothing out', async () => {
    const r = await runLine('npm install --no-audit --no-fund --offline --foreground-scripts', { world, user, env });
    assert.is(r.status, 0, `npm install failed:\n${r.stdout}\n${r.stderr}`);
    assert.ok(existsSync(join(world.ws, 'node_modules', 'evil-pkg', 'package.json')), 'node_modules populated');
    assert.ok(existsSync(join(world.ws, 'package-lock.json')), 'lockfile written');
    // The attack really ran (a test that cannot fail is a defect).
    assert.match(r.stdout, /evil-pkg postinstall: /);
    assert.ok(existsSync(join(world.ws, 'node_modules', 'evil-pkg', 'loot.txt')), 'the package wrote what it found');
    await nothingEscaped('npm install', r);
  });

  s('npm run build: the planted bin runs sandboxed and gets nothing out', async () => {
    const r = await runLine('npm run build', { world, user, env });
    assert.is(r.status, 0, `npm run build failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /evil-pkg build: /);
    await nothingEscaped('npm run build', r);
  });

  s.run();
}
