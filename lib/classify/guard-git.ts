import type { Word } from '../parse/types.js';
import { hasOption, literal, optionValues, scanArgs, shown } from './argv.js';
import { judgeWrite, type Finding, type PlacePatterns } from './guard-writes.js';
import { resolveWord } from './paths.js';

// bash-guard for git. Plain git stays on the host (see the git rules in
// policies/default.yaml): a clone does not carry .git/hooks or .git/config,
// so git runs no repository code by itself. What would change that is
// configuration: a hook path, an fsmonitor, a `!` alias, a filter driver …
// written into .git/config makes every later git command on the host run
// it. Those writes, and any write to ~/.gitconfig or /etc/gitconfig, are
// persistence. The same keys given once with `git -c`, and the options that
// name a program (`clone -u`, `difftool -x` …), make that one command run
// something: at least `build`.

const GIT_VALUED = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--config-env', '--super-prefix']);
const CONFIG_VALUED = new Set(['-f', '--file', '--blob', '--type', '--default', '--comment', '--value', '--url']);
/** Options of the subcommands below that take a value (`-o` is clone's origin and archive's output: a value either way). */
const SUB_VALUED = new Set([
  '-b', '-B', '--branch', '-o', '--origin', '--output', '--output-directory', '--depth', '-c', '--config', '--reference', '--reference-if-able',
  '--separate-git-dir', '--template', '-u', '--upload-pack', '-j', '--jobs', '--filter', '--shallow-since', '--shallow-exclude', '--bundle-uri',
  '--server-option', '--prefix', '--remote', '--exec', '--reason',
]);
const READS = ['--get', '--get-all', '--get-regexp', '--get-urlmatch', '--get-color', '--get-colorbool', '-l', '--list'];
const WRITES = ['--add', '--replace-all', '--unset', '--unset-all', '--rename-section', '--remove-section', '-e', '--edit'];
const NEW_READS = new Set(['get', 'list']);
const NEW_WRITES = new Set(['set', 'unset', 'rename-section', 'remove-section', 'edit']);

/** Configuration keys whose value git runs (or that pull in other configuration). Compared lower-cased. */
const CODE_KEYS =
  /^(core\.(hookspath|fsmonitor|sshcommand|pager|editor|askpass|gitproxy)|sequence\.editor|(diff|merge|filter)\..+\.(textconv|command|driver|clean|smudge|process)|credential\.(.+\.)?helper|gpg\.(.+\.)?program|include\.path|includeif\..+|pager\..+|(web|instaweb)\.browser|browser\..+\.(cmd|path)|man\..+\.(cmd|path)|uploadpack\.packobjectshook|remote\..+\.(uploadpack|receivepack|vcs)|protocol\..+\.allow|submodule\..+\.update)$/;

/** Options that name a program for git to run (locally, even for `--upload-pack` on a local clone). */
const PROGRAM_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  clone: ['-u', '--upload-pack', '--template'],
  fetch: ['--upload-pack'],
  pull: ['--upload-pack'],
  'ls-remote': ['--upload-pack'],
  push: ['--receive-pack', '--exec'],
  archive: ['--exec'],
  difftool: ['-x', '--extcmd'],
  grep: ['-O', '--open-files-in-pager'],
};

function runsProgram(why: string): Finding {
  return { rule: 'guard.git-runs-program', class: 'build', why };
}

/** `git -c core.pager=./x log`: one-off configuration that makes this git command run a program. */
function oneOffConfig(values: Word[]): Finding[] {
  return values.flatMap((w) => {
    const text = shown(w);
    const eq = text.indexOf('=');
    const key = (eq < 0 ? text : text.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? '' : text.slice(eq + 1);
    const bangAlias = key.startsWith('alias.') && value.startsWith('!');
    return w.value === null || CODE_KEYS.test(key) || bangAlias ? [runsProgram(`git -c ${text} makes git run what it names`)] : [];
  });
}

function persistence(why: string): Finding {
  return { rule: 'guard.persistence', class: 'dangerous', why };
}

function configFinding(args: readonly Word[], cwd: string | null, pp: PlacePatterns): Finding | null {
  const s = scanArgs(args, { valued: CONFIG_VALUED });
  const [first, second, third] = s.positionals;
  const sub = first?.value ?? null;
  let key: Word | undefined;
  let value: Word | undefined;
  if (sub !== null && NEW_READS.has(sub)) return null;
  if (sub !== null && NEW_WRITES.has(sub)) [key, value] = [second, third];
  else {
    if (hasOption(s, ...READS)) return null;
    if (!hasOption(s, ...WRITES) && s.positionals.length < 2) return null; // `git config KEY` reads
    [key, value] = [first, second];
  }
  const file = optionValues(s, '-f', '--file')[0];
  if (hasOption(s, '--global')) return persistence('changes ~/.gitconfig, which every git command on the host reads (aliases, hooks, pagers run code)');
  if (hasOption(s, '--system')) return persistence('changes the system git configuration, which every git command on the host reads');
  if (file) return judgeWrite(resolveWord(file, cwd, pp.places.home), 'modify', 'command', pp);
  const name = key ? shown(key).toLowerCase() : '';
  const isBangAlias = name.startsWith('alias.') && (value === undefined || value.value === null || value.value.startsWith('!'));
  if (key?.value === null || CODE_KEYS.test(name) || isBangAlias) {
    return persistence(`sets ${key ? shown(key) : 'a key'} in the repository's git configuration: later git commands on the host would run what it names`);
  }
  return null;
}

/** Findings for `git …`: configuration that runs code, and files git writes outside the workspace (clone, worktree, archive …). */
export function gitFindings(args: readonly Word[], cwd: string | null, pp: PlacePatterns): Finding[] {
  const g = scanArgs(args, { valued: GIT_VALUED, stopAtPositional: true });
  const dir = optionValues(g, '-C').at(-1);
  let here = cwd;
  if (dir) {
    const t = resolveWord(dir, cwd, pp.places.home);
    here = t.kind === 'path' ? t.abs : null;
  }
  const [sub, ...rest] = g.positionals;
  const out = oneOffConfig(optionValues(g, '-c'));
  if (sub?.value === 'config') {
    const f = configFinding(rest, here, pp);
    return f ? [...out, f] : out;
  }
  const s = scanArgs(rest, { valued: new Set([...SUB_VALUED, ...(PROGRAM_OPTIONS[sub?.value ?? ''] ?? [])]) });
  for (const o of s.options) {
    if (PROGRAM_OPTIONS[sub?.value ?? '']?.includes(o.name)) out.push(runsProgram(`git ${sub!.value} ${o.name} makes git run ${o.value ? shown(o.value) : 'a program'}`));
  }
  const pos = s.positionals;
  // Without a directory argument a clone or init lands in the current directory.
  const targets: Word[] = optionValues(s, '--output');
  if (sub?.value === 'clone') targets.push(pos[1] ?? literal('.'));
  if (sub?.value === 'init') targets.push(pos[0] ?? literal('.'));
  if (sub?.value === 'worktree' && pos[0]?.value === 'add' && pos[1]) targets.push(pos[1]);
  if (sub?.value === 'bundle' && pos[0]?.value === 'create' && pos[1]) targets.push(pos[1]);
  if (sub?.value === 'archive') targets.push(...optionValues(s, '-o'));
  if (sub?.value === 'format-patch') targets.push(...optionValues(s, '-o', '--output-directory'));
  return [...out, ...targets.flatMap((w) => judgeWrite(resolveWord(w, here, pp.places.home), 'modify', 'command', pp) ?? [])];
}
