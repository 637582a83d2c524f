import type { Stdin } from './command.js';
import { expandedBody } from './heredoc.js';
import { isQuotedDelimiter } from './source.js';
import type { Syntax } from './syntax.js';
import type { Redirect, Word } from './types.js';
import { NotUnderstood } from './unknown.js';
import { literalWord, unquoteDelimiter, wordOf, wordsOf, type WordContext } from './words.js';

// Redirection nodes → `Redirect`s, with what each does to standard input
// (which decides what `bash <<EOF` runs) and the repairs tree-sitter's
// redirect quirks need.

export interface BuiltRedirect {
  redirect: Redirect;
  /** How it sets standard input; null when it does not. */
  stdin: Stdin | null;
  /** Words tree-sitter put in the redirect that are arguments of the command (`<in arg`). */
  args: Word[];
  end: number;
  /** What tree-sitter parsed inside a heredoc redirect that follows the command (`<<EOF | grep x`). */
  continuation: Continuation | null;
}

export interface Continuation {
  op: '|' | '&&' | '||';
  statements: Syntax[];
}

export class RedirectReader {
  constructor(private readonly words: WordContext) {}

  /** One redirection node (a heredoc also brings the ones tree-sitter nested in it). */
  read(n: Syntax): BuiltRedirect[] {
    switch (n.type) {
      case 'file_redirect':
        return [this.fileRedirect(n)];
      case 'herestring_redirect':
        return [this.herestring(n)];
      case 'heredoc_redirect':
        return this.heredoc(n);
      default:
        throw new NotUnderstood('unsupported', `redirection \`${n.text}\` (${n.type})`);
    }
  }

  private fileRedirect(n: Syntax): BuiltRedirect {
    let fd: number | null = null;
    let op: string | null = null;
    const destinations: Syntax[] = [];
    for (const c of n.children) {
      const field = c.field;
      if (field === 'descriptor') fd = descriptor(c);
      else if (field === 'destination') destinations.push(c);
      else if (!c.isNamed) op = c.type;
      else throw new NotUnderstood('unsupported', `\`${c.text}\` in redirection \`${n.text}\``);
    }
    if (op === null) throw new NotUnderstood('parse-error', `redirection without an operator: \`${n.text}\``);
    const first = destinations[0];
    if (first) this.sameLine(n.startIndex, first);
    const [target, ...args] = wordsOf(destinations, this.words);
    let redirect: Redirect;
    if (op === '>&-' || op === '<&-') {
      // Closing a descriptor: bash reads it as `>&` with the word `-`.
      if (target) throw new NotUnderstood('parse-error', `unexpected word after \`${op}\``);
      redirect = { op: op.slice(0, 2), fd, target: literalWord('-', '-') };
    } else {
      if (!target) throw new NotUnderstood('parse-error', `redirection without a target: \`${n.text}\``);
      redirect = { op, fd, target };
    }
    const readsStdin = (fd === null || fd === 0) && (op === '<' || op === '<&');
    const stdin: Stdin | null = readsStdin ? (op === '<' ? { kind: 'file' } : { kind: 'unknown' }) : null;
    return { redirect, stdin, args, end: n.endIndex, continuation: null };
  }

  private herestring(n: Syntax): BuiltRedirect {
    const fdNode = n.childForFieldName('descriptor');
    const fd = fdNode ? descriptor(fdNode) : null;
    const parts = n.namedChildren.filter((c) => c.type !== 'file_descriptor');
    if (parts.length === 0) throw new NotUnderstood('parse-error', `here-string without a word: \`${n.text}\``);
    this.sameLine(n.startIndex, parts[0]!);
    const target = wordOf(parts, this.words);
    const stdin: Stdin | null = fd === null || fd === 0 ? (target.value === null ? { kind: 'unknown' } : { kind: 'text', text: `${target.value}\n` }) : null;
    return { redirect: { op: '<<<', fd, target }, stdin, args: [], end: n.endIndex, continuation: null };
  }

