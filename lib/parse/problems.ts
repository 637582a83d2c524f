import type { Syntax } from './syntax.js';
import type { UnknownReason } from './unknown.js';

// Where tree-sitter could not parse a line, or parsed it differently from
// bash, and how to say so. Any of these makes the whole text `unknown`:
// around a misread the rest of tree-sitter's tree cannot be trusted either.

export interface Problem {
  reason: UnknownReason;
  why: string;
}

/** The first problem with `root`, parsed from `work` (`typed` with its line continuations removed); null if none. */
export function syntaxProblem(root: Syntax, typed: string, work: string): Problem | null {
  const error = findError(root);
  if (error) return describeError(typed, error);
  const comment = findFalseComment(root, work);
  if (comment) {
    return { reason: 'parse-error', why: `tree-sitter reads \`${snippet(comment.text)}\` at ${at(comment)} as a comment, bash does not; quote the \`#\`` };
  }
  const ansiC = findMislexedAnsiC(root, work);
  if (ansiC) {
    return { reason: 'parse-error', why: `tree-sitter reads the $'…' string at ${at(ansiC)} differently from bash; write it with single or double quotes` };
  }
  return null;
}

/**
 * The first ERROR or MISSING node, or null. One MISSING node is a
 * tree-sitter quirk, not an error: `X=1 >file` (assignments and redirections
 * without a command, valid shell) comes out as a command whose name is a
 * MISSING word.
 */
function findError(root: Syntax): Syntax | null {
  if (!root.hasError) return null;
  return firstNode(root, (n) => n.isError || (n.isMissing && !isNamelessCommand(n)), (n) => n.hasError || n.isMissing);
}

/**
 * The first `$'…'` that tree-sitter cut differently from bash, or null.
 * tree-sitter ends `$'a\\'` at the next quote after it, not at its own: on
 * `echo $'\\'⏎rm -rf ~⏎: '` it sees one `echo` where bash runs `rm`.
 */
function findMislexedAnsiC(root: Syntax, text: string): Syntax | null {
  if (!text.includes("$'")) return null;
  return firstNode(root, (n) => n.type === 'ansi_c_string' && ansiCLength(n.text) !== n.text.length, () => true);
}

/**
 * The first comment that bash would not read as one, or null: tree-sitter
 * drops an escaped blank before a quoted word's continuation and then takes a
 * `#` for the start of a comment, so `echo 'x'\\ #; rm -rf ~` hides the `rm`.
 */
function findFalseComment(root: Syntax, text: string): Syntax | null {
  if (!text.includes('#')) return null;
  return firstNode(root, (n) => n.type === 'comment' && !startsWord(text, n.startIndex), () => true);
}

/** A `#` at `i` starts a comment only at the start of a word. */
function startsWord(text: string, i: number): boolean {
  const before = text[i - 1];
  if (before === undefined || '\n;&|()<>'.includes(before)) return true;
  if (before !== ' ' && before !== '\t') return false;
  let backslashes = 0;
  while (text[i - 2 - backslashes] === '\\') backslashes++;
  return backslashes % 2 === 0;
}

/** Length of the `$'…'` token at the start of `text` as bash reads it; -1 if it is never closed. */
export function ansiCLength(text: string): number {
  for (let i = 2; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === "'") return i + 1;
  }
  return -1;
}

/** Depth-first, in source order: the first node that `match`es, descending only where `descend` says. */
function firstNode(root: Syntax, match: (n: Syntax) => boolean, descend: (n: Syntax) => boolean): Syntax | null {
  const stack: Syntax[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (match(n)) return n;
    if (!descend(n)) continue;
    for (let i = n.childCount - 1; i >= 0; i--) {
      const c = n.child(i);
      if (c) stack.push(c);
    }
  }
  return null;
}

/** A MISSING command name in a command that has assignments or redirections: `X=1 >f`. */
export function isNamelessCommand(missing: Syntax): boolean {
  const name = missing.parent;
  const command = name?.parent;
  if (!missing.isMissing || missing.type !== 'word' || name?.type !== 'command_name' || command?.type !== 'command') return false;
  return command.children.some((c) => c.type === 'variable_assignment' || c.type === 'file_redirect' || c.type === 'herestring_redirect');
}

/** The quote still open at the end of `text` (`'`, `"`, `$'` or a backtick), or null. */
export function openQuote(text: string): string | null {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      continue;
    }
    if (ch === '\\') {
      i++;
      continue;
    }
    if (quote !== null) {
      if (ch === quote || (quote === "$'" && ch === "'")) quote = null;
      continue;
    }
    if (ch === '#' && (i === 0 || /[\s;&|()<>]/.test(text[i - 1]!))) {
      const eol = text.indexOf('\n', i);
      if (eol === -1) break;
      i = eol;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      quote = ch;
    } else if (ch === '$' && text[i + 1] === "'") {
      quote = "$'";
      i++;
    }
  }
  return quote;
}

/** Why a line with an ERROR or MISSING node is unknown, naming the place and the fix. */
function describeError(text: string, node: Syntax): Problem {
  const quote = openQuote(text);
  if (quote !== null) {
    return { reason: 'unterminated-quote', why: `the ${quote} quote is never closed; close it (or finish the line) and run it again` };
  }
  const near = node.isMissing ? `a missing \`${node.type}\`` : `\`${snippet(node.text)}\``;
  return { reason: 'parse-error', why: `cannot parse the line at ${at(node)}: ${near}; check the syntax with \`bash -n\`` };
}

/** `line:column`, 1-based. */
function at(node: Syntax): string {
  return `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
}

function snippet(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 40 ? `${oneLine.slice(0, 40)}…` : oneLine;
}
