import type { CommandNode, Node, Word } from '../parse/types.js';

// Walking the command tree without classifying it: the guard checks ask
// questions like "does anything upstream of this pipe fetch from the
// network?" that span substitutions and wrapper payloads.

/** Every word a simple command evaluates: argv, assignment values, redirect targets. */
export function wordsOf(c: CommandNode): Word[] {
  return [...c.argv, ...c.assignments.map((a) => a.value), ...c.redirects.map((r) => r.target)];
}

function nodeWords(n: Node): Word[] {
  switch (n.kind) {
    case 'command':
      return wordsOf(n);
    case 'subshell':
    case 'group':
      return n.redirects.map((r) => r.target);
    case 'control':
      return [...n.words, ...n.redirects.map((r) => r.target)];
    default:
      return [];
  }
}

export function children(n: Node): Node[] {
  switch (n.kind) {
    case 'command':
      return n.payload ? [n.payload] : [];
    case 'list':
      return n.items;
    case 'pipeline':
      return n.commands;
    case 'subshell':
    case 'group':
    case 'function':
      return [n.body];
    case 'control':
      return n.parts;
    case 'unknown':
      return [];
  }
}

/** Every simple command in `n`: nested structures, wrapper payloads and, unless told not to, substitutions. */
export function* commandsIn(n: Node, withSubstitutions = true): Generator<CommandNode> {
  if (n.kind === 'command') yield n;
  if (withSubstitutions) for (const w of nodeWords(n)) for (const s of w.substitutions) yield* commandsIn(s);
  for (const c of children(n)) yield* commandsIn(c, withSubstitutions);
}

export function someCommand(n: Node, pred: (c: CommandNode) => boolean, withSubstitutions = true): boolean {
  for (const c of commandsIn(n, withSubstitutions)) if (pred(c)) return true;
  return false;
}

/** Whether a word's substitutions (at any depth) run a command matching `pred`. */
export function wordRuns(w: Word, pred: (c: CommandNode) => boolean): boolean {
  return w.substitutions.some((s) => someCommand(s, pred));
}
