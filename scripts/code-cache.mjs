#!/usr/bin/env node
// Writes V8's code cache for the command-line bundle (dist/lib/cli/
// main.bundle.cjs.v8cache), which bin/sbsh.cjs hands to V8 so that no start
// compiles the bundle again. The cache is taken after planning a few lines
// in a throwaway HOME and workspace, so it also holds the functions every
// line needs, not only the top level. Compiled exactly as bin/sbsh.cjs compiles
// it (same flag, same wrapper), or V8 would reject it. Best effort: without
// it sbsh only starts slower.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

setFlagsFromString('--liftoff-only');

const bundle = fileURLToPath(new URL('../dist/lib/cli/main.bundle.cjs', import.meta.url));
const script = new Script(Module.wrap(readFileSync(bundle, 'latin1')), { filename: bundle });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));

const scratch = mkdtempSync(join(tmpdir(), 'sbsh-code-cache-'));
try {
  process.env.HOME = join(scratch, 'home');
  process.env.XDG_CONFIG_HOME = join(scratch, 'config');
  process.env.XDG_CACHE_HOME = join(scratch, 'cache');
  process.env.XDG_STATE_HOME = join(scratch, 'state');
  process.chdir(scratch);
  // Only plans: nothing runs. Their output is not wanted here.
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  for (const line of ['npm install', 'npm ci && npm test | tee log.txt']) await mod.exports.main(['plan', '--json', '-c', line]);
  process.stdout.write = write;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
writeFileSync(`${bundle}.v8cache`, script.createCachedData());
