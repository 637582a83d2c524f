import { posix } from 'node:path';
import type { CommandNode, FunctionNode, ListNode, Node, Redirect, Word } from '../parse/types.js';
import type { Classification, Reason } from './types.js';
import type { ClassifyConfig, ClassifyRule, Location } from './rule-schema.js';
import { hasOption, literal, scanArgs } from './argv.js';
import { compileRules, matchRules, type CompiledRules } from './rules.js';
import { isAtOrBelow, isInside, resolveWord, type Target } from './paths.js';
import { commandLocation, compilePlaces, judgeWrite, redirectTarget, writeTargets, type Finding, type Mode, type PlacePatterns } from './guard-writes.js';
import { fetchedCodeInWords, forkBomb, pipeToShell } from './guard-fetch.js';
import { containerFindings } from './guard-containers.js';
import { gitFindings } from './guard-git.js';
import { envFindings } from './guard-env.js';
import { eachCwd, union, type Cwds } from './cwd.js';
import { children, someCommand, wordsOf } from './tree.js';
import { summarise } from './reasons.js';
import { asWritten, type LinkResolver, type PathLookup } from './host.js';

// The classifier: every simple command in the tree (inside lists,
// pipelines, subshells, loops, functions, substitutions and wrapper
// payloads) gets a class from the policy's rules plus the bash-guard checks,
// and the line gets the riskiest of them. Pure: the same tree, policy and
// context always give the same answer; the disk is only read through
// ctx.resolveLinks and ctx.lookPath, when the caller passes them.
//
// The walk keeps the directories each command may run in (./cwd.ts), so
// `cd /etc && rm x` is judged at /etc.

export interface ClassifyContext {
  /** Absolute path of the workspace root. */
  workspace: string;
  /** Absolute cwd the line starts in. */
  cwd: string;
  home: string;
  /**
   * Follows symbolic links, so that a write through a link the repository
   * ships (`dist -> ~`) is judged where it lands. Pass `hostLinkResolver()`
   * from ./host.ts; without one, paths are judged as written.
   */
  resolveLinks?: LinkResolver;
  /**
   * Where the host shell's PATH finds a command name (`hostPathLookup` from
   * ./host.ts). A name found inside the workspace (an activated virtualenv,
   * node_modules/.bin on PATH) runs the repository's file. Without one,
   * names are taken to be the system's.
   */
  lookPath?: PathLookup;
}

/** Which wrapper a payload runs under: `xargs` appends file names, `find -exec` substitutes `{}`. */
type Under = { kind: 'xargs' } | { kind: 'find'; roots: Target[] } | null;

interface Scope {
  cwds: Cwds;
  under: Under;
}

const CD = new Set(['cd', 'pushd', 'popd']);
const LOOPS = new Set(['while', 'until', 'for', 'select']);
/** Wrappers whose payload runs in the shell itself, so its `cd` moves the shell. */
const IN_SHELL = new Set(['eval', 'builtin', 'command']);
/** Run by the shell itself whatever PATH holds. */
const SHELL_BUILTINS = new Set([
  '.', ':', '[', 'alias', 'bg', 'bind', 'break', 'builtin', 'caller', 'cd', 'command', 'compgen', 'complete', 'compopt', 'continue', 'declare',
  'dirs', 'disown', 'echo', 'enable', 'eval', 'exec', 'exit', 'export', 'false', 'fc', 'fg', 'getopts', 'hash', 'help', 'history', 'jobs', 'kill',
  'let', 'local', 'logout', 'mapfile', 'popd', 'printf', 'pushd', 'pwd', 'read', 'readarray', 'readonly', 'return', 'set', 'shift', 'shopt',
  'source', 'suspend', 'test', 'times', 'trap', 'true', 'type', 'typeset', 'ulimit', 'umask', 'unalias', 'unset', 'wait',
]);
/** For a command word that is a relative path, when the cwd is uncertain: assume the riskiest place. */
const LOCATION_RISK: readonly Location[] = ['bare', 'system', 'elsewhere', 'workspace'];

function fromRule(r: ClassifyRule): Finding {
  return { rule: r.id, class: r.class, why: r.why, ...(r.ecosystem !== undefined ? { ecosystem: r.ecosystem } : {}) };
}

const placesCache = new WeakMap<CompiledRules, Map<string, ReturnType<typeof compilePlaces>>>();

