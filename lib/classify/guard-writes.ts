import { posix } from 'node:path';
import type { Redirect, Word } from '../parse/types.js';
import type { Reason } from './types.js';
import { hasOption, literal, optionValues, scanArgs, type Scanned } from './argv.js';
import { compilePathPattern, isAtOrBelow, isInside, matchesPattern, type PathPattern, type Places, type Target } from './paths.js';
import type { GuardLists } from './rules.js';
import type { LinkResolver } from './host.js';

// bash-guard: where a command writes. The table below knows, for the tools
// people run on the host, which arguments are files they create, change or
// delete; every such target must stay inside the workspace, off persistence
// paths (rc files, git hooks …) and off devices. Commands not in the table
// are not host-safe by any built-in rule (interactive programs aside:
// editors and pagers write where the user tells them), so they run
// sandboxed, where writes outside the workspace fail anyway: the table only
// has to be complete for what may run on the host.

export type Mode = 'modify' | 'delete';

export interface WriteTarget {
  /** null: the command writes somewhere only a file it reads decides (`curl -K config`). */
  word: Word | null;
  mode: Mode;
}

export type Finding = Omit<Reason, 'command'>;

interface Writer {
  valued?: string[];
  targets(s: Scanned): WriteTarget[];
}

const each = (words: readonly Word[], mode: Mode): WriteTarget[] => words.map((word) => ({ word, mode }));
const CWD = literal('.');

/** `cp a b dest`, `cp -t dest a b`: the destination; mv also deletes its sources. */
function copyLike(sourceMode: Mode | null) {
  return (s: Scanned): WriteTarget[] => {
    const dir = optionValues(s, '-t', '--target-directory');
    const pos = s.positionals;
    if (dir.length) return [...each(dir, 'modify'), ...(sourceMode ? each(pos, sourceMode) : [])];
    if (pos.length < 2) return [];
    return [...(sourceMode ? each(pos.slice(0, -1), sourceMode) : []), { word: pos[pos.length - 1]!, mode: 'modify' }];
  };
}

/** chmod/chown/chgrp: the first positional is the mode or owner unless --reference names one. */
function afterFirst(modeAsOption: RegExp | null) {
  return (s: Scanned): WriteTarget[] => {
    const modeGiven = hasOption(s, '--reference') || (modeAsOption !== null && s.options.some((o) => modeAsOption.test(o.name)));
    return each(modeGiven ? s.positionals : s.positionals.slice(1), 'modify');
  };
}

const allPositionals = (mode: Mode) => (s: Scanned) => each(s.positionals, mode);
const named = (...options: string[]) => (s: Scanned) => each(optionValues(s, ...options), 'modify');
/** `uniq IN OUT`, `xxd -r IN OUT`: the second positional is the output file. */
const secondPositional = (s: Scanned) => each(s.positionals.slice(1, 2), 'modify');
const unlessStdout = (s: Scanned) => (hasOption(s, '-c', '--stdout', '--to-stdout', '-l', '--list', '-t', '--test') ? [] : each(s.positionals, 'modify'));

function isRemote(w: Word): boolean {
  return w.value !== null && /^([\w.-]+@)?[\w.-]+:|^[a-z]+:\/\//.test(w.value);
}

/** rsync/scp: the last argument, unless it is on another host. */
function localDestination(s: Scanned): WriteTarget[] {
  const last = s.positionals[s.positionals.length - 1];
  return s.positionals.length >= 2 && last && !isRemote(last) ? [{ word: last, mode: 'modify' }] : [];
}

