import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseLayer } from '../../lib/policy/layer.js';
import { builtinPolicyFile } from '../../lib/policy/builtin.js';
import { CLASSES } from '../../lib/classify/types.js';
import { defaultLayer } from './harness.js';

// policies/default.yaml is a complete policy layer: valid against the
// schema, every class routed, every profile and ecosystem a rule names
// defined, and the sandbox profiles keep credentials out.

const layer = defaultLayer();
const rules = layer.classify?.rules ?? [];

test('default.yaml is a valid policy layer (PolicyLayer.parse and the real loader)', () => {
  assert.is(layer.version, 1);
  const file = builtinPolicyFile('default');
  const loaded = parseLayer(readFileSync(file), file, 'builtin');
  assert.is(loaded.data.classify?.rules?.length, rules.length);
  assert.ok(rules.length > 80, `expected a full rule set, got ${rules.length}`);
});

test('every class has an action: host-safe on the host, dangerous denied, the rest sandboxed', () => {
  assert.equal(layer.rules?.['host-safe'], { action: 'host' });
  assert.equal(layer.rules?.dangerous, { action: 'deny' });
  assert.equal(layer.rules?.install, { action: 'sandbox', profile: 'install' });
  assert.equal(layer.rules?.build, { action: 'sandbox', profile: 'build' });
  assert.equal(layer.rules?.unknown, { action: 'sandbox', profile: 'build' });
  for (const c of CLASSES) assert.ok(layer.rules?.[c], `no action for ${c}`);
});

test('rule ids are unique, every rule says why, dangerous rules are guard.*', () => {
  const ids = new Set<string>();
  for (const r of rules) {
    assert.not.ok(ids.has(r.id), `duplicate id ${r.id}`);
    ids.add(r.id);
    assert.ok(r.why.length > 10, `rule ${r.id} has no real why`);
    if (r.class === 'dangerous') assert.ok(r.id.startsWith('guard.'), r.id);
  }
});

test('every ecosystem a rule names has domains', () => {
  for (const r of rules) {
    if (r.ecosystem === undefined) continue;
    assert.ok(layer.ecosystems?.[r.ecosystem]?.domains?.length, `rule ${r.id} names ecosystem ${r.ecosystem}, which has no domains`);
  }
  for (const e of ['npm', 'pypi', 'cargo', 'go', 'rubygems', 'composer', 'maven', 'gradle']) assert.ok(layer.ecosystems?.[e], e);
  assert.ok(layer.ecosystems?.npm?.domains?.includes('registry.npmjs.org'));
  assert.ok(layer.ecosystems?.pypi?.domains?.includes('files.pythonhosted.org'));
});

test('every guard list is present and non-empty', () => {
  const g = layer.classify?.guard;
  for (const key of ['harmless_targets', 'persistence_paths', 'bin_dirs', 'code_runners', 'fetchers', 'decoders', 'code_loading_env'] as const) {
    assert.ok(g?.[key]?.length, `classify.guard.${key} is missing`);
  }
  assert.ok(g?.persistence_paths?.includes('.git/hooks'));
  assert.ok(g?.harmless_targets?.includes('/dev/null'));
});

test('install profile: registry network only, writes its ecosystems\' dependencies and outputs, never manifests, sources or .git', () => {
  const p = layer.profiles?.install;
  assert.equal(p?.network, { mode: 'allow', domains: [], ecosystem_domains: true });
  assert.is(p?.no_new_privileges, true);
  assert.is(p?.workspace?.ecosystem_paths, true);
  const own = p?.workspace?.writable_paths ?? [];
  for (const w of ['dist', 'build', '.cache']) assert.ok(own.includes(w), w);
  const eco = (name: string) => layer.ecosystems?.[name]?.writable_paths ?? [];
  for (const [name, w] of [['npm', 'node_modules'], ['npm', 'package-lock.json'], ['npm', '~/.npm'], ['pypi', '.venv'], ['cargo', 'target'], ['go', 'vendor']] as const) assert.ok(eco(name).includes(w), `${name}: ${w}`);
  assert.not.ok(own.includes('node_modules') || own.includes('.venv'), 'dependency trees are per ecosystem');
  const every = [...own, ...Object.keys(layer.ecosystems ?? {}).flatMap(eco)];
  for (const w of ['package.json', 'pyproject.toml', 'Cargo.toml', 'go.mod', '.git', 'src', '.', '']) assert.not.ok(every.includes(w), w);
  const excluded = p?.workspace?.exclude_paths ?? [];
  for (const e of ['.env*', '.npmrc', '.netrc', '*.pem', '*.key', 'id_*', '.git-credentials']) {
    assert.ok(excluded.includes(e), e);
  }
  const masked = p?.mask_paths ?? [];
  for (const m of ['~/.ssh', '~/.aws', '~/.npmrc', '~/.netrc', '~/.docker', '~/.kube', '~/.gnupg', '~/.git-credentials', '~/.config/gh', '~/.bash_history']) {
    assert.ok(masked.includes(m), m);
  }
  const env = p?.environment;
  for (const n of ['PATH', 'HOME', 'TERM', 'LANG', 'LC_*', 'TZ', 'USER', 'LOGNAME', 'SHELL', 'CI', 'NODE_ENV']) assert.ok(env?.pass_through?.includes(n), n);
  for (const n of ['*TOKEN*', '*SECRET*', '*PASSWORD*', '*KEY*', 'AWS_*', 'GITHUB_*', 'NPM_TOKEN', 'SSH_AUTH_SOCK']) assert.ok(env?.deny?.includes(n), n);
});

test('build profile: no network, writes build outputs only, same masks and environment', () => {
  const p = layer.profiles?.build;
  const install = layer.profiles?.install;
  assert.is(p?.network?.mode, 'off');
  assert.is(p?.no_new_privileges, true);
  const writable = p?.workspace?.writable_paths ?? [];
  for (const w of ['dist', 'build', 'target', 'coverage']) assert.ok(writable.includes(w), w);
  for (const w of ['node_modules', 'package-lock.json', '.venv', '.git', 'src']) assert.not.ok(writable.includes(w), w);
  assert.equal(p?.mask_paths, install?.mask_paths);
  assert.equal(p?.environment, install?.environment);
  assert.equal(p?.workspace?.exclude_paths, install?.workspace?.exclude_paths);
});

test('guard settings', () => {
  assert.equal(layer.guard, { strict: false, kill_after: 3 });
});

test.run();
