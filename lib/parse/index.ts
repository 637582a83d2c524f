import type { Parser } from 'web-tree-sitter';
import { TreeBuilder } from './build.js';
import { MAX_PAYLOAD_DEPTH } from './command.js';
import { loadBashGrammar } from './grammar.js';
import { describeProblem, findFalseComment, findMislexedAnsiC, findProblem } from './problems.js';
import { lineContinuations, Source } from './source.js';
import type { Node } from './types.js';
import { unknownNode } from './unknown.js';

// One line of shell → the command tree of ./types.ts. Structure comes from
// tree-sitter-bash; words are unquoted by ./words.ts; wrapper payloads
// (`bash -c`, `sudo`, `xargs`, …) are parsed again by ./command.ts.

export type * from './types.js';
export { MAX_NESTING } from './build.js';
export { MAX_PAYLOAD_DEPTH };
export type { UnknownReason } from './unknown.js';

export interface LineParser {
  /** Never throws: whatever it cannot understand is an `unknown` node. */
  parse(line: string): Node;
}

let memo: Promise<LineParser> | null = null;

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
    const first = this.parser.parse(text);
    if (!first) return unknownNode(text, 'parse-error', 'tree-sitter returned no tree');
    let tree = first;
    let src = Source.plain(text);
    try {
      const continuations = lineContinuations(first.rootNode, text);
      if (continuations.length > 0) {
        src = Source.removing(text, continuations);
        const joined = this.parser.parse(src.work);
        if (!joined) return unknownNode(text, 'parse-error', 'tree-sitter returned no tree');
        first.delete();
        tree = joined;
      }
      const problem = findProblem(tree.rootNode);
      if (problem) {
        const { reason, why } = describeProblem(text, problem);
        return unknownNode(text, reason, why);
      }
      const comment = findFalseComment(tree.rootNode, src.work);
      if (comment) {
        return unknownNode(text, 'parse-error', `tree-sitter reads \`${comment.text.slice(0, 20)}\` at ${comment.startPosition.row + 1}:${comment.startPosition.column + 1} as a comment, bash does not; quote the \`#\``);
      }
      const mislexed = findMislexedAnsiC(tree.rootNode, src.work);
      if (mislexed) {
        return unknownNode(text, 'parse-error', `tree-sitter reads the $'…' string at ${mislexed.startPosition.row + 1}:${mislexed.startPosition.column + 1} differently from bash; write it with single or double quotes`);
      }
      const builder = new TreeBuilder({ src, depth, reparse: (t, d) => this.parseText(t, d) });
      return builder.program(tree.rootNode);
    } finally {
      tree.delete();
    }
  }
}
