import type { Node as Syntax } from 'web-tree-sitter';
import { makeCommand, type CommandContext, type Stdin } from './command.js';
import { isNamelessCommand } from './problems.js';
import { Shaper, type ListOperator } from './shape.js';
import type { Source } from './source.js';
import { isQuotedDelimiter } from './source.js';
import { expandedBody } from './heredoc.js';
import { Spans } from './spans.js';
import type { Assignment, ControlNode, FunctionNode, GroupNode, Node, Redirect, Word } from './types.js';
import { NotUnderstood, unknownNode, type UnknownReason } from './unknown.js';
import { collectSubstitutions, literalWord, operandWords, unquoteDelimiter, wordGroups, wordOf, type WordContext } from './words.js';

// A tree-sitter-bash syntax tree → the command tree of lib/parse/types.ts.
// Every construct is handled explicitly; anything else becomes an `unknown`
// node for the statement it is in, never a plain command.

export interface BuildContext {
  src: Source;
  /** Payload depth of this text: 0 for the line, +1 per wrapper or backtick level. */
  depth: number;
  /** Parses shell text found in the line (a `bash -c` string, backtick contents). */
  reparse(text: string, depth: number): Node;
}

/** Statements nested deeper than this (groups, substitutions, control flow) are `unknown` (`too-deep`). */
export const MAX_NESTING = 64;

/** Redirections (and tree-sitter's stray argument words) that belong to the last command of a statement. */
interface Trailing {
  redirects: Redirect[];
  args: Word[];
  stdin: Stdin | null;
  end: number;
}

interface BuiltRedirect {
  redirect: Redirect;
  /** How it sets standard input; null when it does not. */
  stdin: Stdin | null;
  /** Words tree-sitter put in the redirect that are arguments of the command (`<in arg`). */
  args: Word[];
  end: number;
  /** What tree-sitter parsed inside a heredoc redirect that follows the command (`<<EOF | grep x`). */
  continuation: Continuation | null;
}

interface Continuation {
  op: '|' | '&&' | '||';
  statements: Syntax[];
}

const SEPARATORS = new Set([';', '&']);

/** Tokens that frame a sequence of statements. */
const FRAMING = new Set(['{', '}', '(', ')', 'do', 'done', '$(', '<(', '>(', '`']);

/** Tokens of a case item around its patterns and body. */
const CASE_ITEM_TOKENS = new Set(['(', ')', '|', ';;', ';&', ';;&']);

const INHERITED: Stdin = { kind: 'inherited' };

/** Reserved words that tree-sitter should never return as a command name (`time` it does, and it is a wrapper). */
const RESERVED = new Set(['!', '{', '}', '[[', ']]', 'case', 'coproc', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'function', 'if', 'in', 'select', 'then', 'until', 'while']);

export class TreeBuilder {
  private readonly spans = new Spans();
  private readonly shape: Shaper;
  private readonly words: WordContext;
  private readonly commands: CommandContext;
  private nesting = 0;

  constructor(private readonly ctx: BuildContext) {
    const slice = (start: number, end: number) => ctx.src.slice(start, end);
    this.shape = new Shaper(this.spans, slice);
    this.words = {
      work: ctx.src.work,
      slice,
      spans: this.spans,
      substitution: (n) => this.substitution(n),
      backtick: (inner) => this.backtick(inner),
    };
    this.commands = { spans: this.spans, slice, reparse: ctx.reparse, depth: ctx.depth };
  }

  program(root: Syntax): Node {
    try {
      return this.sequence(root.children, root);
    } catch (e) {
      if (e instanceof NotUnderstood) return this.unknown(root, e.reason, e.why);
      throw e;
    }
  }

  private statement(n: Syntax, trailing: Trailing | null = null): Node {
    if (this.nesting >= MAX_NESTING) return this.unknown(n, 'too-deep', `constructs nest more than ${MAX_NESTING} levels deep`);
    this.nesting++;
    try {
      return this.statementOf(n, trailing);
    } catch (e) {
      if (e instanceof NotUnderstood) return this.unknown(n, e.reason, e.why);
      throw e;
    } finally {
      this.nesting--;
    }
  }

