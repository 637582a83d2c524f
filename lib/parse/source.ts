import type { Syntax } from './syntax.js';

// tree-sitter-bash splits a word at a line continuation (`r\<newline>m` becomes
// two words, `r` and `m`) where bash joins it (`rm`). So sbsh removes every
// backslash-newline that bash would remove, parses that text instead, and
// maps positions back so that `text`/`raw` fields still show what was typed.

export class Source {
  private constructor(
    /** What was typed. */
    readonly text: string,
    /** What tree-sitter parses: `text` without its line continuations. */
    readonly work: string,
    /** offsets[i] = index in `text` of `work[i]`; null when work === text. */
    private readonly offsets: Int32Array | null,
  ) {}

  static plain(text: string): Source {
    return new Source(text, text, null);
  }

  /** `text` without the backslash-newline pairs starting at `positions`. */
  static removing(text: string, positions: readonly number[]): Source {
    const drop = new Set(positions);
    const offsets = new Int32Array(text.length);
    let work = '';
    for (let i = 0; i < text.length; i++) {
      if (drop.has(i)) {
        i++;
        continue;
      }
      offsets[work.length] = i;
      work += text[i];
    }
    return new Source(text, work, offsets.slice(0, work.length));
  }

  /** The typed text of the work range [start, end). */
  slice(start: number, end: number): string {
    if (!this.offsets) return this.text.slice(start, end);
    if (end <= start) return '';
    const from = this.offsets[start] ?? this.text.length;
    const to = (this.offsets[end - 1] ?? this.text.length - 1) + 1;
    return this.text.slice(from, to);
  }
}

/** Contexts where a backslash-newline is kept as typed (bash removes it everywhere else). */
const KEEPS_CONTINUATION = new Set(['raw_string', 'ansi_c_string', 'comment']);

/**
 * Positions of the backslash-newline pairs in `text` that bash treats as line
 * continuations, found with a first parse of `text` (`root`): not inside
 * single quotes, `$'…'`, comments or a heredoc with a quoted delimiter, and
 * not an escaped backslash followed by a plain newline.
 */
export function lineContinuations(root: Syntax, text: string): number[] {
  const found: number[] = [];
  for (let i = text.indexOf('\\\n'); i !== -1; i = text.indexOf('\\\n', i + 2)) {
    let backslashes = 0;
    while (i - backslashes - 1 >= 0 && text[i - backslashes - 1] === '\\') backslashes++;
    if (backslashes % 2 === 1) continue;
    if (!keptAsTyped(root.descendantForIndex(i, i + 1))) found.push(i);
  }
  return found;
}

function keptAsTyped(node: Syntax | null): boolean {
  let inHeredocBody = false;
  for (let n = node; n; n = n.parent) {
    if (KEEPS_CONTINUATION.has(n.type)) return true;
    if (n.type === 'heredoc_body') inHeredocBody = true;
    if (n.type === 'heredoc_redirect' && inHeredocBody) {
      const start = n.children.find((c) => c.type === 'heredoc_start');
      return start !== undefined && isQuotedDelimiter(start.text);
    }
  }
  return false;
}

/** A heredoc whose delimiter has any quoting is not expanded (bash manual, Here Documents). */
export function isQuotedDelimiter(delimiter: string): boolean {
  return /['"\\]/.test(delimiter);
}
