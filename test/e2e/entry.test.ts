import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// bin/sbsh.cjs (which bin/sbsh runs) runs the CommonJS bundle from V8's code cache (written by the
// build). A copy of the package with a damaged cache, and one with none,
// must work the same: the cache only ever saves time.

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const BUNDLE = 'dist/lib/cli/main.bundle.cjs';
const s = suite('entry: bin/sbsh and the bundle\'s code cache');
let dir: string;

function copyOfSbsh(cache: 'real' | 'damaged' | 'none'): string {
  const root = mkdtempSync(join(dir, `pkg-${cache}-`));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'dist/lib/cli'), { recursive: true });
  // bin/package.json makes bin/sbsh.cjs's require() CommonJS inside an ES module package.
  for (const entry of ['bin/sbsh', 'bin/sbsh.cjs', 'bin/package.json']) copyFileSync(join(REPO, entry), join(root, entry));
  copyFileSync(join(REPO, BUNDLE), join(root, BUNDLE));
  copyFileSync(join(REPO, 'package.json'), join(root, 'package.json'));
  for (const shared of ['node_modules', 'policies', 'shells']) symlinkSync(join(REPO, shared), join(root, shared));
  if (cache === 'real') copyFileSync(join(REPO, `${BUNDLE}.v8cache`), join(root, `${BUNDLE}.v8cache`));
  if (cache === 'damaged') writeFileSync(join(root, `${BUNDLE}.v8cache`), Buffer.alloc(4096, 0x5a));
  return join(root, 'bin/sbsh');
}

s.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sbsh-entry-'));
});
s.after(() => {
  rmSync(dir, { recursive: true, force: true });
});

s('the build wrote a code cache for the bundle', () => {
  assert.ok(existsSync(join(REPO, `${BUNDLE}.v8cache`)), 'npm run build should write it (scripts/code-cache.mjs)');
});

for (const cache of ['real', 'damaged', 'none'] as const) {
  s(`with a ${cache} cache: a plain line, a line for tree-sitter, and --version all work`, () => {
    const sbsh = copyOfSbsh(cache);
    const home = mkdtempSync(join(dir, 'home-'));
    const env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.state') };
    const version = spawnSync(sbsh, ['--version'], { encoding: 'utf8', env });
    assert.is(version.status, 0, version.stderr);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    assert.is(version.stdout.trim(), `sbsh ${pkg.version}`);
    for (const [line, cls] of [['npm install', 'install'], ['ls | grep x > out.txt', 'host-safe']] as const) {
      const r = spawnSync(sbsh, ['plan', '--json', '-c', line], { encoding: 'utf8', env, cwd: home });
      assert.is(r.status, 0, r.stderr);
      assert.is(r.stderr, '', 'nothing on stderr (no warning about the cache)');
      assert.is((JSON.parse(r.stdout) as { class: string }).class, cls);
    }
  });
}

s.run();