  private statementOf(n: Syntax, trailing: Trailing | null): Node {
    switch (n.type) {
      case 'command':
        return this.command(n, trailing);
      case 'variable_assignment':
      case 'variable_assignments':
        return this.assignments(n, trailing);
      case 'declaration_command':
      case 'unset_command':
        return this.builtin(n, trailing);
      case 'list':
        return this.andOr(n, trailing);
      case 'pipeline':
        return this.pipeline(n.children, trailing);
      case 'negated_command':
        return this.shape.negate(this.statement(this.only(n), trailing));
      case 'redirected_statement':
        return this.redirected(n, trailing);
      case 'subshell':
        return this.group('subshell', n, trailing);
      case 'compound_statement':
        return n.child(0)?.type === '((' ? this.arithmetic(n, trailing) : this.group('group', n, trailing);
      case 'if_statement':
        return this.control(n, 'if', this.ifParts(n), [], trailing);
      case 'while_statement':
        return this.whileLoop(n, trailing);
      case 'for_statement':
        return this.forLoop(n, trailing);
      case 'c_style_for_statement':
        return this.cStyleFor(n, trailing);
      case 'case_statement':
        return this.caseStatement(n, trailing);
      case 'test_command':
        return this.control(n, 'test', [], operandWords(n.namedChildren, false, this.words), trailing);
      case 'function_definition':
        return this.functionDefinition(n, trailing);
      default:
        throw new NotUnderstood('unsupported', `\`${n.type}\` is a construct sbsh does not model`);
    }
  }

  /** Statements separated by `;`, `&` or newlines (a program, a group's body, a loop's body, …). */
  private sequence(children: readonly Syntax[], container: Syntax): Node {
    const items: Node[] = [];
    const operators: ListOperator[] = [];
    let pending: ListOperator | null = null;
    for (const c of children) {
      if (c.type === 'comment' || FRAMING.has(c.type)) continue;
      if (SEPARATORS.has(c.type)) {
        if (items.length > 0) pending = c.type as ListOperator;
        continue;
      }
      if (!c.isNamed) throw new NotUnderstood('parse-error', `unexpected \`${c.type}\``);
      const node = this.statement(c);
      // Statements with nothing between them but blanks and comments are on separate lines.
      if (items.length > 0) operators.push(pending ?? '\n');
      items.push(node);
      pending = null;
    }
    if (pending === '&') operators.push('&');
    return this.shape.list(items, operators, { start: container.startIndex, end: container.endIndex });
  }

  /** `a && b || c`: tree-sitter nests these to the left; walk the spine instead of recursing. */
  private andOr(n: Syntax, trailing: Trailing | null): Node {
    const rights: Array<[ListOperator, Syntax]> = [];
    let left = n;
    while (left.type === 'list') {
      const [l, op, r, ...extra] = left.children;
      if (!l || !op || !r || extra.length > 0 || (op.type !== '&&' && op.type !== '||')) {
        throw new NotUnderstood('parse-error', `unexpected list \`${left.text}\``);
      }
      rights.push([op.type, r]);
      left = l;
    }
    rights.reverse();
    const statements = [left, ...rights.map(([, r]) => r)];
    const items = statements.map((s, i) => this.statement(s, i === statements.length - 1 ? trailing : null));
    return this.shape.list(items, rights.map(([op]) => op), this.span(n));
  }

  /** Pipeline elements (separated by `|`/`|&` tokens); the trailing redirects go to the last. */
  private pipeline(children: readonly Syntax[], trailing: Trailing | null): Node {
    const elements = children.filter((c) => c.isNamed && c.type !== 'comment');
    if (elements.slice(1).some((e) => e.type === 'negated_command')) {
      throw new NotUnderstood('parse-error', '`!` inside a pipeline (bash only takes it before the first command)');
    }
    const nodes = elements.map((e, i) => this.statement(e, i === elements.length - 1 ? trailing : null));
    const [first, ...rest] = nodes;
    if (!first) throw new NotUnderstood('parse-error', 'an empty pipeline');
    return rest.reduce((base, next) => this.shape.pipe(base, next), first);
  }

