import type { Word } from '../parse/types.js';
import { isGlob, matchName } from '../policy/globs.js';
import { scanArgs, shown } from './argv.js';
import { GuardData, type ClassifyConfig, type ClassifyRule, type Location } from './rule-schema.js';

// Matching one simple command against the policy's rules. The semantics are
// documented in rule-schema.ts: every `dangerous` rule that matches is a
// finding; among the others the last match wins.

/** What a rule can see of a simple command. */
export interface CommandFacts {
  name: string;
  location: Location;
  args: readonly Word[];
  hasPayload: boolean;
}

interface CompiledRule {
  rule: ClassifyRule;
  /** Literal names looked up directly; rules list hundreds of them and are tried for every command. */
  names: ReadonlySet<string>;
  globs: string[];
  where: readonly Location[];
  valued: ReadonlySet<string>;
  subcommands: string[][] | null;
  argv: RegExp | null;
}

export type GuardLists = Required<GuardData>;

interface ByName {
  guard: CompiledRule[];
  /** Non-dangerous rules, last first: the first match in this order wins. */
  lastFirst: CompiledRule[];
}

export interface CompiledRules {
  all: ByName;
  /** The rules whose `command` can match a name, computed once per name: a line's names repeat, the rules do not change. */
  byName: Map<string, ByName>;
  lists: GuardLists;
}

const DEFAULT_WHERE: readonly Location[] = ['bare', 'system'];
const GUARD_KEYS = Object.keys(GuardData.shape) as Array<keyof GuardData>;

const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

function compileRule(rule: ClassifyRule): CompiledRule {
  let argv: RegExp | null = null;
  if (rule.argv !== undefined) {
    try {
      argv = new RegExp(rule.argv);
    } catch (err) {
      throw new Error(`sbsh: classify rule "${rule.id}": argv is not a regular expression (${(err as Error).message}); fix it in the policy file`);
    }
  }
  const commands = list(rule.command);
  return {
    rule,
    names: new Set(commands.filter((c) => !isGlob(c))),
    globs: commands.filter(isGlob),
    where: rule.where ?? DEFAULT_WHERE,
    valued: new Set(rule.options ?? []),
    subcommands: rule.subcommand === undefined ? null : list(rule.subcommand).map((s) => (s === '' ? [] : s.split(/\s+/))),
    argv,
  };
}

/** The guard lists, each required: a policy without one would silently switch a check off. */
function guardLists(config: ClassifyConfig): GuardLists {
  const g = config.guard ?? {};
  const missing = GUARD_KEYS.filter((k) => g[k] === undefined);
  if (missing.length) {
    throw new Error(
      `sbsh: the merged policy has no classify.guard.${missing.join(', classify.guard.')}; ` +
        'the built-in policy (policies/default.yaml) defines them: a policy that sets classify.guard must keep every list, or leave it to the built-in one',
    );
  }
  return g as GuardLists;
}

const cache = new WeakMap<ClassifyConfig, CompiledRules>();

export function compileRules(config: ClassifyConfig): CompiledRules {
  let c = cache.get(config);
  if (!c) {
    const all = config.rules.map(compileRule);
    c = {
      all: { guard: all.filter((r) => r.rule.class === 'dangerous'), lastFirst: all.filter((r) => r.rule.class !== 'dangerous').reverse() },
      byName: new Map(),
      lists: guardLists(config),
    };
    cache.set(config, c);
  }
  return c;
}

/** `npm --prefix x install` as the argv regexes see it. */
export function argvText(f: CommandFacts): string {
  return [f.name, ...f.args.map(shown)].join(' ');
}

function subcommandMatches(r: CompiledRule, f: CommandFacts): boolean {
  if (r.subcommands === null) return true;
  const pos = scanArgs(f.args, { valued: r.valued, plus: true }).positionals;
  return r.subcommands.some((seq) => (seq.length === 0 ? pos.length === 0 : seq.every((w, i) => pos[i]?.value === w)));
}

const nameMatches = (r: CompiledRule, name: string) => r.names.has(name) || r.globs.some((g) => matchName(g, name));

function rulesFor(c: CompiledRules, name: string): ByName {
  let r = c.byName.get(name);
  if (!r) {
    r = { guard: c.all.guard.filter((x) => nameMatches(x, name)), lastFirst: c.all.lastFirst.filter((x) => nameMatches(x, name)) };
    c.byName.set(name, r);
  }
  return r;
}

/** Whether a rule whose command names already match applies to this command. */
function matches(r: CompiledRule, f: CommandFacts, text: string): boolean {
  return (
    r.where.includes(f.location) &&
    (r.rule.payload === undefined || r.rule.payload === f.hasPayload) &&
    subcommandMatches(r, f) &&
    (r.argv === null || r.argv.test(text))
  );
}

export interface RuleMatch {
  /** Every guard rule that matched. */
  guard: ClassifyRule[];
  /** The winning non-dangerous rule, or null when none matched. */
  decided: ClassifyRule | null;
}

export function matchRules(c: CompiledRules, f: CommandFacts): RuleMatch {
  const text = argvText(f);
  const rules = rulesFor(c, f.name);
  return {
    guard: rules.guard.filter((r) => matches(r, f, text)).map((r) => r.rule),
    decided: rules.lastFirst.find((r) => matches(r, f, text))?.rule ?? null,
  };
}
