import { parse as shellQuote } from 'shell-quote';
import type { Spans } from './spans.js';
import type { Syntax } from './syntax.js';
import type { Node, Word } from './types.js';
import { NotUnderstood } from './unknown.js';

// One shell word → `Word`: its literal value after quote removal, or null
// when anything in it is only known at run time, plus the trees of the
// command/process substitutions it contains.
//
// Tilde: `~`, `~/x` and `~user/x` keep the `~` in `value` as typed; the
// classifier resolves it (the parser does not know the user's home).

/** What the word builder needs from the tree builder. */
export interface WordContext {
  /** The text tree-sitter parsed (node positions index it). */
  work: string;
  /** The typed text of a range of the parsed text. */
  slice(start: number, end: number): string;
  /** The tree of one `$(…)`, backtick, `<(…)` or `>(…)`. */
  substitution(node: Syntax): Node;
  /** The tree of a backtick substitution's contents (still escaped as typed). */
  backtick(inner: string): Node;
  spans: Spans;
}

const SUBSTITUTIONS = new Set(['command_substitution', 'process_substitution']);

/** Parts whose value is only known at run time. */
const EXPANSIONS = new Set([
  'simple_expansion',
  'expansion',
  'arithmetic_expansion',
  'brace_expression',
  'array',
  'command_substitution',
  'process_substitution',
]);

/** Parts made of other parts plus unquoted literal text between them. */
const CONTAINERS = new Set(['concatenation', 'command_name', 'variable_assignment', 'number']);

/** Leaves read as unquoted text (backslash escapes, globs and braces apply). */
const UNQUOTED_LEAVES = new Set([
  'word',
  'extglob_pattern',
  'variable_name',
  'special_variable_name',
  'file_descriptor',
]);

/**
 * A word's literal value, built piece by piece. `mask` mirrors `value` with
 * every quoted character replaced by NUL, because only unquoted `*?[` and
 * `{a,b}` are globs or brace expansions, and only an unquoted `~+`, `~-` or
 * `~N` (the working directory, the directory stack) is expanded.
 */
class Literal {
  value = '';
  mask = '';
  dynamic = false;

  quoted(text: string): void {
    this.value += text;
    this.mask += '\0'.repeat(text.length);
  }

  unquoted(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '\\' && i + 1 < text.length) {
        const next = text[++i]!;
        if (next !== '\n') this.quoted(next);
        continue;
      }
      if (ch === ' ' || ch === '\t' || ch === '\n') {
        // An unquoted blank ends a word: tree-sitter read two words as one (`] }`).
        throw new NotUnderstood('parse-error', `tree-sitter read \`${text}\` as one word`);
      }
      this.value += ch;
      this.mask += ch;
    }
  }

  finish(): string | null {
    return this.dynamic || isPattern(this.mask) || /^~([+-][0-9]*|[0-9]+)(\/|$)/.test(this.mask) ? null : this.value;
  }
}

/** Unquoted glob characters or a brace expansion make a word's value unknowable. */
export function isPattern(unquoted: string): boolean {
  return /[*?]|\[[^]*\]|\{[^]*(,|\.\.)[^]*\}/.test(unquoted);
}

/** The content of a double-quoted string: `\` only escapes `$ \` " \` and newline. */
export function unescapeDoubleQuoted(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_, ch: string) => (ch === '\n' ? '' : ch));
}

/** `$'…'` (ANSI-C quoting) decoded by shell-quote; null if it does not read it as one string. */
export function decodeAnsiC(raw: string): string | null {
  const parts = shellQuote(raw);
  return parts.length === 1 && typeof parts[0] === 'string' ? parts[0] : null;
}

/** A heredoc delimiter after quote removal (`'EOF'`, `"EOF"`, `\EOF`, `E"O"F` → `EOF`). */
export function unquoteDelimiter(text: string): string {
  const lit = new Literal();
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const close = ch === "'" || ch === '"' ? text.indexOf(ch, i + 1) : -1;
    if (close === -1) {
      lit.unquoted(ch === '\\' ? text.slice(i, ++i + 1) : ch);
      continue;
    }
    const inner = text.slice(i + 1, close);
    lit.quoted(ch === '"' ? unescapeDoubleQuoted(inner) : inner);
    i = close;
  }
  return lit.value;
}

/** A word that is not in the source as such (the `-` of `>&-`). */
export function literalWord(raw: string, value: string): Word {
  return { raw, value, substitutions: [] };
}