function placePatterns(rules: CompiledRules, workspace: string, home: string, real: LinkResolver): PlacePatterns {
  let byPlace = placesCache.get(rules);
  if (!byPlace) placesCache.set(rules, (byPlace = new Map()));
  const key = `${workspace}\0${home}`;
  let pp = byPlace.get(key);
  if (!pp) byPlace.set(key, (pp = compilePlaces(rules.lists, { workspace, home })));
  return { ...pp, real };
}

const hasCd = (n: Node) => someCommand(n, (c) => c.name !== null && CD.has(c.name), false);

function collectFunctions(n: Node, into: Map<string, FunctionNode>): void {
  if (n.kind === 'function') into.set(n.name, n);
  for (const k of children(n)) collectFunctions(k, into);
}

const asBelow = (t: Target): Target => (t.kind === 'path' ? { ...t, below: true } : t);

/** `find [-H|-L|-P] [-D x] [-Olevel] ROOTS… EXPRESSION`: the roots are the words before the expression. */
function findRoots(args: readonly Word[]): Word[] {
  let i = 0;
  while (i < args.length && /^-(H|L|P|O\d*)$/.test(args[i]!.value ?? '')) i++;
  if (args[i]?.value === '-D') i += 2;
  const roots: Word[] = [];
  for (; i < args.length; i++) {
    const v = args[i]!.value;
    if (v !== null && (v.startsWith('-') || ['(', '!', ')', ','].includes(v))) break;
    roots.push(args[i]!);
  }
  return roots.length ? roots : [{ raw: '.', value: '.', substitutions: [] }];
}

const hasExecdir = (args: readonly Word[]) => args.some((a) => a.value === '-execdir' || a.value === '-okdir');

class Walk {
  readonly findings: Reason[] = [];
  private readonly functions = new Map<string, FunctionNode>();
  private readonly lineHasCd: boolean;
  /** Links this line creates (`ln -s ~/.bashrc x`), followed like the ones on disk by the commands after them. */
  private readonly created = new Map<string, string>();
  private readonly pp: PlacePatterns;

  constructor(
    private readonly rules: CompiledRules,
    pp: PlacePatterns,
    private readonly lookPath: PathLookup | null,
    tree: Node,
  ) {
    collectFunctions(tree, this.functions);
    this.lineHasCd = hasCd(tree);
    this.pp = { ...pp, real: (abs) => pp.real(this.throughCreated(abs)) };
  }

  private throughCreated(abs: string): string {
    // A bounded number of hops: links created on one line can point at each other.
    for (let hop = 0; hop < 8; hop++) {
      const link = [...this.created.keys()].find((l) => isAtOrBelow(abs, l));
      if (link === undefined) break;
      abs = posix.join(this.created.get(link)!, posix.relative(link, abs));
    }
    return abs;
  }

  private add(f: Finding, command: string): void {
    this.findings.push({ ...f, command });
  }

  private get home(): string {
    return this.pp.places.home;
  }

  node(n: Node, scope: Scope): void {
    switch (n.kind) {
      case 'command':
        return this.command(n, scope);
      case 'list':
        return this.list(n, scope);
      case 'pipeline': {
        const piped = pipeToShell(n, this.rules.lists);
        if (piped) this.add(piped, n.text);
        // Every stage of a real pipeline runs in a subshell.
        for (const c of n.commands) this.node(c, n.commands.length === 1 ? scope : { ...scope });
        return;
      }
      case 'subshell':
      case 'group':
        this.redirects(n.redirects, scope, n.text);
        this.words(n.redirects.map((r) => r.target), scope);
        return this.node(n.body, n.kind === 'subshell' ? { ...scope } : scope);
      case 'control': {
        this.redirects(n.redirects, scope, n.text);
        this.words([...n.words, ...n.redirects.map((r) => r.target)], scope);
        if (n.keyword === 'test' || n.keyword === 'arithmetic') {
          this.add({ rule: 'shell-test', class: 'host-safe', why: 'a shell test or arithmetic expression: it only evaluates its words' }, n.text);
        }
        const before = scope.cwds;
        // A loop body runs any number of times: after a `cd` in it the cwd is anyone's guess.
        if (LOOPS.has(n.keyword) && hasCd(n)) scope.cwds = null;
        for (const p of n.parts) this.node(p, scope);
        // Which branch ran is not known: any of their cwds, or none of them.
        scope.cwds = union(before, scope.cwds);
        return;
      }
      case 'function': {
        const bomb = forkBomb(n);
        if (bomb) this.add(bomb, n.text);
        // The body is judged where it is defined, as if it ran there; it may run after any `cd`.
        return this.node(n.body, { cwds: this.lineHasCd ? null : scope.cwds, under: null });
      }
      case 'unknown':
        this.add({ rule: `parse.${n.reason}`, class: 'unknown', why: n.why }, n.text);
        return;
    }
  }