  private command(n: Syntax, trailing: Trailing | null): Node {
    const assignments: Assignment[] = [];
    // Runs of word nodes not interrupted by a redirection; each run is then split into shell words.
    const runs: Syntax[][] = [];
    const redirects: BuiltRedirect[] = [];
    let named = false;
    let lastWasWord = false;
    for (const { field, node: c } of fields(n)) {
      const isWord = field === 'name' || field === 'argument';
      if (isWord) {
        if (c.type === 'command_name' && c.childCount === 1 && isNamelessCommand(c.child(0)!)) continue;
        named = true;
        if (lastWasWord) runs[runs.length - 1]!.push(c);
        else runs.push([c]);
      } else if (field === 'redirect') {
        redirects.push(...this.redirect(c));
      } else if (c.type === 'variable_assignment' && !named) {
        assignments.push(this.assignment(c));
      } else {
        throw new NotUnderstood('unsupported', `\`${c.text}\` (${c.type}) in a simple command`);
      }
      lastWasWord = isWord;
    }
    const own = this.trailing(redirects, n.endIndex);
    const argv = runs.flatMap((run) => this.wordsOf(run));
    const first = argv[0];
    if (first && first.raw === first.value && RESERVED.has(first.raw)) {
      // tree-sitter-bash does not know `coproc`, and after a misparse it can
      // hand back a keyword (`}`, `done`) as a command name.
      throw new NotUnderstood(first.raw === 'coproc' ? 'unsupported' : 'parse-error', `\`${first.raw}\` where a command should be`);
    }
    return this.simpleCommand(assignments, argv, n.startIndex, merge(own, trailing));
  }

  private simpleCommand(assignments: Assignment[], argv: Word[], start: number, trailing: Trailing | null): Node {
    const words = [...argv, ...(trailing?.args ?? [])].sort((a, b) => this.spans.get(a).start - this.spans.get(b).start);
    const end = Math.max(...words.map((w) => this.spans.get(w).end), trailing?.end ?? start);
    const parts = { assignments, argv: words, redirects: trailing?.redirects ?? [], stdin: trailing?.stdin ?? INHERITED, start, end };
    return makeCommand(parts, this.commands);
  }

  /** `X=1`, `X=1 Y=2`: assignments without a command. */
  private assignments(n: Syntax, trailing: Trailing | null): Node {
    const nodes = n.type === 'variable_assignment' ? [n] : n.namedChildren;
    return this.simpleCommand(nodes.map((a) => this.assignment(a)), [], n.startIndex, merge(this.trailing([], n.endIndex), trailing));
  }

  /** `export A=1 B`, `declare -a x=(…)`, `unset x`: a command whose words are its arguments as typed. */
  private builtin(n: Syntax, trailing: Trailing | null): Node {
    const argv = n.children.filter((c) => c.type !== 'comment').map((c) => wordOf([c], this.words));
    return this.simpleCommand([], argv, n.startIndex, merge(this.trailing([], n.endIndex), trailing));
  }

  private assignment(n: Syntax): Assignment {
    const name = n.childForFieldName('name');
    if (!name) throw new NotUnderstood('parse-error', `assignment without a name: \`${n.text}\``);
    const valueNodes = n.childrenForFieldName('value');
    const value = valueNodes.length > 0 ? wordOf(valueNodes, this.words) : literalWord('', '');
    if (name.type === 'subscript') {
      // `a[$(cmd)]=1` runs cmd: the subscript's substitutions are reported with the value.
      const before = value.substitutions.length;
      collectSubstitutions(name, value.substitutions, this.words);
      if (value.substitutions.length > before) value.value = null;
    }
    return { name: name.text, value };
  }

  private redirected(n: Syntax, trailing: Trailing | null): Node {
    const body = n.childForFieldName('body');
    const built: BuiltRedirect[] = [];
    for (const { field, node: c } of fields(n)) {
      if (field === 'redirect' || c.type.endsWith('_redirect')) built.push(...this.redirect(c));
    }
    const continuations = built.flatMap((r) => (r.continuation ? [r.continuation] : []));
    if (continuations.length > 1) throw new NotUnderstood('parse-error', 'several heredocs continue the same command');
    const continuation = continuations[0];
    const own = this.trailing(built, body?.endIndex ?? n.startIndex);
    // Redirections after the command apply to it; what the line continues with gets the outer ones.
    const bodyTrailing = continuation ? own : merge(own, trailing);
    const node = body ? this.statement(body, bodyTrailing) : this.simpleCommand([], [], n.startIndex, bodyTrailing);
    if (!continuation) return node;
    const rest = continuation.op === '|' ? this.pipeline(continuation.statements, trailing) : this.statement(this.single(continuation.statements), trailing);
    if (continuation.op === '|') return this.shape.pipe(node, rest);
    const span = this.spans.union([node, rest]);
    return this.shape.list([node, rest], [continuation.op], span);
  }