/**
 * The word made of `nodes`: usually one node; several when tree-sitter split
 * one shell word into adjacent nodes (`$"…"` comes out as `$` and a string;
 * an escaped blank, `"a"\ "b"`, is left between nodes). See `wordGroups`.
 */
export function wordOf(nodes: readonly Syntax[], ctx: WordContext): Word {
  const first = nodes[0];
  const last = nodes[nodes.length - 1];
  if (!first || !last) throw new Error('internal: a word of no nodes');
  const start = escapedBlanksBefore(ctx.work, first.startIndex);
  const end = escapedBlanksAfter(ctx.work, last.endIndex);
  const lit = new Literal();
  const substitutions: Node[] = [];
  let pos = start;
  nodes.forEach((n, i) => {
    lit.unquoted(ctx.work.slice(pos, n.startIndex));
    pos = n.endIndex;
    // `$"…"` is a locale-translated string; its value is the string's.
    if (n.type === '$' && n.text === '$' && nodes[i + 1]?.type === 'string') return;
    visit(n, lit, substitutions, ctx);
  });
  lit.unquoted(ctx.work.slice(pos, end));
  return ctx.spans.set({ raw: ctx.slice(start, end), value: lit.finish(), substitutions }, start, end);
}

/** The shell words that `nodes` (in source order) make up. */
export function wordsOf(nodes: readonly Syntax[], ctx: WordContext): Word[] {
  return wordGroups(nodes, ctx.work).map((g) => wordOf(g, ctx));
}

/**
 * Nodes grouped into shell words: nodes belong to one word when nothing but
 * escaped blanks (`\ `) separates them, which tree-sitter leaves out of its nodes.
 */
export function wordGroups(nodes: readonly Syntax[], work: string): Syntax[][] {
  const groups: Syntax[][] = [];
  for (const n of nodes) {
    const group = groups[groups.length - 1];
    const previous = group?.[group.length - 1];
    const from = previous ? escapedBlanksAfter(work, previous.endIndex) : 0;
    const to = escapedBlanksBefore(work, n.startIndex);
    if (group && from >= to) group.push(n);
    else {
      if (previous && work.slice(from, to).includes('\\')) throw droppedWord(work.slice(from, to));
      groups.push([n]);
    }
  }
  const last = nodes[nodes.length - 1];
  if (last) {
    const after = /^[ \t]*\\[ \t]/.exec(work.slice(escapedBlanksAfter(work, last.endIndex)));
    if (after) throw droppedWord(after[0]);
  }
  return groups;
}

/** A word made only of escaped blanks (`a \\  b`) gets no node at all. */
function droppedWord(text: string): NotUnderstood {
  return new NotUnderstood('parse-error', `tree-sitter dropped the word of escaped blanks in \`${text}\``);
}

/** Where a word really starts: before the escaped blanks (`\ `) tree-sitter left in front of its node. */
function escapedBlanksBefore(work: string, start: number): number {
  let s = start;
  while (s >= 2 && work[s - 2] === '\\' && (work[s - 1] === ' ' || work[s - 1] === '\t') && backslashesEndingAt(work, s - 2) % 2 === 1) s -= 2;
  return s;
}

/** Where a word really ends: after the escaped blanks that follow its node. */
function escapedBlanksAfter(work: string, end: number): number {
  let e = end;
  while (work[e] === '\\' && (work[e + 1] === ' ' || work[e + 1] === '\t')) e += 2;
  return e;
}

function backslashesEndingAt(work: string, i: number): number {
  let n = 0;
  while (i - n >= 0 && work[i - n] === '\\') n++;
  return n;
}

function visit(n: Syntax, lit: Literal, subs: Node[], ctx: WordContext): void {
  const type = n.type;
  if (type === 'raw_string') return lit.quoted(n.text.slice(1, -1));
  if (type === 'ansi_c_string') {
    const decoded = decodeAnsiC(n.text);
    if (decoded === null) lit.dynamic = true;
    else lit.quoted(decoded);
    return;
  }
  if (type === 'regex') {
    // tree-sitter also lexes the word after a plain `=~` argument as a regex,
    // leaving quotes and `$'…'` in it unread: its value is not trusted.
    if (n.text.includes('$(')) throw new NotUnderstood('parse-error', `a substitution inside the pattern \`${n.text}\``);
    strayBackticks(n.text, subs, ctx);
    lit.dynamic = true;
    return;
  }
  if (type === 'string') return visitWithGaps(n, true, lit, subs, ctx);
  // `$"…"`, a locale-translated string: its value is the string's.
  if (type === 'translated_string') return n.namedChildren.forEach((c) => visit(c, lit, subs, ctx));
  if (type === 'string_content') {
    if (strayBackticks(n.text, subs, ctx)) lit.dynamic = true;
    return lit.quoted(unescapeDoubleQuoted(n.text));
  }
  if (EXPANSIONS.has(type)) {
    lit.dynamic = true;
    return collectSubstitutions(n, subs, ctx);
  }
  if (!n.isNamed || UNQUOTED_LEAVES.has(type) || (CONTAINERS.has(type) && n.childCount === 0)) {
    if (strayBackticks(n.text, subs, ctx)) lit.dynamic = true;
    return lit.unquoted(n.text);
  }
  if (CONTAINERS.has(type)) return visitWithGaps(n, false, lit, subs, ctx);
  // Anything else (arithmetic operators, subscripts, …) is not a literal.
  lit.dynamic = true;
  collectSubstitutions(n, subs, ctx);
}

