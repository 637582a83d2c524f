import type { Syntax } from './syntax.js';
import type { Node } from './types.js';
import { NotUnderstood } from './unknown.js';
import { collectSubstitutions, type WordContext } from './words.js';

// The body of a heredoc with an unquoted delimiter is expanded like a
// double-quoted string. tree-sitter-bash parses `$x`, `${…}` and `$(…)` in
// it, but not backticks (`` `rm -rf ~` `` comes out as plain content) and it
// reads `$((…))` as a command substitution of a subshell. So sbsh walks the
// body itself and uses tree-sitter's nodes only for the `$` expansions.

export interface ExpandedBody {
  substitutions: Node[];
  /** Anything in the body is only known at run time. */
  dynamic: boolean;
}

export function expandedBody(body: Syntax, ctx: WordContext): ExpandedBody {
  const expansions = new Map<number, Syntax>();
  for (const c of body.namedChildren) if (c.type !== 'heredoc_content') expansions.set(c.startIndex, c);
  const text = ctx.work;
  const substitutions: Node[] = [];
  let dynamic = false;
  for (let i = body.startIndex; i < body.endIndex; ) {
    const ch = text[i];
    if (ch === '\\') {
      i += 2;
      continue;
    }
    const expansion = expansions.get(i);
    if (expansion) {
      dynamic = true;
      if (expansion.type === 'command_substitution' && expansion.text.startsWith('$((')) {
        // Arithmetic, misread as `$( (…) )`: only the substitutions inside it run commands.
        for (const c of expansion.children) collectSubstitutions(c, substitutions, ctx);
      } else {
        collectSubstitutions(expansion, substitutions, ctx);
      }
      i = expansion.endIndex;
      continue;
    }
    if (ch === '`') {
      const close = closingBacktick(text, i + 1, body.endIndex);
      if (close === -1) throw new NotUnderstood('parse-error', 'a backquote in the heredoc is never closed');
      substitutions.push(ctx.backtick(text.slice(i + 1, close)));
      dynamic = true;
      i = close + 1;
      continue;
    }
    if (ch === '$' && /[({[]/.test(text[i + 1] ?? '')) {
      throw new NotUnderstood('parse-error', `cannot read the expansion at \`${text.slice(i, i + 12)}\` in the heredoc`);
    }
    i++;
  }
  return { substitutions, dynamic };
}

function closingBacktick(text: string, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '`') return i;
  }
  return -1;
}