  /**
   * `<<EOF` / `<<-EOF`. The target word is the delimiter; with an unquoted
   * delimiter the body is expanded, so its substitutions are the target's.
   * tree-sitter also puts here what follows on the command's line: more
   * arguments and redirections, and the rest of the pipeline or list.
   */
  private heredoc(n: Syntax): BuiltRedirect[] {
    let fd: number | null = null;
    let op: string | null = null;
    let delimiter: Syntax | null = null;
    let body: Syntax | null = null;
    let continuation: Continuation | null = null;
    let listOp: '&&' | '||' | null = null;
    const args: Syntax[] = [];
    const nested: BuiltRedirect[] = [];
    for (const c of n.children) {
      const field = c.field;
      if (field === 'descriptor') fd = descriptor(c);
      else if (field === 'argument') args.push(c);
      else if (field === 'redirect') nested.push(...this.read(c));
      else if (field === 'operator') listOp = c.type === '||' ? '||' : '&&';
      else if (field === 'right') continuation = { op: listOp ?? '&&', statements: [c] };
      else if (c.type === '<<' || c.type === '<<-') op = c.type;
      else if (c.type === 'heredoc_start') delimiter = c;
      else if (c.type === 'heredoc_body') body = c;
      else if (c.type === 'heredoc_end') continue;
      else if (c.type === 'pipeline' && c.child(0)?.type.startsWith('|')) continuation = { op: '|', statements: c.children.slice(1) };
      else throw new NotUnderstood('unsupported', `\`${c.text}\` (${c.type}) in a heredoc`);
    }
    if (op === null || delimiter === null) throw new NotUnderstood('parse-error', `heredoc without a delimiter: \`${n.text}\``);
    if (/[\s;&|()<>]/.test(delimiter.text)) {
      // tree-sitter reads `cat <<EOF; echo hi` with the delimiter `EOF;`.
      throw new NotUnderstood('parse-error', `tree-sitter misreads the heredoc delimiter \`${delimiter.text}\`; put it on its own, e.g. \`<<EOF\``);
    }
    const quoted = isQuotedDelimiter(delimiter.text);
    const expanded = body && !quoted ? expandedBody(body, this.words) : { substitutions: [], dynamic: false };
    const raw = this.words.slice(delimiter.startIndex, delimiter.endIndex);
    const target = this.words.spans.set({ raw, value: unquoteDelimiter(delimiter.text), substitutions: expanded.substitutions }, delimiter.startIndex, delimiter.endIndex);
    const readsStdin = fd === null || fd === 0;
    const stdin = readsStdin ? heredocInput(body, quoted, expanded.dynamic, op === '<<-') : null;
    const words = wordsOf(args, this.words);
    const end = Math.max(delimiter.endIndex, ...args.map((a) => a.endIndex), ...nested.map((r) => r.end));
    return [{ redirect: { op, fd, target }, stdin, args: words, end, continuation }, ...nested];
  }

  /** A redirection's target must be on its operator's line: tree-sitter reads `<` newline `word` as `<word`; bash refuses it. */
  private sameLine(from: number, target: Syntax): void {
    if (this.words.work.slice(from, target.startIndex).includes('\n')) {
      throw new NotUnderstood('parse-error', `a redirection without a target before the end of the line`);
    }
  }

}

/** A redirection's fd number. tree-sitter also takes `-c2` in `-c2>&1` for one; bash reads the word `-c2`. */
function descriptor(n: Syntax): number {
  if (!/^[0-9]+$/.test(n.text)) throw new NotUnderstood('parse-error', `\`${n.text}\` read as a file descriptor`);
  return Number(n.text);
}

/** What a heredoc gives a command on standard input, as far as the line says. */
function heredocInput(body: Syntax | null, quoted: boolean, dynamic: boolean, stripTabs: boolean): Stdin {
  if (!body) return { kind: 'text', text: '' };
  if (dynamic) return { kind: 'unknown' };
  let text = quoted ? body.text : body.text.replace(/\\([\\`$])/g, '$1');
  if (stripTabs) text = text.replace(/^\t+/gm, '');
  return { kind: 'text', text };
}
