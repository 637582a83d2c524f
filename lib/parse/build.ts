import { makeCommand, type CommandContext, type Stdin } from './command.js';
import { isNamelessCommand } from './problems.js';
import { RedirectReader, type BuiltRedirect } from './redirects.js';
import { Shaper, type ListOperator } from './shape.js';
import type { Source } from './source.js';
import { Spans } from './spans.js';
import type { Syntax } from './syntax.js';
import type { Assignment, ControlNode, FunctionNode, GroupNode, Node, Redirect, Word } from './types.js';
import { NotUnderstood, unknownNode, type UnknownReason } from './unknown.js';
import { collectSubstitutions, literalWord, operandWords, wordOf, wordsOf, type WordContext } from './words.js';

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
  private readonly redirects: RedirectReader;
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
    this.redirects = new RedirectReader(this.words);
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
    for (const c of n.children) {
      const field = c.field;
      const isWord = field === 'name' || field === 'argument';
      if (isWord) {
        if (c.type === 'command_name' && c.childCount === 1 && isNamelessCommand(c.child(0)!)) continue;
        named = true;
        if (lastWasWord) runs[runs.length - 1]!.push(c);
        else runs.push([c]);
      } else if (field === 'redirect') {
        redirects.push(...this.redirects.read(c));
      } else if (c.type === 'variable_assignment' && !named) {
        assignments.push(this.assignment(c));
      } else {
        throw new NotUnderstood('unsupported', `\`${c.text}\` (${c.type}) in a simple command`);
      }
      lastWasWord = isWord;
    }
    const own = this.trailing(redirects, n.endIndex);
    const argv = runs.flatMap((run) => wordsOf(run, this.words));
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
    for (const c of n.children) {
      if (c.field === 'redirect' || c.type.endsWith('_redirect')) built.push(...this.redirects.read(c));
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
    const words = wordsOf(n.childrenForFieldName('value'), this.words);
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
    const words = wordsOf(n.childrenForFieldName('value'), this.words);
    const parts: Node[] = [];
    for (const item of n.namedChildren.filter((c) => c.type === 'case_item')) {
      const patterns: Syntax[] = [];
      const statements: Syntax[] = [];
      for (const c of item.children) {
        if (c.field === 'value') patterns.push(c);
        // The last item's `;;` carries no field name in the grammar.
        else if (!CASE_ITEM_TOKENS.has(c.type)) statements.push(c);
      }
      words.push(...wordsOf(patterns, this.words));
      if (statements.some((c) => c.isNamed && c.type !== 'comment')) parts.push(this.sequence(statements, item));
    }
    return this.control(n, 'case', parts, words, trailing);
  }

  private functionDefinition(n: Syntax, trailing: Trailing | null): Node {
    const name = n.childForFieldName('name');
    const body = n.childForFieldName('body');
    if (!name || !body) throw new NotUnderstood('parse-error', `function definition without a name or body: \`${n.text}\``);
    // `f() { …; } >log` redirects every run of the body.
    const own = this.trailing(n.childrenForFieldName('redirect').flatMap((r) => this.redirects.read(r)), body.endIndex);
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
        return this.simpleCommand([], [], n.startIndex, this.trailing(redirects.flatMap((r) => this.redirects.read(r)), n.endIndex));
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