const WRITERS: Record<string, Writer> = {
  rm: { targets: allPositionals('delete') },
  rmdir: { targets: allPositionals('delete') },
  unlink: { targets: allPositionals('delete') },
  shred: { valued: ['-n', '-s', '--iterations', '--size', '--random-source'], targets: allPositionals('delete') },
  touch: { valued: ['-r', '-d', '-t', '--reference', '--date'], targets: allPositionals('modify') },
  mkdir: { valued: ['-m', '--mode', '--context'], targets: allPositionals('modify') },
  mkfifo: { valued: ['-m', '--mode'], targets: allPositionals('modify') },
  truncate: { valued: ['-s', '-r', '--size', '--reference'], targets: allPositionals('modify') },
  tee: { targets: allPositionals('modify') },
  cp: { valued: ['-t', '--target-directory', '-S', '--suffix'], targets: copyLike(null) },
  mv: { valued: ['-t', '--target-directory', '-S', '--suffix'], targets: copyLike('delete') },
  install: {
    valued: ['-m', '-o', '-g', '-t', '-S', '--mode', '--owner', '--group', '--target-directory', '--suffix'],
    targets: (s) => (hasOption(s, '-d', '--directory') ? each(s.positionals, 'modify') : copyLike(null)(s)),
  },
  ln: {
    valued: ['-t', '--target-directory', '-S', '--suffix'],
    // With one argument the link is made in the current directory.
    targets: (s) => (s.positionals.length === 1 && !hasOption(s, '-t', '--target-directory') ? [{ word: CWD, mode: 'modify' }] : copyLike(null)(s)),
  },
  chmod: { targets: afterFirst(/^-[rwxXst]+$/) },
  chown: { targets: afterFirst(null) },
  chgrp: { targets: afterFirst(null) },
  sed: {
    valued: ['-e', '-f', '-l', '--expression', '--file', '--line-length'],
    targets: (s) => {
      if (!hasOption(s, '-i', '--in-place')) return [];
      const scriptGiven = hasOption(s, '-e', '-f', '--expression', '--file');
      return each(scriptGiven ? s.positionals : s.positionals.slice(1), 'modify');
    },
  },
  sort: {
    valued: ['-k', '-t', '-o', '-S', '-T', '--key', '--field-separator', '--output', '--buffer-size', '--temporary-directory'],
    targets: (s) => each(optionValues(s, '-o', '--output'), 'modify'),
  },
  dd: {
    targets: (s) =>
      s.positionals
        .filter((w) => (w.value ?? w.raw).startsWith('of='))
        .map((w) => ({ word: { raw: w.raw.slice(3), value: w.value === null ? null : w.value.slice(3), substitutions: w.substitutions }, mode: 'modify' as const })),
  },
  curl: {
    valued: [
      '-o', '--output', '--output-dir', '-D', '--dump-header', '-c', '--cookie-jar', '--trace', '--trace-ascii', '--stderr', '--libcurl',
      '-H', '--header', '-d', '--data', '--data-raw', '--data-binary', '--data-urlencode', '-X', '--request', '-u', '--user', '-A', '--user-agent',
      '-e', '--referer', '-b', '--cookie', '-T', '--upload-file', '-x', '--proxy', '-w', '--write-out', '-F', '--form', '-m', '--max-time',
      '-r', '--range', '-C', '--continue-at', '-E', '--cert', '--key', '--cacert', '-K', '--config', '-U', '--proxy-user', '-z', '--time-cond',
      '--connect-timeout', '--retry', '--resolve', '--url',
    ],
    targets: (s) => [
      ...each(optionValues(s, '-o', '--output', '--output-dir', '-D', '--dump-header', '-c', '--cookie-jar', '--trace', '--trace-ascii', '--stderr', '--libcurl'), 'modify'),
      ...(hasOption(s, '-O', '--remote-name', '--remote-name-all') ? [{ word: CWD, mode: 'modify' as const }] : []),
      ...(hasOption(s, '-K', '--config') ? [{ word: null, mode: 'modify' as const }] : []),
    ],
  },
  wget: {
    valued: ['-O', '--output-document', '-P', '--directory-prefix', '-o', '--output-file', '-a', '--append-output', '-U', '--user-agent', '--header', '-e', '--execute', '--config', '-t', '--tries', '-T', '--timeout', '-i', '--input-file'],
    targets: (s) => {
      const files = optionValues(s, '-O', '--output-document', '-P', '--directory-prefix', '-o', '--output-file', '-a', '--append-output');
      return [
        ...each(files, 'modify'),
        ...(hasOption(s, '-O', '--output-document', '-P', '--directory-prefix') ? [] : [{ word: CWD, mode: 'modify' as const }]),
        // `-e output_document=…` and a config file can send the download anywhere.
        ...(hasOption(s, '-e', '--execute', '--config') ? [{ word: null, mode: 'modify' as const }] : []),
      ];
    },
  },
  tar: {
    valued: ['-f', '--file', '-C', '--directory', '-T', '--files-from', '-X', '--exclude-from', '-b', '--blocking-factor', '-g', '--listed-incremental', '-I', '--use-compress-program', '-H', '--format', '-V', '--label', '-N', '--newer'],
    targets: (s) => {
      const extract = hasOption(s, '-x', '--extract', '--get');
      const create = hasOption(s, '-c', '--create', '-r', '--append', '-u', '--update', '-A', '--catenate', '--delete');
      const dirs = optionValues(s, '-C', '--directory');
      return [
        ...(extract ? (dirs.length ? each(dirs, 'modify') : [{ word: CWD, mode: 'modify' as const }]) : []),
        ...(create ? each(optionValues(s, '-f', '--file'), 'modify') : []),
      ];
    },
  },
  unzip: {
    valued: ['-d'],
    targets: (s) => (hasOption(s, '-l', '-t', '-p', '-v', '-Z') ? [] : optionValues(s, '-d').length ? each(optionValues(s, '-d'), 'modify') : [{ word: CWD, mode: 'modify' }]),
  },
  zip: { valued: ['-b', '-n', '-t', '-tt'], targets: (s) => each(s.positionals.slice(0, 1), 'modify') },
  gzip: { valued: ['-S', '--suffix'], targets: unlessStdout },
  gunzip: { valued: ['-S', '--suffix'], targets: unlessStdout },
  bzip2: { targets: unlessStdout },
  bunzip2: { targets: unlessStdout },
  xz: { valued: ['-T', '--threads', '-F', '--format'], targets: unlessStdout },
  unxz: { targets: unlessStdout },
  zstd: { valued: ['-o', '-T', '-D'], targets: (s) => [...unlessStdout(s), ...each(optionValues(s, '-o'), 'modify')] },
  rsync: {
    valued: ['-e', '--rsh', '-f', '--filter', '-T', '--temp-dir', '--log-file', '--exclude-from', '--include-from', '--files-from', '--partial-dir', '--backup-dir'],
    targets: localDestination,
  },
  scp: { valued: ['-P', '-i', '-o', '-F', '-S', '-l', '-c', '-J'], targets: localDestination },
  uniq: { valued: ['-f', '-s', '-w', '--skip-fields', '--skip-chars', '--check-chars'], targets: secondPositional },
  xxd: { valued: ['-c', '-g', '-l', '-o', '-s', '-n'], targets: (s) => (hasOption(s, '-r', '-revert') ? secondPositional(s) : []) },
  iconv: { valued: ['-f', '-t', '-o', '--from-code', '--to-code', '--output'], targets: named('-o', '--output') },
  shuf: { valued: ['-n', '-o', '-i', '--head-count', '--output', '--input-range', '--random-source'], targets: named('-o', '--output') },
  tree: { valued: ['-o', '-L', '-P', '-I', '--filelimit', '--charset'], targets: named('-o') },
  less: { valued: ['-o', '-O', '--log-file', '--LOG-FILE', '-b', '-h', '-j', '-p', '-P', '-t', '-T', '-x', '-y', '-z'], targets: named('-o', '-O', '--log-file', '--LOG-FILE') },
  yq: { targets: (s) => (hasOption(s, '-i', '--inplace') ? each(s.positionals.slice(1), 'modify') : []) },
  history: { targets: (s) => (hasOption(s, '-w', '-a') ? each(s.positionals, 'modify') : []) },
  // `cargo new PATH`, `cargo init [PATH]` create the crate there.
  cargo: {
    valued: ['--manifest-path', '-Z', '--config', '--color', '-C', '--name', '--vcs', '--edition', '--registry'],
    targets: (s) => {
      const [sub, path] = s.positionals;
      return sub?.value === 'new' || sub?.value === 'init' ? [{ word: path ?? CWD, mode: 'modify' }] : [];
    },
  },
};

