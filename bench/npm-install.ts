// `npm install` of a small real project from the registry, sandboxed by sbsh
// (through the proxy) against bare npm on the host, in the same run and in
// turns, warm cache: node_modules is removed before every run, the lockfile
// and npm's cache stay. Needs the npm registry.
// Run: npx tsc -p . && node dist/bench/npm-install.js [runs]
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { report, timeInTurns, median, benchWorkspace } from './measure.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const sbsh = join(root, 'bin/sbsh');
const runs = Number(process.argv[2] ?? 5);

const ws = benchWorkspace('sbsh-bench-npm-');
writeFileSync(join(ws, 'package.json'), JSON.stringify({
  name: 'bench-project', version: '1.0.0', private: true,
  dependencies: { debug: '4.3.4', 'is-number': '7.0.0', 'kind-of': '6.0.3', semver: '7.6.0', chalk: '4.1.2' },
}, null, 2));
const env = { ...process.env, SBSH_AUDIT_LOG: join(ws, '.audit.jsonl'), npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
const clean = () => rmSync(join(ws, 'node_modules'), { recursive: true, force: true });

// Fills the cache and writes the lockfile.
const first = spawnSync('npm', ['install'], { cwd: ws, env, stdio: 'inherit' });
if (first.status !== 0) throw new Error('npm install on the host failed: is the registry reachable?');

const samples = timeInTurns([
  { name: 'npm install (host)', argv: ['npm', 'install'] },
  { name: "sbsh -c 'npm install'", argv: [process.execPath, sbsh, '-c', 'npm install'] },
], { cwd: ws, env, runs, warmup: 1, before: clean });
console.log(report('npm install, warm cache: sandboxed vs bare', samples, 'npm install (host)'));
console.log(`ratio: ${(median(samples[1]!.ms) / median(samples[0]!.ms)).toFixed(3)} (target ≤ 1.15)`);