  /**
   * `A && B` runs B only where A succeeded, so after `cd x && …` the chain
   * is in x; anything after `;`, `||` or `&` may follow a failed `cd` and
   * sees every cwd the chain could have left.
   */
  private list(n: ListNode, scope: Scope): void {
    let seen = scope.cwds;
    n.items.forEach((item, i) => {
      const op = n.operators[i];
      this.node(item, op === '&' ? { ...scope } : scope);
      seen = union(seen, scope.cwds);
      if (op !== '&&') scope.cwds = seen;
    });
  }

  /** Substitutions run before the command, each in a subshell of its own. */
  private words(words: readonly Word[], scope: Scope): void {
    for (const w of words) for (const s of w.substitutions) this.node(s, { cwds: scope.cwds, under: null });
  }

  private redirects(redirects: readonly Redirect[], scope: Scope, text: string): void {
    for (const r of redirects) {
      const target = redirectTarget(r);
      if (!target) continue;
      for (const cwd of eachCwd(scope.cwds)) {
        const f = judgeWrite(resolveWord(target, cwd, this.home), 'modify', 'redirect', this.pp);
        if (f) this.add(f, text);
      }
    }
  }

  private command(c: CommandNode, scope: Scope): void {
    const location = c.name === null ? null : this.location(c.path ?? c.name, scope.cwds);
    this.judge(c, location, scope);
    // Substitutions run before the command, each in a subshell of its own;
    // they are judged after it so that a host-safe line's reason names the command.
    this.words(wordsOf(c), scope);
    if (c.name === null) return;
    if (c.payload) {
      const args = c.argv.slice(1);
      const inner: Scope = IN_SHELL.has(c.name) ? scope : { cwds: c.name === 'find' && hasExecdir(args) ? null : scope.cwds, under: this.underFor(c.name, args, scope) };
      this.node(c.payload, inner);
    }
    if (location !== 'bare') return;
    if (CD.has(c.name)) scope.cwds = this.cdTargets(c.name, c.argv.slice(1), scope.cwds);
    const fn = this.functions.get(c.name);
    if (fn && hasCd(fn.body)) scope.cwds = null;
  }

  private location(path: string, cwds: Cwds): Location {
    if (!path.includes('/')) {
      if (SHELL_BUILTINS.has(path) || this.functions.has(path)) return 'bare';
      const found = this.lookPath?.(path);
      return found && isInside({ abs: this.pp.real(found), below: false }, this.pp.places) ? 'workspace' : 'bare';
    }
    const all = eachCwd(cwds).map((cwd) => commandLocation(path, cwd, this.pp));
    return all.reduce((a, b) => (LOCATION_RISK.indexOf(b) > LOCATION_RISK.indexOf(a) ? b : a));
  }

  /** The findings about the command itself: bash-guard checks and the rules. */
  private judge(c: CommandNode, location: Location | null, scope: Scope): void {
    const lists = this.rules.lists;
    const add = (f: Finding | null) => f && this.add(f, c.text);
    this.redirects(c.redirects, scope, c.text);
    for (const cwd of eachCwd(scope.cwds)) envFindings(c, cwd, this.pp, lists).forEach(add);
    add(fetchedCodeInWords(c, lists));
    if (c.argv.length === 0) {
      add({ rule: 'assignment', class: 'host-safe', why: 'only sets shell variables or opens files' });
      return;
    }
    if (c.name === null || location === null) {
      add({ rule: 'dynamic-command', class: 'unknown', why: `the command name ${c.argv[0]!.raw} is only known at run time` });
      return;
    }
    const name = c.name;
    const args = c.argv.slice(1);
    if (location === 'bare' && this.functions.has(name)) {
      add({ rule: 'function-call', class: 'host-safe', why: `calls the function ${name} defined on this line, whose body is classified on its own` });
      return;
    }
    this.writes(c, scope);
    for (const cwd of eachCwd(scope.cwds)) {
      containerFindings(name, args, cwd, this.pp).forEach(add);
      if (name === 'git') gitFindings(args, cwd, this.pp).forEach(add);
    }
    const m = matchRules(this.rules, { name, location, args, hasPayload: c.payload !== null });
    m.guard.forEach((r) => add(fromRule(r)));
    if (m.decided) add(fromRule(m.decided));
    // A guard rule already decided what an unlisted command (`mkfs`, `crontab`) is.
    else if (m.guard.length === 0) add({ rule: 'no-rule', class: 'unknown', why: `no rule classifies ${name}, so it runs sandboxed; a rule in your policy can change that` });
  }

