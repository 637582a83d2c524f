import type { CommandNode, Node, PipelineNode } from '../parse/types.js';
import { matchesAnyName } from '../policy/globs.js';
import { scanArgs } from './argv.js';
import type { Finding } from './guard-writes.js';
import type { GuardLists } from './rules.js';
import { someCommand, wordRuns, wordsOf } from './tree.js';

// bash-guard: code that arrives over the network (or decoded from an opaque
// blob) and is run without anyone reading it: `curl … | sh`,
// `base64 -d <<<… | bash`, `bash <(curl …)`, `sh -c "$(wget -O- …)"`.
// The repository's README is the usual vector. sbsh refuses these outright
// rather than sandboxing them: nobody has seen the code, and such scripts
// mostly install into the home directory or the system, which a sandbox
// would silently throw away.

function isRunner(c: CommandNode, lists: GuardLists): boolean {
  return c.name !== null && matchesAnyName(lists.code_runners, c.name);
}

function isSource(c: CommandNode, lists: GuardLists): boolean {
  return c.name !== null && (matchesAnyName(lists.fetchers, c.name) || matchesAnyName(lists.decoders, c.name));
}

/** Shell and interpreter options that take a value; anything else before the first positional is a flag. */
const RUNNER_VALUED = new Set(['-o', '+o', '-O', '+O', '-W', '-X', '--rcfile', '--init-file', '-I', '--require', '--import', '--loader']);
/** Options whose argument is the program (`sh -c`, `python -c`/`-m`, `node -e`/`-p`, `perl -e`, `php -r`): stdin is then data. */
const PROGRAM_GIVEN = new Set(['-c', '-e', '-E', '-m', '-p', '-r', '--eval', '--print', '--command']);

/** Whether a code runner reads its program from stdin: no script argument, or `-`, `/dev/stdin`, `-s`. */
function programFromStdin(c: CommandNode): boolean {
  // A parsed payload is the program (`sh -c '…'`, a heredoc); stdin is then data.
  if (c.payload && c.payload.kind !== 'unknown') return false;
  const s = scanArgs(c.argv.slice(1), { valued: RUNNER_VALUED, stopAtPositional: true });
  if (s.options.some((o) => PROGRAM_GIVEN.has(o.name))) return false;
  if (s.options.some((o) => o.name === '-s')) return true; // `bash -s -- args`: program on stdin, the rest are its arguments
  const first = s.positionals[0];
  return first === undefined || first.value === '-' || first.value === '/dev/stdin';
}

/** Whether a command (through its wrappers: `sudo bash`, `xargs sh -c`) runs what arrives on stdin as code. */
function runsStdin(c: CommandNode, lists: GuardLists): boolean {
  if (isRunner(c, lists) && programFromStdin(c)) return true;
  if (c.name === 'xargs' && c.payload && someCommand(c.payload, (p) => isRunner(p, lists))) return true;
  return c.payload?.kind === 'command' ? runsStdin(c.payload, lists) : false;
}

const FETCHED: Finding = {
  rule: 'guard.fetched-code',
  class: 'dangerous',
  why: 'runs code fetched from the network or decoded from a blob without it being read first; download it, read it, then run the file',
};

/** `curl … | sh`: a stage after one that fetches or decodes runs its input as code. */
export function pipeToShell(p: PipelineNode, lists: GuardLists): Finding | null {
  for (let i = 1; i < p.commands.length; i++) {
    const consumer = p.commands[i]!;
    if (!someCommand(consumer, (c) => runsStdin(c, lists), false)) continue;
    if (p.commands.slice(0, i).some((up) => someCommand(up, (c) => isSource(c, lists)))) return FETCHED;
  }
  return null;
}

/**
 * `bash <(curl …)`, `sh -c "$(curl …)"`, `eval "$(base64 -d …)"`,
 * `$(curl …)` as the command itself: a code runner (or a command whose name
 * is computed) given a word whose substitution fetches or decodes.
 */
export function fetchedCodeInWords(c: CommandNode, lists: GuardLists): Finding | null {
  if (c.name !== null && !isRunner(c, lists)) return null;
  const fetches = (n: CommandNode) => isSource(n, lists);
  return wordsOf(c).some((w) => wordRuns(w, fetches)) ? FETCHED : null;
}

/** `:(){ :|:& };:`: a function that starts itself in a pipeline or in the background. */
export function forkBomb(f: Extract<Node, { kind: 'function' }>): Finding | null {
  const self = (n: Node) => n.kind === 'command' && n.name === f.name;
  const spawnsSelf = (n: Node): boolean => {
    if (n.kind === 'pipeline' && n.commands.length > 1 && n.commands.some((c) => someCommand(c, (x) => x.name === f.name, false))) return true;
    if (n.kind === 'list' && n.items.some((item, i) => n.operators[i] === '&' && someCommand(item, (x) => x.name === f.name, false))) return true;
    if (self(n)) return false;
    switch (n.kind) {
      case 'list':
        return n.items.some(spawnsSelf);
      case 'pipeline':
        return n.commands.some(spawnsSelf);
      case 'subshell':
      case 'group':
      case 'function':
        return spawnsSelf(n.body);
      case 'control':
        return n.parts.some(spawnsSelf);
      default:
        return false;
    }
  };
  return spawnsSelf(f.body)
    ? { rule: 'guard.fork-bomb', class: 'dangerous', why: `function ${f.name} starts copies of itself in parallel, which exhausts the host's processes` }
    : null;
}
