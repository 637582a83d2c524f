import type { Spans } from './spans.js';
import type { Assignment, CommandNode, ListNode, Node, Redirect, Word } from './types.js';
import { unknownNode } from './unknown.js';
import { payloadPlan, type ArgvPlan, type PayloadPlan } from './wrappers.js';

// A simple command's node, with its wrapper payload (if any) resolved into a
// tree: `sudo env X=1 bash -c 'npm i'` nests four levels deep.

/** Wrappers inside wrappers beyond this are `unknown` (`too-deep`); no real line gets near it. */
export const MAX_PAYLOAD_DEPTH = 16;

/** Where a command's standard input comes from, as far as the line says. */
export type Stdin =
  /** A heredoc or here-string whose content is known. */
  | { kind: 'text'; text: string }
  /** `< file`. */
  | { kind: 'file' }
  /** A heredoc/here-string with expansions, or `<&fd`. */
  | { kind: 'unknown' }
  /** Whatever the command was started with: a pipe or the terminal. */
  | { kind: 'inherited' };

export interface CommandContext {
  spans: Spans;
  /** The typed text of a range of the parsed text. */
  slice(start: number, end: number): string;
  /** Parses shell text found in the line (a `bash -c` string) at payload depth `depth`. */
  reparse(text: string, depth: number): Node;
  /** Payload depth of the text being built (0 for the line itself). */
  depth: number;
}

export interface CommandParts {
  assignments: Assignment[];
  argv: Word[];
  redirects: Redirect[];
  stdin: Stdin;
  start: number;
  end: number;
}

export function makeCommand(parts: CommandParts, ctx: CommandContext): CommandNode {
  const text = ctx.slice(parts.start, parts.end);
  const node = commandNode(text, parts.assignments, parts.argv, parts.redirects, false);
  node.payload = payloadOf(node, parts.stdin, ctx, ctx.depth);
  return ctx.spans.set(node, parts.start, parts.end);
}

function commandNode(text: string, assignments: Assignment[], argv: Word[], redirects: Redirect[], packageName: boolean): CommandNode {
  const path = argv[0]?.value ?? null;
  return { kind: 'command', text, assignments, argv, name: path === null ? null : commandName(path, packageName), path, redirects, payload: null };
}

/**
 * The name a command word runs: its basename (`/usr/bin/npm` → `npm`). For a
 * package runner's package spec, without the version (`cowsay@1.2` → `cowsay`).
 */
export function commandName(path: string, packageName = false): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return packageName ? base.replace(/(.)@[^@]*$/, '$1') : base;
}

function payloadOf(command: CommandNode, stdin: Stdin, ctx: CommandContext, depth: number): Node | null {
  if (command.name === null) return null;
  const plan = payloadPlan(command.name, command.argv.slice(1));
  return plan === null ? null : realize(plan, command.text, stdin, ctx, depth + 1);
}

function realize(plan: PayloadPlan, wrapperText: string, stdin: Stdin, ctx: CommandContext, depth: number): Node | null {
  if (depth > MAX_PAYLOAD_DEPTH) {
    return unknownNode(wrapperText, 'too-deep', `wrappers nest more than ${MAX_PAYLOAD_DEPTH} levels deep`);
  }
  switch (plan.kind) {
    case 'none':
      return null;
    case 'unknown':
      return unknownNode(wrapperText, plan.reason, plan.why);
    case 'text':
      return plan.text === null
        ? unknownNode(wrapperText, 'dynamic-payload', `${plan.what} is only known at run time`)
        : ctx.reparse(plan.text, depth);
    case 'stdin':
      if (stdin.kind === 'text') return ctx.reparse(stdin.text, depth);
      if (stdin.kind === 'file') return null;
      return unknownNode(wrapperText, 'dynamic-payload', 'the shell reads its script from standard input, which is only known at run time');
    case 'argv':
      return argvPayload(plan, stdin, ctx, depth);
    case 'each': {
      // `find -exec a ; -exec b ;` runs b for a file only when a succeeded on it.
      const items = plan.plans.map((p) => argvPayload(p, stdin, ctx, depth));
      const span = ctx.spans.union(items);
      const list: ListNode = { kind: 'list', text: ctx.slice(span.start, span.end), operators: items.slice(1).map(() => '&&' as const), items };
      return ctx.spans.set(list, span.start, span.end);
    }
  }
}

function argvPayload(plan: ArgvPlan, stdin: Stdin, ctx: CommandContext, depth: number): CommandNode {
  const span = ctx.spans.union(plan.from ? [plan.from, ...plan.words] : plan.words);
  const node = commandNode(ctx.slice(span.start, span.end), plan.assignments, plan.words, [], plan.packageName ?? false);
  node.payload = payloadOf(node, stdin, ctx, depth);
  return ctx.spans.set(node, span.start, span.end);
}