  private trailing(built: readonly BuiltRedirect[], end: number): Trailing {
    let stdin: Stdin | null = null;
    for (const r of built) stdin = r.stdin ?? stdin;
    return {
      redirects: built.map((r) => r.redirect),
      args: built.flatMap((r) => r.args),
      stdin,
      end: Math.max(end, ...built.map((r) => r.end)),
    };
  }

  private redirect(n: Syntax): BuiltRedirect[] {
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
    for (const { field, node: c } of fields(n)) {
      if (field === 'descriptor') fd = descriptor(c);
      else if (field === 'destination') destinations.push(c);
      else if (!c.isNamed) op = c.type;
      else throw new NotUnderstood('unsupported', `\`${c.text}\` in redirection \`${n.text}\``);
    }
    if (op === null) throw new NotUnderstood('parse-error', `redirection without an operator: \`${n.text}\``);
    const first = destinations[0];
    if (first) this.sameLine(n.startIndex, first);
    const [target, ...args] = this.wordsOf(destinations);
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
    let start: Syntax | null = null;
    let body: Syntax | null = null;
    let continuation: Continuation | null = null;
    let listOp: '&&' | '||' | null = null;
    const args: Syntax[] = [];
    const nested: BuiltRedirect[] = [];
    for (const { field, node: c } of fields(n)) {
      if (field === 'descriptor') fd = descriptor(c);
      else if (field === 'argument') args.push(c);
      else if (field === 'redirect') nested.push(...this.redirect(c));
      else if (field === 'operator') listOp = c.type === '||' ? '||' : '&&';
      else if (field === 'right') continuation = { op: listOp ?? '&&', statements: [c] };
      else if (c.type === '<<' || c.type === '<<-') op = c.type;
      else if (c.type === 'heredoc_start') start = c;
      else if (c.type === 'heredoc_body') body = c;
      else if (c.type === 'heredoc_end') continue;
      else if (c.type === 'pipeline' && c.child(0)?.type.startsWith('|')) continuation = { op: '|', statements: c.children.slice(1) };
      else throw new NotUnderstood('unsupported', `\`${c.text}\` (${c.type}) in a heredoc`);
    }
    const delimiter = start;
    if (op === null || delimiter === null) throw new NotUnderstood('parse-error', `heredoc without a delimiter: \`${n.text}\``);
    if (/[\s;&|()<>]/.test(delimiter.text)) {
      // tree-sitter reads `cat <<EOF; echo hi` with the delimiter `EOF;`.
      throw new NotUnderstood('parse-error', `tree-sitter misreads the heredoc delimiter \`${delimiter.text}\`; put it on its own, e.g. \`<<EOF\``);
    }
    const quoted = isQuotedDelimiter(delimiter.text);
    const expanded = body && !quoted ? expandedBody(body, this.words) : { substitutions: [], dynamic: false };
    const substitutions = expanded.substitutions;
    const target = this.spans.set({ raw: this.ctx.src.slice(delimiter.startIndex, delimiter.endIndex), value: unquoteDelimiter(delimiter.text), substitutions }, delimiter.startIndex, delimiter.endIndex);
    const readsStdin = fd === null || fd === 0;
    const stdin = readsStdin ? heredocInput(body, quoted, expanded.dynamic, op === '<<-') : null;
    const words = this.wordsOf(args);
    const end = Math.max(delimiter.endIndex, ...args.map((a) => a.endIndex), ...nested.map((r) => r.end));
    return [{ redirect: { op, fd, target }, stdin, args: words, end, continuation }, ...nested];
  }

  /** A redirection's target must be on its operator's line: tree-sitter reads `<` newline `word` as `<word`; bash refuses it. */
  private sameLine(from: number, target: Syntax): void {
    if (this.ctx.src.work.slice(from, target.startIndex).includes('\n')) {
      throw new NotUnderstood('parse-error', `a redirection without a target before the end of the line`);
    }
  }

  private group(kind: GroupNode['kind'], n: Syntax, trailing: Trailing | null): Node {
    const body = this.sequence(n.children, n);
    const node: GroupNode = { kind, text: '', body, redirects: compoundRedirects(trailing) };
    return this.shape.make(node, n.startIndex, Math.max(n.endIndex, trailing?.end ?? 0));
  }

