import type { ClassifyRule } from '../classify/rule-schema.js';
import { isGlob, matchName } from './globs.js';

// Whether two classification rules could match the same command, answered
// from their fields alone (no command is at hand when policies are merged).
// Where unsure the answer is yes: an untrusted rule is then compared with
// more trusted rules, which can only get it refused, never accepted wrongly.

function list(v: string | string[] | undefined): string[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}

function globsOverlap(a: string, b: string): boolean {
  if (!isGlob(a)) return matchName(b, a);
  if (!isGlob(b)) return matchName(a, b);
  return true; // two globs: assume they can match a common name
}

function listsOverlap(a: string[] | undefined, b: string[] | undefined): boolean {
  return a === undefined || b === undefined || a.some((x) => b.some((y) => globsOverlap(x, y)));
}

// The classifier's default for a rule without `where` (lib/classify/rules.ts).
const DEFAULT_WHERE = ['bare', 'system'];

/** Whether two rules could match the same command (argv patterns and payload flags are not compared: assume yes). */
export function mayOverlap(a: ClassifyRule, b: ClassifyRule): boolean {
  return (
    listsOverlap(list(a.command), list(b.command)) &&
    listsOverlap(list(a.subcommand), list(b.subcommand)) &&
    (a.where ?? DEFAULT_WHERE).some((w) => (b.where ?? DEFAULT_WHERE).includes(w))
  );
}

export function describeCommands(rule: ClassifyRule): string {
  const cmds = list(rule.command)!.join('|');
  const sub = list(rule.subcommand);
  return `"${cmds}${sub ? ` ${sub.join('|')}` : ''}"`;
}
