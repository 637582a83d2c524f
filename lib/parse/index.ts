import type { Parser } from 'web-tree-sitter';
import { TreeBuilder } from './build.js';
import { MAX_PAYLOAD_DEPTH } from './command.js';
import { loadBashGrammar } from './grammar.js';
import { syntaxProblem } from './problems.js';
import { lineContinuations, Source } from './source.js';
import { copyTree, type Syntax } from './syntax.js';
import type { Node } from './types.js';
import { unknownNode } from './unknown.js';
import { parsePlainLine } from './plain.js';

// One line of shell → the command tree of ./types.ts. Structure comes from
// tree-sitter-bash; words are unquoted by ./words.ts; wrapper payloads
// (`bash -c`, `sudo`, `xargs`, …) are parsed again by ./command.ts.
//
// Reading the tree (what the types alone do not say):
// - One statement is returned as itself; several as a flat `list`. A
//   trailing `&` is kept as one more operator than joins
//   (`sleep 1 &` → items [sleep], operators ['&']); a trailing `;` is dropped.
// - A command with no words (`X=1`, `>f`, `$(<f)`) has argv [], name and
//   path null, and its assignments/redirects.
// - A redirect after a list or pipeline (`a && b >f`) is on the last command,
//   where bash applies it.
// - A heredoc's target is its delimiter (value known); with an unquoted
//   delimiter the body's substitutions are the target's `substitutions`.
// - `bash <<EOF`, `bash <<< '…'`, `sudo -s <<EOF`: a known heredoc or
//   here-string is the shell's payload; `bash <file` runs a file (payload
//   null); from a pipe or the terminal it is unknown (`dynamic-payload`).
// - `[ … ]`, `[[ … ]]` and `(( … ))` are `control` nodes (`test`,
//   `arithmetic`) whose operands are `words`.
// - Tilde: `~`, `~/x`, `~user` keep the `~` in `value` (quoted or not);
//   `~+`, `~-`, `~N` have value null.
// - Wherever tree-sitter reads the line differently from bash (found by
//   comparing with bash, see test/parse/bash-agreement.test.ts), the line is
//   `unknown` rather than a wrong tree.

export type * from './types.js';
export { MAX_NESTING } from './build.js';
export { MAX_PAYLOAD_DEPTH };
export type { UnknownReason } from './unknown.js';

export interface LineParser {
  /** Never throws: whatever it cannot understand is an `unknown` node. */
  parse(line: string): Node;
}

let memo: Promise<LineParser> | null = null;

/** One line's tree; a plain line without loading the grammar at all. */
export async function parseLine(line: string): Promise<Node> {
  return parsePlainLine(line) ?? (await loadParser()).parse(line);
}

/** Loads the bash grammar once per process; every call shares it. */
export function loadParser(): Promise<LineParser> {
  memo ??= loadBashGrammar().then(
    (parser) => new BashLineParser(parser),
    (e: unknown) => {
      memo = null;
      throw e;
    },
  );
  return memo;
}

class BashLineParser implements LineParser {
  constructor(private readonly parser: Parser) {}

  parse(line: string): Node {
    try {
      return this.parseText(line, 0);
    } catch (e) {
      return unknownNode(line, 'internal-error', `sbsh's parser failed on this line (${e instanceof Error ? e.message : String(e)}); please report it`);
    }
  }

  private parseText(text: string, depth: number): Node {
    if (depth > MAX_PAYLOAD_DEPTH) {
      return unknownNode(text, 'too-deep', `shell text nested in wrappers or backticks more than ${MAX_PAYLOAD_DEPTH} levels deep`);
    }
    let src = Source.plain(text);
    let root = this.syntax(text);
    if (!root) return unknownNode(text, 'parse-error', 'tree-sitter returned no tree');
    const continuations = lineContinuations(root, text);
    if (continuations.length > 0) {
      src = Source.removing(text, continuations);
      root = this.syntax(src.work);
      if (!root) return unknownNode(text, 'parse-error', 'tree-sitter returned no tree');
    }
    const problem = syntaxProblem(root, text, src.work);
    if (problem) return unknownNode(text, problem.reason, problem.why);
    const builder = new TreeBuilder({ src, depth, reparse: (t, d) => this.parseText(t, d) });
    return builder.program(root);
  }

  /** tree-sitter's tree of `text`, copied out of wasm memory. */
  private syntax(text: string): Syntax | null {
    const tree = this.parser.parse(text);
    if (!tree) return null;
    try {
      return copyTree(tree, text);
    } finally {
      tree.delete();
    }
  }
}
