import type { ParsedArgs } from './main.js';
import { policyCheck, policyInit, policySchema, policyShow, trust } from '../policy/commands.js';

export async function policyCommand(args: ParsedArgs): Promise<number> {
  const ctx = { cwd: process.cwd(), env: process.env, ...(args.policy ? { policyName: args.policy } : {}) };
  let out: string;
  if (args.command === 'trust') out = trust(ctx, args.sub ?? undefined);
  else if (args.sub === 'check') out = policyCheck(ctx);
  else if (args.sub === 'show') out = policyShow(ctx, { json: args.json });
  else if (args.sub === 'schema') out = policySchema();
  else out = policyInit(ctx);
  process.stdout.write(out);
  return 0;
}
