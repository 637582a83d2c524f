import { accessSync, constants, statSync } from 'node:fs';
import { quote } from 'shell-quote';
import type { ParsedArgs } from './main.js';
import { UsageError } from './usage.js';
import { makePlan } from '../plan/index.js';
import { createAudit, newId } from '../audit/bus.js';
import { executePlan } from './execute.js';

/** `sbsh SCRIPT ARGS`: the script runs as one unit, classified like typing `./SCRIPT ARGS`. */
export function scriptLine(script: string, args: string[]): string {
  let st;
  try {
    st = statSync(script);
  } catch {
    throw new UsageError(`${script}: no such file`);
  }
  if (!st.isFile()) throw new UsageError(`${script}: not a regular file`);
  const path = script.includes('/') ? script : `./${script}`;
  let executable = true;
  try {
    accessSync(script, constants.X_OK);
  } catch {
    executable = false;
  }
  return quote(executable ? [path, ...args] : ['bash', path, ...args]);
}

export async function runCommand(args: ParsedArgs): Promise<number> {
  const line = args.command === 'script' ? scriptLine(args.line!, args.positional) : args.line!;
  const positional = args.command === 'script' ? [] : args.positional;
  const ctx = { cwd: process.cwd(), env: process.env, ...(args.policy ? { policyName: args.policy } : {}) };
  const plan = await makePlan(line, ctx);
  const audit = createAudit();
  return executePlan(plan, { audit, id: newId(), env: process.env, positional, stdio: 'inherit' });
}
