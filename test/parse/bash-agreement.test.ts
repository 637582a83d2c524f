import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadParser, type Node } from '../../lib/parse/index.js';
import { skipWithReason } from '../helpers/skip.js';

// Real bash is the oracle. Generated lines of `printf` commands, with every
// kind of quoting, escaping, comments, continuations and separators, run
// under bash in a bubblewrap sandbox (no network, read-only root, private
// /tmp); what bash prints must be exactly the commands and words the parser
// reported. Wherever the parser claims a value it must be the value bash
// uses, and it must never miss a command bash runs.

const parser = await loadParser();

const SEED = Number(process.env.SBSH_FUZZ_SEED ?? 20260101);

function runsHere(): string | null {
  const bash = spawnSync('bash', ['-c', 'true']);
  if (bash.status !== 0) return 'bash is not installed';
  const bwrap = spawnSync('bwrap', SANDBOX.concat(['true']));
  if (bwrap.status !== 0) return `bubblewrap cannot run here (${bwrap.error?.message ?? bwrap.stderr.toString().trim()}); apt-get install -y bubblewrap`;
  return null;
}

const SANDBOX = ['--ro-bind', '/', '/', '--dev', '/dev', '--tmpfs', '/tmp', '--unshare-all', '--die-with-parent', '--new-session', '--chdir', '/tmp'];

/** What bash prints for `line` (NUL-separated fields). */
function bash(line: string): string[] {
  const r = spawnSync('bwrap', [...SANDBOX, 'bash', '--norc', '--noprofile', '-c', line], { encoding: 'utf8', timeout: 10_000 });
  return r.stdout.split('\0').slice(0, -1);
}

const plain = fc.constantFrom('a', '-', '=', '/', '.', ',', ':', '@', '%', '+', 'é', '#', '{', '}', ']', '[', '!');
const inDouble = fc.constantFrom('a', ' ', "'", '\\\\', '\\"', '\\$', '\\`', '\\n', '\\a', '\\\n', '\n', '#', ';', '&', '|', '*', '{a,b}', '~');
const inSingle = fc.constantFrom('a', ' ', '"', '\\', '$', '`', '#', ';', '\n', '&', '*', '~');
const inAnsiC = fc.constantFrom('a', ' ', '\\n', '\\t', '\\x41', '\\101', "\\'", '\\"', '\\\\', '\\u00e9', '\\e', '\\cA', '$', '`', '#', ';');
const piece = fc.oneof(
  fc.array(plain, { minLength: 1, maxLength: 3 }).map((a) => a.join('')),
  fc.constantFrom('\\ ', '\\*', '\\$', '\\\\', '\\"', "\\'", '\\a', '\\\n', '\\#', '\\;', '\\&', '\\|', '\\~'),
  fc.array(inDouble, { maxLength: 4 }).map((a) => `"${a.join('')}"`),
  fc.array(inSingle, { maxLength: 4 }).map((a) => `'${a.join('')}'`),
  fc.array(inAnsiC, { maxLength: 4 }).map((a) => `$'${a.join('')}'`),
);
const word = fc.array(piece, { minLength: 1, maxLength: 4 }).map((a) => a.join(''));
/** `||` and `&` are left out: bash would skip or reorder commands, and the comparison is of what runs. */
const separator = fc.constantFrom('; ', ' && ', '\n', ' # comment\n', ';', ' \\\n&& ', '\n\n');
const lines = fc
  .array(fc.tuple(fc.array(word, { maxLength: 4 }), separator), { minLength: 1, maxLength: 4 })
  .map((commands) =>
    commands
      // The line must be complete: no `&&` at its end.
      .map(([words, sep], i) => `printf '%s\\0' @@${i}@@ ${words.join(' ')}${i === commands.length - 1 ? sep.replace('&& ', '') : sep}`)
      .join(''),
  );

/**
 * The words (after the format and the marker) of each printf in the tree, in
 * order; null where a word is unknown. 'unknown' when part of the tree is;
 * 'other' when it has another command (a quoted `""` bash will not find,
 * which also stops a following `&&`), so there is nothing to compare.
 */
function printfs(tree: Node): Array<Array<string | null>> | 'unknown' | 'other' {
  const out: Array<Array<string | null>> = [];
  let found: 'unknown' | 'other' | null = null;
  const visit = (n: Node): void => {
    if (n.kind === 'list') n.items.forEach(visit);
    else if (n.kind === 'command' && n.name === 'printf') out.push(n.argv.slice(3).map((w) => w.value));
    else if (n.kind === 'unknown') found = 'unknown';
    else found ??= 'other';
  };
  visit(tree);
  return found ?? out;
}

/** bash's output split at the markers. */
function byCommand(fields: string[]): string[][] {
  const out: string[][] = [];
  for (const f of fields) {
    if (/^@@\d+@@$/.test(f)) out.push([]);
    else out[out.length - 1]?.push(f);
  }
  return out;
}

const agreement = suite('the parser agrees with bash');
const reason = runsHere();
if (reason) {
  skipWithReason(agreement, 'words and commands match what bash runs', reason);
} else {
  agreement('words and commands match what bash runs', () => {
    let compared = 0;
    let refused = 0;
    fc.assert(
      fc.property(lines, (line) => {
        const tree = parser.parse(line);
        const ours = printfs(tree);
        // The parser may refuse (unknown) what tree-sitter misreads.
        if (ours === 'unknown') refused++;
        if (typeof ours === 'string') return;
        const theirs = byCommand(bash(line));
        compared++;
        // A word of unknown value (a glob, a brace expansion) may become any number of words.
        const same = ours.length === theirs.length && ours.every((c, i) => c.includes(null) || JSON.stringify(c) === JSON.stringify(theirs[i]));
        assert.ok(same, `${JSON.stringify(line)}\n  parser: ${JSON.stringify(ours)}\n  bash:   ${JSON.stringify(theirs)}`);
      }),
      { numRuns: 250, seed: SEED },
    );
    process.stdout.write(`bash agreement: ${compared} lines compared with bash, ${refused} refused as unknown (seed ${SEED})\n`);
    assert.ok(compared > 100, 'most generated lines are understood');
  });
}
agreement.run();
