import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { join } from 'node:path';
import { builtinCacheDir, loadPolicyFresh } from '../../lib/policy/load.js';
import { contentKey } from '../../lib/policy/layer-cache.js';
import { fixturesDir, makeTmpEnv, type TmpEnv, withEnv } from './tmp-env.js';

// The built-ins' YAML parse is cached by content hash in the config
// directory; the data is validated on every load and errors still point at
// the right line.

const BUILTIN = join(fixturesDir(), 'builtin');


const entries = (t: TmpEnv): string[] => readdirSync(builtinCacheDir(t.env)).sort();

test('one entry per built-in read, named by content hash; user and repository files are not cached', withEnv((t) => {
  t.write(t.userPolicy, 'guard: { kill_after: 4 }\n');
  t.write(t.repoPolicy, 'guard: { kill_after: 2 }\n');
  loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN, base: 'ci' });
  const names = entries(t);
  assert.is(names.length, 3, names.join());
  assert.ok(names.every((n) => /^sbsh-policy-data-\d+-[0-9a-f]{16}\.json$/.test(n)), names.join());
}));

test('an edited built-in gets an entry of its own: the new content is what loads, even at the same size', withEnv((t) => {
  const dir = join(t.home, 'builtin');
  cpSync(BUILTIN, dir, { recursive: true });
  const file = join(dir, 'default.yaml');
  assert.is(loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: dir }).policy.guard!.kill_after, 5);
  writeFileSync(file, readFileSync(file, 'utf8').replace('kill_after: 5', 'kill_after: 6'));
  assert.is(loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: dir }).policy.guard!.kill_after, 6);
  assert.is(entries(t).length, 2);
}));

test('the content key tells apart inputs one byte apart, and is stable', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 4096 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (bytes, at, delta) => {
      const other = Uint8Array.from(bytes);
      const i = at % bytes.length;
      other[i] = (other[i]! + delta) % 256;
      return contentKey(bytes) !== contentKey(other) && contentKey(bytes) !== contentKey(bytes.subarray(1)) && contentKey(bytes) === contentKey(Uint8Array.from(bytes));
    }),
    { numRuns: 2000 },
  );
  assert.match(contentKey(new Uint8Array()), /^[0-9a-f]{16}$/);
});

test('a cached entry is what the next load uses (so it must be as protected as trusted.json)', withEnv((t) => {
  loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN });
  const [entry] = entries(t);
  const path = join(builtinCacheDir(t.env), entry!);
  const data = JSON.parse(readFileSync(path, 'utf8'));
  data.guard.kill_after = 42;
  writeFileSync(path, JSON.stringify(data));
  assert.is(loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN }).policy.guard!.kill_after, 42);
}));

test('a damaged or schema-invalid entry is ignored and the file parsed', withEnv((t) => {
  loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN });
  const path = join(builtinCacheDir(t.env), entries(t)[0]!);
  for (const junk of ['{not json', JSON.stringify({ profiles: { x: { network: { mode: 'open' } } } })]) {
    writeFileSync(path, junk);
    assert.is(loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN }).policy.guard!.kill_after, 5);
  }
}));

test('errors in a cached layer still name the line', withEnv((t) => {
  const load = (): string => {
    try {
      loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN, base: 'demo' });
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  const parsed = load();
  assert.is(entries(t).length, 1, 'demo.yaml was cached before its extends was found to loop');
  assert.is(load(), parsed);
  assert.is(parsed, `${join(BUILTIN, 'demo.yaml')}:1:10: extends: extends "demo", which extends this file again; remove one of the two extends`);
}));

test('an unwritable config directory only costs the cache', withEnv((t) => {
  t.write(join(t.home, '.config', 'sbsh', 'cache'), 'a file where the cache directory would go');
  const p = loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN });
  assert.is(p.policy.guard!.kill_after, 5);
}));

test.run();
