import type { ParsedArgs } from './main.js';
import type { Plan } from '../plan/schema.js';
import { makePlan } from '../plan/index.js';

/** The human-readable plan. Pure, so its format is unit tested. */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  const where = plan.action === 'sandbox' ? `sandbox (${plan.backend}, profile ${plan.profile})` : plan.action;
  lines.push(`line:    ${plan.line}`);
  lines.push(`class:   ${plan.class}`);
  lines.push(`action:  ${where}`);
  lines.push('reasons:');
  for (const r of plan.reasons) lines.push(`  - [${r.class}] ${r.rule}: ${r.why}${r.command !== plan.line ? `  (${r.command})` : ''}`);
  const s = plan.sandbox;
  if (s) {
    lines.push(`workspace: ${s.workspace}`);
    lines.push(`cwd:       ${s.cwd}`);
    lines.push(`home:      ${s.home} (fresh, empty)`);
    lines.push(`writable:  ${s.writable.length ? s.writable.join(', ') : '(nothing)'}`);
    lines.push(`masked:    ${s.masked.length ? s.masked.join(', ') : '(nothing)'}`);
    lines.push(`env:       passes ${s.env.pass.join(' ') || '(nothing)'}${Object.keys(s.env.set).length ? `; sets ${Object.keys(s.env.set).join(' ')}` : ''}`);
    if (s.env.denied.length) lines.push(`           withheld ${s.env.denied.join(' ')}`);
    lines.push(`network:   ${s.network.mode === 'off' ? 'off' : `only ${s.network.domains.join(', ')} (through the sbsh proxy)`}`);
    const l = s.limits;
    const lim = [l.memory_mb && `memory ${l.memory_mb} MB`, l.pids && `${l.pids} processes`, l.cpu_seconds && `${l.cpu_seconds} s cpu`, l.wall_seconds && `${l.wall_seconds} s wall`].filter(Boolean);
    lines.push(`limits:    ${lim.length ? lim.join(', ') : 'none'}; no_new_privileges ${s.no_new_privileges}`);
  }
  if (plan.ignored.length) {
    lines.push('ignored (an untrusted policy tried to loosen these):');
    for (const ig of plan.ignored) lines.push(`  - ${ig.file}: ${ig.key}: ${ig.why}`);
  }
  lines.push(`policy:  ${plan.policy_files.join(' < ')}`);
  return lines.join('\n') + '\n';
}

export async function planCommand(args: ParsedArgs): Promise<number> {
  const plan = await makePlan(args.line!, { cwd: process.cwd(), env: process.env, ...(args.policy ? { policyName: args.policy } : {}) });
  process.stdout.write(args.json ? JSON.stringify(plan, null, 2) + '\n' : formatPlan(plan));
  return 0;
}
