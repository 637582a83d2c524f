#!/usr/bin/env node
// Bundles the command-line path (dist/lib/cli/main.js and everything it
// imports, zod and yaml included) into one file beside it. Node 20 loads one
// module much faster than two hundred: `sbsh -c` pays this on every line.
// The interactive UI stays a separate, lazily imported module tree. The
// bundle sits at the same depth as the modules it replaces, so their
// import.meta.url-relative paths (package root, bin/sbsh) still resolve.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../dist/lib/cli/main.js', import.meta.url).pathname],
  outfile: new URL('../dist/lib/cli/main.bundle.mjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Native addons, wasm loaders that find their files by path, and the UI.
  external: ['web-tree-sitter', 'node-pty', 'blessed', '@xterm/headless', 'ssh2', '../ui/index.js'],
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: { js: "import { createRequire as __sbshRequire } from 'node:module'; const require = __sbshRequire(import.meta.url);" },
  logLevel: 'warning',
});
