// Alias expansion, as bash does it for a line typed at the prompt, so that
// sbsh plans what bash will run: with `alias ll='ls -l'`, `ll` is planned as
// `ls -l` (and runs in a sandbox, which has no aliases, as `ls -l`); with
// `alias ls=./evil.sh`, `ls` is planned as `./evil.sh`.
//
// bash expands an unquoted word in command position (the first word of a
// simple command, after assignments and reserved words such as `then`),
// re-reads the expansion as input, never expands an alias inside its own
// expansion, and also checks the next word when the value ends in a blank.
// Quotes, comments, substitutions and here-document bodies are copied as
// they are.

/** Reserved words after which the next word is still in command position. */
const KEEP_COMMAND_POSITION = new Set(['!', 'if', 'then', 'else', 'elif', 'while', 'until', 'do', 'time', '{']);
/** Characters that end a word. */
const META = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
/** A word bash may treat as an alias name: no quoting, expansion or glob characters. */
const PLAIN = /^[^'"\\$`*?[\]{}~=]+$/;
const MAX_EXPANSIONS = 100;

interface Ch {
  c: string;
  /** Aliases whose expansion produced this character: not expanded again here. */
  used: ReadonlySet<string>;
  /** The blank that ends an alias value: the word after it is checked too. */
  opens?: boolean;
}

/** Index after the quoted or substituted span starting at `i` (a quote, backquote or `$(`), or after the character. */
function skipQuoted(s: Ch[], i: number): number {
  const c = s[i]!.c;
  if (c === '\\') return Math.min(i + 2, s.length);
  if (c === "'") {
    let j = i + 1;
    while (j < s.length && s[j]!.c !== "'") j++;
    return j + 1;
  }
  if (c === '"' || c === '`') {
    let j = i + 1;
    while (j < s.length && s[j]!.c !== c) j += s[j]!.c === '\\' ? 2 : 1;
    return j + 1;
  }
  if (c === '$' && s[i + 1]?.c === '(') {
    let depth = 0;
    let j = i + 1;
    for (; j < s.length; j++) {
      const d = s[j]!.c;
      if (d === "'" || d === '"' || d === '`' || d === '\\') {
        j = skipQuoted(s, j) - 1;
      } else if (d === '(') depth++;
      else if (d === ')' && --depth === 0) break;
    }
    return j + 1;
  }
  return i + 1;
}

/** The end of the word starting at `i`. */
function wordEnd(s: Ch[], i: number): number {
  let j = i;
  while (j < s.length && !META.has(s[j]!.c)) {
    const c = s[j]!.c;
    j = c === "'" || c === '"' || c === '`' || c === '\\' || (c === '$' && s[j + 1]?.c === '(') ? skipQuoted(s, j) : j + 1;
  }
  return Math.min(j, s.length);
}

const text = (s: Ch[], from: number, to: number) => s.slice(from, to).map((x) => x.c).join('');

export function expandAliases(line: string, aliases: Readonly<Record<string, string>>): string {
  if (Object.keys(aliases).length === 0) return line;
  const none: ReadonlySet<string> = new Set();
  const s: Ch[] = Array.from(line, (c) => ({ c, used: none }));
  let expansions = 0;
  let command = true;
  /** Here-document delimiters whose bodies start after the next newline. */
  let heredocs: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!.c;
    if (c === ' ' || c === '\t') {
      if (s[i]!.opens) command = true;
      i++;
      continue;
    }
    if (c === '\n') {
      i++;
      command = true;
      // Here-document bodies are data: copy them up to each delimiter line.
      for (const delim of heredocs) {
        for (;;) {
          let end = i;
          while (end < s.length && s[end]!.c !== '\n') end++;
          const row = text(s, i, end);
          i = Math.min(end + 1, s.length);
          if (row.replace(/^\t+/, '') === delim || i >= s.length) break;
        }
      }
      heredocs = [];
      continue;
    }
    if (c === '#') {
      while (i < s.length && s[i]!.c !== '\n') i++;
      continue;
    }
    if (c === ';' || c === '&' || c === '|' || c === '(' || c === ')') {
      i++;
      command = c !== ')';
      continue;
    }
    if (c === '<' || c === '>') {
      // A redirection: its target word is not a command word.
      const heredoc = c === '<' && s[i + 1]?.c === '<' && s[i + 2]?.c !== '<';
      i++;
      while (i < s.length && (s[i]!.c === '<' || s[i]!.c === '>' || s[i]!.c === '&' || s[i]!.c === '-' || s[i]!.c === '|')) i++;
      while (i < s.length && (s[i]!.c === ' ' || s[i]!.c === '\t')) i++;
      const end = wordEnd(s, i);
      if (heredoc) heredocs.push(text(s, i, end).replace(/['"\\]/g, ''));
      i = end;
      continue;
    }
    const end = wordEnd(s, i);
    const word = text(s, i, end);
    if (command) {
      const value = aliases[word];
      if (value !== undefined && PLAIN.test(word) && !s[i]!.used.has(word) && expansions++ < MAX_EXPANSIONS) {
        const used = new Set([...s[i]!.used, word]);
        const expansion: Ch[] = Array.from(value, (ch) => ({ c: ch, used }));
        // bash reads the expansion as input; a trailing blank also opens the next word to expansion.
        const last = expansion[expansion.length - 1];
        if (last && (last.c === ' ' || last.c === '\t')) last.opens = true;
        s.splice(i, end - i, ...expansion);
        continue;
      }
      if (!ASSIGNMENT.test(word) && !KEEP_COMMAND_POSITION.has(word)) command = false;
    }
    i = end;
  }
  return text(s, 0, s.length);
}