/** Children of `n` in order, with the text between them read as literal (quoted inside "…"). */
function visitWithGaps(n: Syntax, inQuotes: boolean, lit: Literal, subs: Node[], ctx: WordContext): void {
  let pos = n.startIndex;
  const gap = (end: number) => {
    if (end <= pos) return;
    const text = ctx.work.slice(pos, end);
    if (inQuotes) lit.quoted(unescapeDoubleQuoted(text));
    else lit.unquoted(text);
  };
  n.children.forEach((c, i) => {
    gap(c.startIndex);
    pos = c.endIndex;
    if (inQuotes && c.type === '"') {
      // tree-sitter folds blanks before the closing quote into its token (`" "`).
      const text = c.text;
      const quote = i === 0 ? text.indexOf('"') : text.lastIndexOf('"');
      lit.quoted(unescapeDoubleQuoted(text.slice(0, quote) + text.slice(quote + 1)));
      return;
    }
    visit(c, lit, subs, ctx);
  });
  gap(n.endIndex);
}

/** Every substitution inside `n` (not those nested in another: they belong to that one's tree), in source order. */
export function collectSubstitutions(n: Syntax, subs: Node[], ctx: WordContext): void {
  const stack: Syntax[] = [n];
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (SUBSTITUTIONS.has(c.type)) {
      subs.push(ctx.substitution(c));
      continue;
    }
    if (c.childCount === 0 && !SINGLE_QUOTED.has(c.type)) strayBackticks(c.text, subs, ctx);
    for (let i = c.childCount - 1; i >= 0; i--) {
      const child = c.child(i);
      if (child) stack.push(child);
    }
  }
}

/** Leaves where a backquote is just a character. */
const SINGLE_QUOTED = new Set(['raw_string', 'ansi_c_string', 'comment']);

/**
 * Backtick substitutions that tree-sitter left inside a leaf (it does not
 * parse them inside `${…}`: `${x:-`rm -rf ~`}`). Adds their trees to `subs`;
 * true if there were any.
 */
function strayBackticks(text: string, subs: Node[], ctx: WordContext): boolean {
  if (!text.includes('`')) return false;
  let open = -1;
  let found = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '`' && open === -1) open = i;
    else if (text[i] === '`') {
      subs.push(ctx.backtick(text.slice(open + 1, i)));
      open = -1;
      found = true;
    }
  }
  if (open !== -1) throw new NotUnderstood('parse-error', `an unmatched backquote in \`${text}\``);
  return found;
}

/** Expression operators inside `[[ … ]]` and `(( … ))`: their operands are the words. */
const EXPRESSIONS = new Set([
  'binary_expression',
  'unary_expression',
  'parenthesized_expression',
  'ternary_expression',
  'postfix_expression',
]);

/**
 * The operand words of a `[[ … ]]` test or an arithmetic expression, in source
 * order. In arithmetic a bare name is a variable whose value is evaluated
 * again as an expression, so only numbers have a known value there.
 */
export function operandWords(nodes: readonly Syntax[], arithmetic: boolean, ctx: WordContext): Word[] {
  const words: Word[] = [];
  const stack = [...nodes].reverse();
  while (stack.length > 0) {
    const n = stack.pop()!;
    const container = EXPRESSIONS.has(n.type) || (arithmetic && n.type === 'variable_assignment');
    if (container) {
      const operands = n.namedChildren.filter((c) => c.type !== 'test_operator');
      stack.push(...operands.reverse());
      continue;
    }
    const word = wordOf([n], ctx);
    if (arithmetic && word.value !== null && !/^[0-9]+$/.test(word.value)) word.value = null;
    words.push(word);
  }
  return words;
}