  private control(n: Syntax, keyword: ControlNode['keyword'], parts: Node[], words: Word[], trailing: Trailing | null): Node {
    const node: ControlNode = { kind: 'control', text: '', keyword, parts, words, redirects: compoundRedirects(trailing) };
    return this.shape.make(node, n.startIndex, Math.max(n.endIndex, trailing?.end ?? 0));
  }

  private arithmetic(n: Syntax, trailing: Trailing | null): Node {
    return this.control(n, 'arithmetic', [], operandWords(n.namedChildren, true, this.words), trailing);
  }

  /** if/elif/else: conditions and bodies in source order, split at the keywords. */
  private ifParts(n: Syntax): Node[] {
    const parts: Node[] = [];
    const visit = (clause: Syntax) => {
      let segment: Syntax[] = [];
      const flush = () => {
        if (segment.some((c) => c.isNamed && c.type !== 'comment')) parts.push(this.sequence(segment, clause));
        segment = [];
      };
      for (const c of clause.children) {
        if (c.type === 'elif_clause' || c.type === 'else_clause') {
          flush();
          visit(c);
        } else if (['if', 'then', 'elif', 'else', 'fi'].includes(c.type)) flush();
        else segment.push(c);
      }
      flush();
    };
    visit(n);
    return parts;
  }

  private whileLoop(n: Syntax, trailing: Trailing | null): Node {
    const keyword = n.child(0)?.type === 'until' ? 'until' : 'while';
    const condition = this.sequence(n.childrenForFieldName('condition'), n);
    return this.control(n, keyword, [condition, this.body(n)], [], trailing);
  }

  private forLoop(n: Syntax, trailing: Trailing | null): Node {
    const keyword = n.child(0)?.type === 'select' ? 'select' : 'for';
    const words = this.wordsOf(n.childrenForFieldName('value'));
    return this.control(n, keyword, [this.body(n)], words, trailing);
  }

  private cStyleFor(n: Syntax, trailing: Trailing | null): Node {
    const expressions = ['initializer', 'condition', 'update'].flatMap((f) => n.childrenForFieldName(f)).filter((c) => c.isNamed);
    expressions.sort((a, b) => a.startIndex - b.startIndex);
    return this.control(n, 'for', [this.body(n)], operandWords(expressions, true, this.words), trailing);
  }

  /** A loop's `do … done` (or `{ … }`) body. */
  private body(n: Syntax): Node {
    const body = n.childForFieldName('body');
    if (!body) throw new NotUnderstood('parse-error', `loop without a body: \`${n.text}\``);
    return body.type === 'do_group' ? this.sequence(body.children, body) : this.statement(body);
  }

  /** `case WORD in PATTERN|PATTERN) … ;; esac`: the word and the patterns are evaluated, each item's body is a part. */
  private caseStatement(n: Syntax, trailing: Trailing | null): Node {
    const words = this.wordsOf(n.childrenForFieldName('value'));
    const parts: Node[] = [];
    for (const item of n.namedChildren.filter((c) => c.type === 'case_item')) {
      const patterns: Syntax[] = [];
      const statements: Syntax[] = [];
      for (const { field, node: c } of fields(item)) {
        if (field === 'value') patterns.push(c);
        // The last item's `;;` carries no field name in the grammar.
        else if (!CASE_ITEM_TOKENS.has(c.type)) statements.push(c);
      }
      words.push(...this.wordsOf(patterns));
      if (statements.some((c) => c.isNamed && c.type !== 'comment')) parts.push(this.sequence(statements, item));
    }
    return this.control(n, 'case', parts, words, trailing);
  }

  private functionDefinition(n: Syntax, trailing: Trailing | null): Node {
    const name = n.childForFieldName('name');
    const body = n.childForFieldName('body');
    if (!name || !body) throw new NotUnderstood('parse-error', `function definition without a name or body: \`${n.text}\``);
    // `f() { …; } >log` redirects every run of the body.
    const own = this.trailing(n.childrenForFieldName('redirect').flatMap((r) => this.redirect(r)), body.endIndex);
    const node: FunctionNode = { kind: 'function', text: '', name: name.text, body: this.statement(body, merge(own, trailing)) };
    return this.shape.make(node, n.startIndex, Math.max(n.endIndex, trailing?.end ?? 0));
  }