// `tar xzf a.tgz`: a first argument without a dash is a cluster of options.
function normaliseTar(args: readonly Word[]): readonly Word[] {
  const first = args[0];
  if (first?.value && !first.value.startsWith('-')) return [literal(`-${first.value}`), ...args.slice(1)];
  return args;
}

/** The files a command writes or deletes; null when sbsh does not know it as a writer. */
export function writeTargets(name: string, args: readonly Word[]): WriteTarget[] | null {
  const w = WRITERS[name];
  if (!w) return null;
  const a = name === 'tar' ? normaliseTar(args) : args;
  return w.targets(scanArgs(a, { valued: new Set(w.valued ?? []) }));
}

const WRITE_REDIRECTS = new Set(['>', '>>', '&>', '&>>', '>|', '<>', '>&']);

/** The file a redirect writes to, or null for reads, heredocs and fd duplication (`2>&1`, `>&-`). */
export function redirectTarget(r: Redirect): Word | null {
  if (!WRITE_REDIRECTS.has(r.op)) return null;
  if (r.op === '>&' && r.target.value !== null && /^(\d+-?|-)$/.test(r.target.value)) return null;
  // `> >(tee log)` writes into a process substitution, classified as a command of its own.
  if (/^[<>]\(/.test(r.target.raw)) return null;
  return r.target;
}

export interface PlacePatterns {
  places: Places;
  harmless: PathPattern[];
  persistence: PathPattern[];
  binDirs: PathPattern[];
  /** Where a path leads once symbolic links are followed (./host.ts). */
  real: LinkResolver;
}

export function compilePlaces(lists: GuardLists, places: Places): Omit<PlacePatterns, 'real'> {
  const compile = (entries: string[]) => entries.map((e) => compilePathPattern(e, places));
  return { places, harmless: compile(lists.harmless_targets), persistence: compile(lists.persistence_paths), binDirs: compile(lists.bin_dirs) };
}

export type WriteKind = 'redirect' | 'command';

function show(t: { abs: string; below: boolean }): string {
  return t.below ? `files under ${t.abs}` : t.abs;
}

/**
 * Where a write lands. Deleting `x` removes the link itself, so only its
 * directory is followed; writing to it, or to anything below a directory,
 * goes wherever the links lead.
 */
export function followLinks(t: { abs: string; below: boolean }, mode: Mode, real: LinkResolver): { abs: string; below: boolean } {
  if (mode === 'modify' || t.below || t.abs === '/') return { abs: real(t.abs), below: t.below };
  return { abs: posix.join(real(posix.dirname(t.abs)), posix.basename(t.abs)), below: false };
}

/** The finding for one write, or null when it is fine. */
export function judgeWrite(t: Target, mode: Mode, kind: WriteKind, pp: PlacePatterns): Finding | null {
  const verb = kind === 'redirect' ? 'redirects output to' : mode === 'delete' ? 'deletes' : 'writes';
  if (t.kind === 'dynamic') {
    return {
      rule: 'guard.dynamic-write-target',
      class: 'unknown',
      why: `${verb} ${t.text}, a path known only at run time, so sbsh cannot tell whether it stays in the workspace; it runs sandboxed`,
    };
  }
  if (!t.below && pp.harmless.some((p) => matchesPattern(p, t))) return null;
  const at = followLinks(t, mode, pp.real);
  if (isAtOrBelow(at.abs, '/dev') && !at.below) {
    return { rule: 'guard.device-write', class: 'dangerous', why: `${verb} the device ${at.abs}, which can destroy a disk or the system` };
  }
  // Both names count: git runs .git/hooks/x even when .git/hooks is a link elsewhere.
  const hit = mode === 'modify' && pp.persistence.find((p) => matchesPattern(p, t) || matchesPattern(p, at));
  if (hit) {
    return { rule: 'guard.persistence', class: 'dangerous', why: `${verb} ${show(at)}, a persistence location (${hit.entry}): code placed there runs later on the host` };
  }
  if (isInside(at, pp.places)) return null;
  const rule = kind === 'redirect' ? 'guard.redirect-outside-workspace' : mode === 'delete' ? 'guard.delete-outside-workspace' : 'guard.write-outside-workspace';
  const via = at.abs === t.abs ? '' : ` (through a symbolic link: ${show(t)})`;
  return { rule, class: 'dangerous', why: `${verb} ${show(at)}${via}, outside the workspace ${pp.places.workspace}` };
}

/** The location of a command word that is a path (`./x`, `/usr/bin/npm`); bare names are looked up in PATH. */
export function commandLocation(path: string, cwd: string | null, pp: PlacePatterns): 'bare' | 'system' | 'workspace' | 'elsewhere' {
  if (!path.includes('/')) return 'bare';
  const abs = path.startsWith('~/') ? posix.join(pp.places.home, path.slice(2)) : path.startsWith('/') ? posix.resolve(path) : cwd === null ? null : posix.resolve(cwd, path);
  // With the cwd unknown a relative path may well be the repository's.
  if (abs === null || isAtOrBelow(abs, pp.places.workspace)) return 'workspace';
  const dir = { abs: posix.dirname(abs), below: false };
  return pp.binDirs.some((p) => matchesPattern(p, dir)) ? 'system' : 'elsewhere';
}