  private writes(c: CommandNode, scope: Scope): void {
    const name = c.name!;
    const args = c.argv.slice(1);
    const judge = (t: Target, mode: Mode) => {
      const f = judgeWrite(t, mode, 'command', this.pp);
      if (f) this.add(f, c.text);
    };
    if (name === 'find') {
      // find writes what -fprint names, and -delete removes what it finds below its roots.
      for (const cwd of eachCwd(scope.cwds)) {
        args.forEach((a, i) => /^-(fprint0?|fprintf|fls)$/.test(a.value ?? '') && args[i + 1] && judge(resolveWord(args[i + 1]!, cwd, this.home), 'modify'));
        if (args.some((a) => a.value === '-delete')) for (const r of findRoots(args)) judge(asBelow(resolveWord(r, cwd, this.home)), 'delete');
      }
      return;
    }
    const targets = writeTargets(name, args);
    if (targets === null) return;
    for (const cwd of eachCwd(scope.cwds)) for (const { word, mode } of targets) for (const t of this.resolveTarget(word, cwd, scope.under)) judge(t, mode);
    if (name === 'ln') this.recordLinks(args, scope);
    if (scope.under?.kind === 'xargs') {
      this.add({ rule: 'guard.dynamic-write-target', class: 'unknown', why: `xargs gives ${name} the files to change at run time, so sbsh cannot tell where it writes; it runs sandboxed` }, c.text);
    }
  }

  /** `ln [-s] TARGET [LINK]`: the commands after it on this line reach TARGET through LINK. */
  private recordLinks(args: readonly Word[], scope: Scope): void {
    const s = scanArgs(args, { valued: new Set(['-t', '--target-directory', '-S', '--suffix']) });
    const [target, link, ...more] = s.positionals;
    if (!target || more.length || hasOption(s, '-t', '--target-directory')) return;
    const symbolic = hasOption(s, '-s', '--symbolic');
    for (const cwd of eachCwd(scope.cwds)) {
      const at = resolveWord(link ?? literal(posix.basename(target.value ?? target.raw)), cwd, this.home);
      if (at.kind !== 'path') continue;
      // A symbolic link's relative target is relative to the link's own directory.
      const to = resolveWord(target, symbolic ? posix.dirname(at.abs) : cwd, this.home);
      if (to.kind === 'path') this.created.set(at.abs, to.abs);
    }
  }

  /** Under `find -exec`, `{}` stands for the files found below the search roots. */
  private resolveTarget(w: Word | null, cwd: string | null, under: Under): Target[] {
    if (w === null) return [{ kind: 'dynamic', text: 'a path its configuration file or options choose' }];
    if (under?.kind === 'find' && (w.value ?? w.raw).includes('{}')) return under.roots;
    return [resolveWord(w, cwd, this.home)];
  }

  private underFor(name: string, args: readonly Word[], scope: Scope): Under {
    if (name === 'xargs') return { kind: 'xargs' };
    if (name === 'find') {
      const roots = findRoots(args);
      return { kind: 'find', roots: eachCwd(scope.cwds).flatMap((cwd) => roots.map((w) => asBelow(resolveWord(w, cwd, this.home)))) };
    }
    return scope.under;
  }

  private cdTargets(name: string, args: readonly Word[], cwds: Cwds): Cwds {
    if (name === 'popd') return null;
    const dir = scanArgs(args).positionals[0];
    if (dir === undefined) return name === 'cd' ? [this.home] : null; // a bare pushd swaps with the stack
    if (dir.value === '-' || dir.value?.startsWith('+')) return null;
    const out: string[] = [];
    for (const cwd of eachCwd(cwds)) {
      const t = resolveWord(dir, cwd, this.home);
      if (t.kind !== 'path') return null;
      out.push(t.abs);
    }
    return [...new Set(out)];
  }
}

export function classify(tree: Node, config: ClassifyConfig, ctx: ClassifyContext): Classification {
  const rules = compileRules(config);
  const real = ctx.resolveLinks ?? asWritten;
  // The workspace and home as the filesystem has them, to compare with targets whose links were followed.
  const pp = placePatterns(rules, real(posix.resolve(ctx.workspace)), real(posix.resolve(ctx.home)), real);
  const walk = new Walk(rules, pp, ctx.lookPath ?? null, tree);
  walk.node(tree, { cwds: [posix.resolve(ctx.cwd)], under: null });
  return summarise(walk.findings, tree.text);
}