  /** The tree of a `$(…)`, backtick, `<(…)` or `>(…)` found in a word. */
  private substitution(n: Syntax): Node {
    const open = n.child(0);
    if (open?.type === '`') {
      const close = n.child(n.childCount - 1);
      return this.backtick(this.ctx.src.work.slice(open.endIndex, close?.type === '`' && close !== open ? close.startIndex : n.endIndex));
    }
    if (this.nesting >= MAX_NESTING) return this.unknown(n, 'too-deep', `substitutions nest more than ${MAX_NESTING} levels deep`);
    this.nesting++;
    try {
      const redirects = n.childrenForFieldName('redirect');
      if (redirects.length > 0 && !n.namedChildren.some((c) => c.type !== 'file_redirect' && c.type !== 'comment')) {
        // `$(<file)`: bash reads the file; a command of only a redirection.
        return this.simpleCommand([], [], n.startIndex, this.trailing(redirects.flatMap((r) => this.redirect(r)), n.endIndex));
      }
      return this.sequence(n.children, n);
    } catch (e) {
      if (e instanceof NotUnderstood) return this.unknown(n, e.reason, e.why);
      throw e;
    } finally {
      this.nesting--;
    }
  }

  /**
   * Inside backticks a backslash escapes `\`, `` ` `` and `$` before the
   * contents are parsed, so nested backticks only show up after unescaping.
   */
  private backtick(inner: string): Node {
    return this.ctx.reparse(inner.replace(/\\([\\`$])/g, '$1'), this.ctx.depth + 1);
  }

  /** The shell words that `nodes` (in source order) make up. */
  private wordsOf(nodes: readonly Syntax[]): Word[] {
    return wordGroups(nodes, this.ctx.src.work).map((g) => wordOf(g, this.words));
  }

  private only(n: Syntax): Syntax {
    return this.single(n.namedChildren.filter((c) => c.type !== 'comment'));
  }

  private single(nodes: readonly Syntax[]): Syntax {
    const named = nodes.filter((c) => c.isNamed && c.type !== 'comment');
    if (named.length !== 1) throw new NotUnderstood('parse-error', `expected one statement, found ${named.length}`);
    return named[0]!;
  }

  private unknown(n: Syntax, reason: UnknownReason, why: string): Node {
    return this.spans.set(unknownNode(this.ctx.src.slice(n.startIndex, n.endIndex), reason, why), n.startIndex, n.endIndex);
  }

  private span(n: Syntax) {
    return { start: n.startIndex, end: n.endIndex };
  }
}

/** Redirections of a statement followed by those of the statement around it. */
function merge(own: Trailing, outer: Trailing | null): Trailing {
  if (!outer) return own;
  return {
    redirects: [...own.redirects, ...outer.redirects],
    args: [...own.args, ...outer.args],
    stdin: outer.stdin ?? own.stdin,
    end: Math.max(own.end, outer.end),
  };
}

/** A group or control construct takes redirections but no argument words (`{ a; } >f x` is a syntax error). */
function compoundRedirects(trailing: Trailing | null): Redirect[] {
  if (trailing && trailing.args.length > 0) {
    throw new NotUnderstood('parse-error', `words after the redirection of a compound command: \`${trailing.args.map((w) => w.raw).join(' ')}\``);
  }
  return trailing?.redirects ?? [];
}

/** A redirection's fd number. tree-sitter also takes `-c2` in `-c2>&1` for one; bash reads the word `-c2`. */
function descriptor(n: Syntax): number {
  if (!/^[0-9]+$/.test(n.text)) throw new NotUnderstood('parse-error', `\`${n.text}\` read as a file descriptor`);
  return Number(n.text);
}

function fields(n: Syntax): Array<{ field: string | null; node: Syntax }> {
  return n.children.map((node, i) => ({ field: n.fieldNameForChild(i), node }));
}

/** What a heredoc gives a command on standard input, as far as the line says. */
function heredocInput(body: Syntax | null, quoted: boolean, dynamic: boolean, stripTabs: boolean): Stdin {
  if (!body) return { kind: 'text', text: '' };
  if (dynamic) return { kind: 'unknown' };
  let text = quoted ? body.text : body.text.replace(/\\([\\`$])/g, '$1');
  if (stripTabs) text = text.replace(/^\t+/gm, '');
  return { kind: 'text', text };
}
