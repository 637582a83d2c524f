import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { z } from 'zod';
import { PolicyLayer } from './schema.js';
import { PolicyError } from './errors.js';
import { parseLayer, readLayerFile } from './layer.js';
import { loadPolicyFresh, REPO_POLICY_FILE, repoPolicyPath, type LoadedPolicy } from './load.js';
import { contentHash, recordTrust, trustStorePath } from './trust.js';
import { renderPolicyText, trustNote } from './show.js';
import { STARTER_POLICY } from './starter.js';
import { findWorkspace } from '../plan/workspace.js';

// `sbsh policy check|show|schema|init` and `sbsh trust`, as functions that
// return the text to print and throw PolicyError (exit 2) on any problem.
// They read the environment they are given, never process.env.

export interface PolicyContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Workspace root; found from cwd (git root, else cwd) when unset. */
  workspace?: string;
  /** Built-in base policy (`--policy`). */
  policyName?: string;
  /** Where the built-in policies live; the package's `policies/` when unset (tests point elsewhere). */
  builtinDir?: string;
}

function workspaceOf(ctx: PolicyContext): string {
  return ctx.workspace ? resolve(ctx.cwd, ctx.workspace) : findWorkspace(ctx.cwd);
}

function load(ctx: PolicyContext): LoadedPolicy {
  const workspace = workspaceOf(ctx);
  return loadPolicyFresh({
    workspace,
    env: ctx.env,
    ...(ctx.policyName ? { base: ctx.policyName } : {}),
    ...(ctx.builtinDir ? { builtinDir: ctx.builtinDir } : {}),
  });
}

function layerList(p: LoadedPolicy): string[] {
  return p.layers.map((l) => `  ${l.kind.padEnd(8)} ${l.file}${trustNote(l)}`);
}

function ignoredList(p: LoadedPolicy, heading: string): string[] {
  return p.ignored.length ? [heading, ...p.ignored.map((i) => `  - ${i.key}: ${i.why}`)] : [];
}

/** Validates one file on its own (`file` given) or the merged policy for this workspace. */
export function policyCheck(ctx: PolicyContext, file?: string): string {
  if (file !== undefined) {
    const path = resolve(ctx.cwd, file);
    readLayerFile(path, 'repo');
    return `${path}: ok\n`;
  }
  const p = load(ctx);
  const lines = [`policy ok: ${p.files.length} file(s) merged, base ${p.base}`, ...layerList(p)];
  lines.push(...ignoredList(p, 'ignored (an untrusted policy tried to loosen these; `sbsh trust` applies them):'));
  return lines.join('\n') + '\n';
}

/** The merged policy: YAML annotated with where each value came from, or JSON with an `origins` map. */
export function policyShow(ctx: PolicyContext, opts: { json?: boolean } = {}): string {
  const p = load(ctx);
  if (!opts.json) return renderPolicyText(p);
  const { base, files, layers, policy, origins, raiseOnlyRules, ignored } = p;
  return JSON.stringify({ base, files, layers, policy, raise_only_rules: raiseOnlyRules, origins, ignored }, null, 2) + '\n';
}

/** JSON Schema of a policy file (every layer has the same shape). */
export function policySchema(): string {
  const schema = z.toJSONSchema(PolicyLayer, { io: 'input' });
  return JSON.stringify({ ...schema, title: 'sbsh policy (sbsh.yaml, ~/.config/sbsh/policy.yaml, policies/*.yaml)' }, null, 2) + '\n';
}

/** Writes a commented starter `sbsh.yaml` at the workspace root; never overwrites. */
export function policyInit(ctx: PolicyContext): string {
  const path = repoPolicyPath(workspaceOf(ctx));
  try {
    writeFileSync(path, STARTER_POLICY, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new PolicyError(path, 0, 0, '', 'already exists; edit it, or move it away to start again from the template');
    throw new PolicyError(path, 0, 0, '', `cannot write it (${(err as NodeJS.ErrnoException).code ?? String(err)}); check the directory's permissions`);
  }
  return `wrote ${path}\nCheck it with \`sbsh policy check\`; as a repository policy it can only tighten the sandbox.\n`;
}

/**
 * Trusts a repository policy (default: the workspace's `sbsh.yaml`) as it is
 * now, by content hash, so that it may also loosen. Lists what that changes.
 */
export function trust(ctx: PolicyContext, file?: string): string {
  // The path as given (not its realpath): that is what the loader looks up.
  const path = file === undefined ? repoPolicyPath(workspaceOf(ctx)) : resolve(ctx.cwd, file);
  if (!existsSync(path)) throw new PolicyError(path, 0, 0, '', `no such file; ${file === undefined ? 'create one with `sbsh policy init`, or ' : ''}name the policy file to trust`);
  const bytes = readFileSync(path);
  parseLayer(bytes, path, 'repo');
  // Computed before trusting: what this file tried to loosen, which now applies.
  const before = basename(path) === REPO_POLICY_FILE ? load({ ...ctx, workspace: dirname(path) }).ignored.filter((i) => i.file === path) : [];
  recordTrust(trustStorePath(ctx.env), path, bytes);
  const lines = [`trusted ${path} (${contentHash(bytes)})`];
  if (before.length) lines.push('These settings were ignored until now and will apply:', ...before.map((i) => `  - ${i.key}: ${i.why}`));
  lines.push('Any change to the file makes it untrusted again.');
  return lines.join('\n') + '\n';
}
