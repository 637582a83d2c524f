#!/usr/bin/env node
// Bundles the command-line path (dist/lib/cli/main.js and everything it
// imports, zod and yaml included) into one CommonJS file beside it. Node 20
// loads one module much faster than two hundred, and a CommonJS one faster
// than an ES module (no ES loader translation): `sbsh -c` pays this on every
// line. The interactive UI stays a separate, lazily imported module tree. The
// bundle sits at the same depth as the modules it replaces, so their
// import.meta.url-relative paths (package root, bin/sbsh) still resolve.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../dist/lib/cli/main.js', import.meta.url).pathname],
  outfile: new URL('../dist/lib/cli/main.bundle.cjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Native addons, wasm loaders that find their files by path, and the UI.
  external: ['web-tree-sitter', 'node-pty', 'blessed', '@xterm/headless', 'ssh2', '../ui/index.js'],
  // The sources are ES modules: import.meta.url becomes the bundle's own URL.
  define: { 'import.meta.url': '__sbshBundleUrl' },
  banner: { js: "const __sbshBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // No comments or indentation to read: less to load, and one-byte source
  // strings for V8 (the comments hold non-Latin-1 characters).
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// bin/sbsh.cjs reads the bundle as Latin-1, a plain copy of its bytes, which is
// exact only while it is ASCII (esbuild's default charset escapes the rest).
const bundle = new URL('../dist/lib/cli/main.bundle.cjs', import.meta.url).pathname;
const offset = readFileSync(bundle).findIndex((byte) => byte > 0x7f);
if (offset >= 0) throw new Error(`bundle: ${bundle} has a non-ASCII byte at offset ${offset}; keep esbuild's charset at its default (ascii)`);

// A cache of an older bundle would only be rejected; a failed one is left out.
const cache = new URL('../dist/lib/cli/main.bundle.cjs.v8cache', import.meta.url).pathname;
rmSync(cache, { force: true });
const made = spawnSync(process.execPath, [new URL('./code-cache.mjs', import.meta.url).pathname], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (made.status !== 0) {
  rmSync(cache, { force: true });
  process.stderr.write(`bundle: no V8 code cache (sbsh starts slower): ${made.stderr.trim().split('\n').slice(-3).join(' / ')}\n`);
}
