import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildExfilWorld, type ExfilWorld } from '../../lib/demo/exfil-world.js';
import type { User } from '../sandbox/harness.js';

// A malicious npm package installed for real, by whatever runs a command
// line: the bwrap backend driven with a hand-built plan, or `bin/sbsh -c`.
// The package (test/fixtures/malicious-pkg) is packed into the victim project
// (test/fixtures/victim) as a vendored tarball, so no network is needed. Its
// postinstall and its planted `npm run build` tool try every attack in the
// book; lib/demo/exfil-world.ts judges each one from the host side.

export interface RunLineContext {
  world: ExfilWorld;
  user: User;
  /** The caller's environment: canary secrets included, PATH, HOME = the fake HOME. */
  env: NodeJS.ProcessEnv;
}

export type RunLine = (line: string, ctx: RunLineContext) => Promise<{ status: number | null; stdout: string; stderr: string }>;

/** Registers the adversarial suite `name`, run as `user`, each line through `runLine`. */
export function adversarialSuite(name: string, user: User, runLine: RunLine, opts: { registryDependency?: boolean } = {}): void {
  const s = suite(name);
  let world: ExfilWorld;
  // With a registry dependency the install must go through the proxy; without one it stays offline.
  const install = `npm install --no-audit --no-fund --foreground-scripts${opts.registryDependency ? '' : ' --offline'}`;

  s.before(async () => {
    world = await buildExfilWorld(user, opts);
  });

  s.after(() => {
    world?.cleanup();
  });

  s('npm install: succeeds, and the postinstall gets nothing out', async () => {
    const r = await runLine(install, { world, user, env: world.env });
    assert.is(r.status, 0, `npm install failed:\n${r.stdout}\n${r.stderr}`);
    assert.ok(existsSync(join(world.ws, 'node_modules', 'evil-pkg', 'package.json')), 'node_modules populated');
    if (opts.registryDependency) assert.ok(existsSync(join(world.ws, 'node_modules', 'is-number', 'package.json')), 'the registry dependency installed');
    assert.ok(existsSync(join(world.ws, 'package-lock.json')), 'lockfile written');
    // The attack really ran (a test that cannot fail is a defect).
    assert.match(r.stdout, /evil-pkg postinstall: /);
    assert.ok(existsSync(join(world.ws, 'node_modules', 'evil-pkg', 'loot.txt')), 'the package wrote what it found');
    assert.equal(await world.leaks(r), [], 'npm install: something got out');
  });

  s('npm run build: the planted bin runs sandboxed and gets nothing out', async () => {
    const r = await runLine('npm run build', { world, user, env: world.env });
    assert.is(r.status, 0, `npm run build failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /evil-pkg build: /);
    assert.equal(await world.leaks(r), [], 'npm run build: something got out');
  });

  s.run();
}
