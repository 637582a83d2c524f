#!/usr/bin/env node
// The node entry point, run by bin/sbsh. Kept tiny so start-up only pays for what the line needs.
// CommonJS (bin/package.json): an ES module entry costs Node's ESM loader,
// ~20 ms of start-up on every command.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { setFlagsFromString } = require('node:v8');
const { Script } = require('node:vm');

// The bash grammar is a 1.3 MB wasm module. V8 would also optimise it on
// background threads and wait for that work at exit (0.5-1 s on 2 cores);
// the baseline compiler alone parses a line in microseconds.
setFlagsFromString('--liftoff-only');

const root = join(__dirname, '..');
const main = join(root, 'dist/lib/cli/main.bundle.cjs');
if (!existsSync(main)) {
  process.stderr.write(`sbsh: ${main} is missing: the TypeScript build has not run.\nFix: run \`npm ci\` (or \`npm run build\`) in ${root}\n`);
  process.exit(125);
}
const { main: run } = loadBundle(main);
// Exit at once: left to itself, Node waits at exit for V8's background
// compile jobs (100-250 ms after a long command). Nothing is lost: sbsh's
// writes (terminal, pipes, files, the audit log) are synchronous on Linux.
run(process.argv.slice(2), process.argv[1], (url) => import(url)).then((status) => process.exit(status));

// The bundle is CommonJS, compiled here with V8's code cache (written by
// `npm run build`, scripts/code-cache.mjs) instead of from scratch on every
// start. A cache V8 rejects (another Node version) only costs that compile.
function loadBundle(file) {
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.v8cache`);
  } catch {
    // no cache: compile
  }
  // Latin-1: the bundle is ASCII (the build checks), and this decoding is a
  // plain copy where UTF-8 must validate a megabyte first.
  const script = new Script(Module.wrap(readFileSync(file, 'latin1')), { filename: file, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, dirname(file));
  return mod.exports;
}
