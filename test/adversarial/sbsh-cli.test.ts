import { chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import { skipWithReason } from '../helpers/skip.js';
import { runSbsh } from '../helpers/sbsh.js';
import { ROOT, testUser } from '../sandbox/harness.js';
import { adversarialSuite, type RunLine } from './suite.js';

// The adversarial suite through the whole pipeline, as a user types it:
// `sbsh -c 'npm install'` with the built-in default policy deciding the
// profile (install: registry through the proxy; build: no network).

const runLine: RunLine = async (line, { world, user, env }) => {
  // sbsh's own state (audit log, policy cache) lives outside the fake HOME,
  // whose contents the suite hashes before and after.
  const state = join(world.base, 'sbsh-state');
  mkdirSync(state, { recursive: true });
  chownSync(state, user.uid, user.gid);
  const sbshEnv = { ...env, XDG_STATE_HOME: join(state, 'state'), XDG_CONFIG_HOME: join(state, 'config'), XDG_CACHE_HOME: join(state, 'cache') };
  return runSbsh(['-c', line], { cwd: world.ws, env: sbshEnv, as: user, timeoutMs: 180_000 });
};

const root = process.getuid?.() === 0;
if (root) adversarialSuite('adversarial: sbsh -c, as root', ROOT, runLine);
const normal = root ? testUser() : null;
if (normal) adversarialSuite(`adversarial: sbsh -c, as ${normal.name}`, normal, runLine);
// Again with a real registry dependency beside the malicious one: the install
// reaches the registry through the proxy, and still nothing else gets out.
if (root) adversarialSuite('adversarial: sbsh -c with a registry dependency, as root', ROOT, runLine, { registryDependency: true });
if (normal) adversarialSuite(`adversarial: sbsh -c with a registry dependency, as ${normal.name}`, normal, runLine, { registryDependency: true });
if (!root || !normal) {
  const s = suite('adversarial: sbsh -c');
  skipWithReason(s, 'adversarial suite through sbsh -c as root and as a normal user', 'needs root to create and switch to the test user');
  s.run();
}
