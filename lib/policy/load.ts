import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLASSES } from '../classify/types.js';
import { PolicyError } from './errors.js';
import { BUILTIN_POLICIES, builtinPolicyDir, builtinPolicyFile, isBuiltinName, type BuiltinName } from './builtin.js';
import { errorAt, readLayerFile, type Layer, type LayerKind } from './layer.js';
import { emptyMerged, overlay, type Merged } from './merge.js';
import { tighten } from './tighten.js';
import { configDir, isTrusted, readTrustStore, trustStorePath, userPolicyPath } from './trust.js';

// Finds the layers (built-in base and what it extends < user < repository),
// reads them, merges them and checks the result. Pure in what it reads: the
// environment (for the user's config directory) is passed in.

export const REPO_POLICY_FILE = 'sbsh.yaml';

export interface LoadOptions {
  /** Absolute workspace root; its `sbsh.yaml` is the repository layer. */
  workspace: string;
  env: NodeJS.ProcessEnv;
  /** Built-in base policy. Unset: a trusted repository's `extends`, else the user's, else `default`. */
  base?: string;
  /** Where the built-in policies live (tests); defaults to the package's `policies/`. */
  builtinDir?: string;
}

export interface LoadedLayer {
  kind: LayerKind;
  file: string;
  trusted: boolean;
}

export interface LoadedPolicy extends Merged {
  base: BuiltinName;
  /** Every file merged, lowest layer first. */
  files: string[];
  layers: LoadedLayer[];
}

export function repoPolicyPath(workspace: string): string {
  return join(workspace, REPO_POLICY_FILE);
}

export function loadPolicyFresh(opts: LoadOptions): LoadedPolicy {
  const dir = opts.builtinDir ?? builtinPolicyDir();
  const userFile = userPolicyPath(opts.env);
  const user = existsSync(userFile) ? readLayerFile(userFile, 'user') : null;
  const repoFile = repoPolicyPath(opts.workspace);
  // Trust is keyed by the path as found, not where a symlink leads: a
  // repository's sbsh.yaml linking to a file trusted for another checkout
  // must not inherit that trust.
  const repo = existsSync(repoFile) ? readLayerFile(repoFile, 'repo') : null;
  const repoTrusted = repo !== null && isTrusted(readTrustStore(trustStorePath(opts.env)), repo.file, repo.bytes);

  const base = opts.base ?? (repoTrusted ? repo.data.extends : undefined) ?? user?.data.extends ?? 'default';
  if (!isBuiltinName(base)) {
    throw new PolicyError(builtinPolicyFile(base, dir), 0, 0, '', `no built-in policy named ${JSON.stringify(base)}; use one of ${BUILTIN_POLICIES.join(', ')}`);
  }
  const builtins = readBuiltinChain(base, dir, builtinCacheDir(opts.env), []);

  const merged = emptyMerged();
  for (const layer of builtins) overlay(merged, layer);
  if (user) overlay(merged, user);
  if (repo) (repoTrusted ? overlay : tighten)(merged, repo);

  const layers = [...builtins, ...(user ? [user] : []), ...(repo ? [repo] : [])];
  checkMerged(merged, layers);
  return {
    ...merged,
    base,
    files: layers.map((l) => l.file),
    layers: layers.map((l) => ({ kind: l.kind, file: l.file, trusted: l.kind !== 'repo' || repoTrusted })),
  };
}

/** Only the built-ins are cached: they are large, and few distinct versions of them ever exist. */
export function builtinCacheDir(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'cache');
}

/** The built-in `name` preceded by what it extends, lowest first. */
function readBuiltinChain(name: BuiltinName, dir: string, cacheDir: string, seen: Layer[]): Layer[] {
  const layer = readLayerFile(builtinPolicyFile(name, dir), 'builtin', cacheDir);
  const parent = layer.data.extends;
  if (parent === undefined) return [layer];
  if (seen.some((l) => l.file === builtinPolicyFile(parent, dir)) || parent === name) {
    throw errorAt(layer.source, ['extends'], `extends ${JSON.stringify(parent)}, which extends this file again; remove one of the two extends`);
  }
  return [...readBuiltinChain(parent as BuiltinName, dir, cacheDir, [...seen, layer]), layer];
}

/** What no single layer can know: every class has a rule, and every sandbox rule names a defined profile. */
function checkMerged(m: Merged, layers: Layer[]): void {
  const source = (key: string): Layer => {
    const file = m.origins[key]?.file;
    return layers.find((l) => l.file === file) ?? layers[layers.length - 1]!;
  };
  const profiles = Object.keys(m.policy.profiles ?? {});
  const choices = profiles.length ? `one of: ${profiles.join(', ')}` : 'none are defined yet';
  for (const cls of CLASSES) {
    const rule = m.policy.rules?.[cls];
    if (!rule) {
      throw errorAt(layers[layers.length - 1]!.source, ['rules'], `no rule for class "${cls}" in any layer; add \`${cls}: { action: deny }\` (or host/sandbox) under rules`);
    }
    if (rule.action !== 'sandbox') continue;
    if (rule.profile === undefined) {
      throw errorAt(source(`rules.${cls}.action`).source, ['rules', cls], `a sandbox rule needs a profile; add \`profile: <name>\` (${choices})`);
    }
    if (!profiles.includes(rule.profile)) {
      throw errorAt(source(`rules.${cls}.profile`).source, ['rules', cls, 'profile'], `profile ${JSON.stringify(rule.profile)} is not defined; define profiles.${rule.profile} or use ${choices}`);
    }
  }
}

// Memoised by the identity of every file that can affect the result (the
// built-ins read, the user and repository files and the trust store, present
// or not), so an edited, created or deleted file is picked up on the next
// line while an unchanged set costs a handful of stat calls.
interface MemoEntry {
  watched: Array<[path: string, stamp: string]>;
  loaded: LoadedPolicy;
}
const memo = new Map<string, MemoEntry>();
const MEMO_SIZE = 8;

function fileStamp(path: string): string {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : '-';
}

export function loadPolicy(opts: LoadOptions): LoadedPolicy {
  const key = JSON.stringify([opts.workspace, opts.base ?? null, opts.builtinDir ?? null, opts.env.XDG_CONFIG_HOME ?? null, opts.env.HOME ?? null]);
  const hit = memo.get(key);
  if (hit && hit.watched.every(([path, stamp]) => fileStamp(path) === stamp)) return hit.loaded;
  // Stamped before reading, so a change during the read shows on the next call.
  const candidates = [userPolicyPath(opts.env), repoPolicyPath(opts.workspace), trustStorePath(opts.env)];
  const before = candidates.map((p): [string, string] => [p, fileStamp(p)]);
  const loaded = deepFreeze(loadPolicyFresh(opts));
  const builtins = loaded.layers.filter((l) => l.kind === 'builtin').map((l): [string, string] => [l.file, fileStamp(l.file)]);
  memo.delete(key);
  memo.set(key, { watched: [...builtins, ...before], loaded });
  if (memo.size > MEMO_SIZE) memo.delete(memo.keys().next().value!);
  return loaded;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
