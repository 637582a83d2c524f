#!/usr/bin/env node
// Builds, then runs every test file in its own node process (a crashed or
// hung file cannot take the others down) and prints one closing line:
// "N passed, N failed, N skipped". Usage: npm test [-- FILTER...]
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('test: TypeScript build failed; fix the errors above.');
  process.exit(1);
}
// The end-to-end tests run bin/sbsh, which loads the bundle.
const bundle = spawnSync(process.execPath, [join(root, 'scripts/bundle.mjs')], { stdio: 'inherit' });
if (bundle.status !== 0) {
  console.error('test: bundling dist/lib/cli failed; see above.');
  process.exit(1);
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const files = walk(join(root, 'dist/test'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const FILE_TIMEOUT_MS = Number(process.env.SBSH_TEST_FILE_TIMEOUT_MS || 600_000);
let passed = 0, failed = 0, skipped = 0, brokenFiles = [];

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [file], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => { out += `\ntest: ${relative(root, file)} timed out after ${FILE_TIMEOUT_MS} ms\n`; child.kill('SIGKILL'); }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ file, code, out, ms: Date.now() - started });
    });
  });
}

const queue = [...files];
const results = [];
const workers = Array.from({ length: Number(process.env.SBSH_TEST_JOBS || 2) }, async () => {
  while (queue.length) {
    const file = queue.shift();
    const r = await runFile(file);
    const total = /Total:\s+(\d+)/.exec(r.out);
    const pass = /Passed:\s+(\d+)/.exec(r.out);
    const skip = /Skipped:\s+(\d+)/.exec(r.out);
    const t = total ? Number(total[1]) : 0;
    const p = pass ? Number(pass[1]) : 0;
    const s = skip ? Number(skip[1]) : 0;
    passed += p; skipped += s;
    const f = Math.max(0, t - p - s);
    failed += f;
    if (r.code !== 0 || !total) { brokenFiles.push(relative(root, file)); if (f === 0) failed += 1; }
    process.stdout.write(`\n=== ${relative(root, file)} (${r.ms} ms, exit ${r.code})\n${r.out}`);
    results.push(r);
  }
});
await Promise.all(workers);

if (brokenFiles.length) console.log(`\nfailing files: ${brokenFiles.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
