import { commandName } from './command.js';
import type { CommandNode } from './types.js';
import { payloadPlan } from './wrappers.js';

// A line of plain words (`npm install`, `make -j4 all`, `./noop.sh`) has only
// one possible tree, so it needs neither tree-sitter nor its grammar, whose
// loading is the largest part of sbsh's start-up (≈ 70 ms). Plain means:
// only characters that are literal in a bash word, words separated by spaces,
// no reserved word, assignment or option in front, and no wrapper (`sudo`,
// `bash`, `env`, `npx` …) whose payload needs parsing. Anything else is for
// the real parser, and test/parse/plain.test.ts checks that both give the same
// tree for every line accepted here.

const PLAIN_LINE = /^[A-Za-z0-9_./@:+,%=-]+(?: +[A-Za-z0-9_./@:+,%=-]+)*$/;
// Narrower than bash needs, where tree-sitter-bash reads a word its own way:
// `a%`, `a@1`, `a+:` as a command, `==` as an argument.
const PLAIN_COMMAND = /^[A-Za-z0-9_./][A-Za-z0-9_./-]*$/;
const PLAIN_ARG = /^[A-Za-z0-9_./@:+,%-]+(?:=[A-Za-z0-9_./@:+,%-]*)?$/;
/** Words bash reads as syntax where a command starts (the rest are not plain characters). */
const KEYWORDS = new Set(['case', 'coproc', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'function', 'if', 'in', 'select', 'then', 'time', 'until', 'while']);
const MAX_PLAIN = 4096;

/** The tree of a plain line, or null when the real parser must read it. */
export function parsePlainLine(line: string): CommandNode | null {
  if (line.length > MAX_PLAIN || !PLAIN_LINE.test(line)) return null;
  const words = line.split(/ +/);
  const first = words[0]!;
  // An assignment (`X=1 cmd`), an option-like or job-spec-like command word: not plain.
  if (!PLAIN_COMMAND.test(first) || KEYWORDS.has(first) || !words.every((w, i) => i === 0 || PLAIN_ARG.test(w))) return null;
  const argv = words.map((w) => ({ raw: w, value: w, substitutions: [] }));
  const name = commandName(first);
  if (payloadPlan(name, argv.slice(1)) !== null) return null;
  return { kind: 'command', text: line, assignments: [], argv, name, path: first, redirects: [], payload: null };
}
