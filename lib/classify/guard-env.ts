import type { CommandNode, Word } from '../parse/types.js';
import { matchesAnyName } from '../policy/globs.js';
import { shown } from './argv.js';
import type { Finding, PlacePatterns } from './guard-writes.js';
import { isInside, resolveWord } from './paths.js';
import type { GuardLists } from './rules.js';

// bash-guard: environment variables that make ordinary programs load code
// (`LD_PRELOAD=./x.so ls`, `NODE_OPTIONS=--require ./hook.js`,
// `PATH=./bin:$PATH ls`, which runs the repository's `ls`). Such a line runs
// the repository's code however harmless its commands look, so it is at
// least `build`. PATH only counts when an entry is relative or inside the
// workspace: `PATH=$HOME/bin:$PATH` is the user's own business.

const DECLARERS = new Set(['export', 'declare', 'typeset', 'local', 'readonly', 'env']);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\+?=/;

interface Setting {
  name: string;
  value: Word;
}

function settings(c: CommandNode): Setting[] {
  const out: Setting[] = c.assignments.map((a) => ({ name: a.name, value: a.value }));
  if (c.name !== null && DECLARERS.has(c.name)) {
    for (const w of c.argv.slice(1)) {
      const m = ASSIGNMENT.exec(shown(w));
      if (!m) continue;
      const cut = m[0].length;
      out.push({ name: m[1]!, value: { raw: w.raw.slice(w.raw.indexOf('=') + 1), value: w.value === null ? null : w.value.slice(cut), substitutions: w.substitutions } });
    }
  }
  return out;
}

function pathEntryIsRepository(entry: Word, cwd: string | null, pp: PlacePatterns): boolean {
  if (/^\$\{?PATH\}?$/.test(entry.raw.replace(/"/g, ''))) return false;
  // An empty entry means the current directory.
  const t = resolveWord(entry.value === '' ? { ...entry, value: '.' } : entry, cwd, pp.places.home);
  return t.kind === 'dynamic' || isInside(t, pp.places);
}

function loadsCode(s: Setting, cwd: string | null, pp: PlacePatterns): boolean {
  if (s.name !== 'PATH') return true;
  const text = shown(s.value);
  return text.split(':').some((e) => pathEntryIsRepository({ raw: e, value: s.value.value === null ? null : e, substitutions: s.value.substitutions }, cwd, pp));
}

export function envFindings(c: CommandNode, cwd: string | null, pp: PlacePatterns, lists: GuardLists): Finding[] {
  return settings(c)
    .filter((s) => matchesAnyName(lists.code_loading_env, s.name) && loadsCode(s, cwd, pp))
    .map((s) => ({
      rule: 'guard.env-loads-code',
      class: 'build' as const,
      why: `sets ${s.name}=${shown(s.value)}, which makes the programs started with it load or run that code`,
    }));
}
