import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import { skipWithReason } from '../helpers/skip.js';
import { sandboxPlan } from '../sandbox/plans.js';
import { drive, ROOT, testUser } from '../sandbox/harness.js';
import { adversarialSuite, type RunLine } from './suite.js';

// The adversarial suite through the bwrap backend, with hand-built plans
// equivalent to the default policy's install and build profiles
// (policies/default.yaml): same writable paths, masks, environment rules,
// network and limits.

// An npm install's: the install profile's own paths and the npm ecosystem's.
const INSTALL_WRITABLE = ['node_modules', '.pnpm-store', '.yarn/cache', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'dist', 'build', 'out', '.cache'];
const BUILD_WRITABLE = ['dist', 'build', 'out', 'target', 'coverage', '.cache', 'node_modules/.cache', 'tsconfig.tsbuildinfo'];
const WORKSPACE_EXCLUDED = ['.env', '.npmrc'];
const HOME_MASKS = ['.ssh', '.aws', '.docker', '.kube', '.gnupg', '.npmrc', '.netrc', '.git-credentials', '.bash_history'];
const SYSTEM_MASKS = ['/etc/shadow', '/etc/gshadow', '/etc/sudoers', '/etc/ssh'];
const PASS = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'LANG', 'TZ', 'CI'];
const DENY = /TOKEN|SECRET|KEY|PASSWORD|AUTH|^AWS_|^GITHUB_|^NPM_|^SSH_AUTH_SOCK$/;

const runLine: RunLine = async (line, { world, user, env }) => {
  const install = /^npm (install|ci)\b/.test(line);
  const { ws, home } = world;
  const plan = sandboxPlan(line, {
    workspace: ws,
    home,
    writable: (install ? INSTALL_WRITABLE : BUILD_WRITABLE).map((p) => join(ws, p)).sort(),
    masked: [
      ...WORKSPACE_EXCLUDED.map((p) => join(ws, p)),
      ...HOME_MASKS.map((p) => join(home, p)),
      ...SYSTEM_MASKS,
    ].filter((p) => existsSync(p)).sort(),
    exclude_patterns: WORKSPACE_EXCLUDED,
    env: {
      pass: PASS.filter((n) => n in env),
      set: {},
      denied: Object.keys(env).filter((n) => DENY.test(n)),
    },
    network: install ? { mode: 'allow', domains: ['registry.npmjs.org:443'] } : { mode: 'off', domains: [] },
    limits: install ? { memory_mb: 4096, pids: 1024, wall_seconds: 1800 } : { memory_mb: 8192, pids: 4096, wall_seconds: 7200 },
  });
  return drive(plan, { as: user, env, timeoutMs: 120_000 });
};

const root = process.getuid?.() === 0;
if (root) adversarialSuite('adversarial: bwrap backend, sbsh as root', ROOT, runLine);
const normal = root ? testUser() : null;
if (normal) adversarialSuite(`adversarial: bwrap backend, sbsh as ${normal.name}`, normal, runLine);
if (!root || !normal) {
  const s = suite('adversarial: bwrap backend');
  skipWithReason(s, 'adversarial suite as root and as a normal user', 'needs root to plant /etc/shadow checks and to switch to the test user');
  s.run();
}
