import { isAbsolute, resolve } from 'node:path';
import type { Plan } from './schema.js';
import { parseLine } from '../parse/index.js';
import { loadPolicy as loadMergedPolicy, type LoadedPolicy } from '../policy/load.js';
import { DEFAULTS } from '../policy/merge.js';
import { findWorkspace } from './workspace.js';
import { classifyLine } from './classify-line.js';
import { hostLinkResolver, hostPathLookup } from '../classify/host.js';
import { resolveBackend } from './backend.js';
import { planSandbox } from './sandbox-plan.js';
import { SetupError } from '../sandbox/types.js';

// parse → classify → rule → profile → a plan with every decision made and
// every path resolved, before anything runs.

export { findWorkspace } from './workspace.js';
export type { LoadedPolicy } from '../policy/load.js';

export interface PlanContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Workspace root; found from cwd (git root, else cwd) when unset. */
  workspace?: string;
  /** Built-in base policy; unset: the user's `extends`, else `default`. */
  policyName?: string;
}

function workspaceOf(ctx: PlanContext): string {
  return ctx.workspace ? resolve(ctx.workspace) : findWorkspace(ctx.cwd);
}

function loadFor(ctx: PlanContext, workspace: string): LoadedPolicy {
  return loadMergedPolicy({ workspace, env: ctx.env, ...(ctx.policyName ? { base: ctx.policyName } : {}) });
}

/** The merged policy for this context; memoised until one of its files changes. */
export async function loadPolicy(ctx: PlanContext): Promise<LoadedPolicy> {
  return loadFor(ctx, workspaceOf(ctx));
}

export async function makePlan(line: string, ctx: PlanContext): Promise<Plan> {
  const tree = await parseLine(line);
  const home = ctx.env.HOME;
  // `~` in the policy and in the line (guard checks on ~/.bashrc …) means HOME; without it neither can be judged.
  if (!home || !isAbsolute(home)) throw new SetupError('HOME is not set to an absolute path, so sbsh cannot judge paths under ~ or place the sandbox home', 'set HOME to your home directory');
  const cwd = resolve(ctx.cwd);
  const workspace = workspaceOf(ctx);
  const policy = loadFor(ctx, workspace);
  // The host's view of links and PATH: a symlink the repository ships, or a
  // PATH entry inside it, changes what a command really writes or runs.
  const c = classifyLine(tree, policy, {
    workspace, cwd, home, resolveLinks: hostLinkResolver(), lookPath: hostPathLookup(ctx.env.PATH ?? '', cwd),
  });
  // Every class has a rule and every sandbox rule a defined profile: loading checked both.
  const rule = policy.policy.rules![c.class]!;
  const common = {
    line,
    class: c.class,
    reasons: c.reasons,
    policy_files: [...policy.files],
    ignored: policy.ignored.map((i) => ({ ...i })),
  };
  if (rule.action === 'deny') return { ...common, action: 'deny', backend: null, profile: null, sandbox: null };
  if (rule.action === 'host') return { ...common, action: 'host', backend: 'host', profile: null, sandbox: null };
  const profile = policy.policy.profiles![rule.profile!]!;
  return {
    ...common,
    action: 'sandbox',
    backend: resolveBackend(profile.backend ?? DEFAULTS.backend, process.platform),
    profile: rule.profile!,
    sandbox: planSandbox({ workspace, cwd, home, env: ctx.env, profile, ecosystems: policy.policy.ecosystems, reasons: c.reasons }),
  };
}
