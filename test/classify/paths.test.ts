import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Word } from '../../lib/parse/types.js';
import { compilePathPattern, isInside, matchesPattern, resolveWord, type Target } from '../../lib/classify/paths.js';
import { literal, scanArgs, shown } from '../../lib/classify/argv.js';

// Pure helpers: where a word points, and how arguments split into options
// and positionals. Words are built by hand here (raw as typed, value after
// quote removal, null when only known at run time), exactly as lib/parse
// produces them.

const HOME = '/home/u';
const WS = '/work/ws';
const places = { workspace: WS, home: HOME };

const lit = (raw: string, value = raw): Word => ({ raw, value, substitutions: [] });
const dyn = (raw: string): Word => ({ raw, value: null, substitutions: [] });

function show(t: Target): string {
  return t.kind === 'dynamic' ? `dynamic ${t.text}` : `${t.abs}${t.below ? '/…' : ''}`;
}

test('resolveWord: literal, tilde, $HOME/$PWD forms, globs, and what stays unknowable', () => {
  const table: Array<[Word, string | null, string]> = [
    [lit('notes.txt'), WS, '/work/ws/notes.txt'],
    [lit('../x'), WS, '/work/x'],
    [lit('a/../../..'), WS, '/'],
    [lit('/etc/./passwd'), WS, '/etc/passwd'],
    [lit('~'), WS, '/home/u'],
    [lit('~/.bashrc'), WS, '/home/u/.bashrc'],
    [lit("'~/x'", '~/x'), WS, '/work/ws/~/x'], // quoted: a directory named ~
    [lit('~root/.bashrc'), WS, 'dynamic ~root/.bashrc'],
    [dyn('$HOME/.bashrc'), WS, '/home/u/.bashrc'],
    [dyn('"$HOME"/.ssh/x'), WS, '/home/u/.ssh/x'],
    [dyn('${HOME}'), WS, '/home/u'],
    [dyn('$PWD/out'), '/work/ws/sub', '/work/ws/sub/out'],
    [dyn('"$(pwd)"/out'), WS, '/work/ws/out'],
    [dyn('*.o'), WS, '/work/ws/…'],
    [dyn('src/*.o'), WS, '/work/ws/src/…'],
    [dyn('../*'), WS, '/work/…'],
    [dyn('~/.*'), WS, '/home/u/…'],
    [dyn('/etc/cron.d/*'), WS, '/etc/cron.d/…'],
    [dyn('*/../../x'), WS, 'dynamic */../../x'], // a `..` after a glob could climb anywhere
    [dyn('"$HOME/*"'), WS, 'dynamic "$HOME/*"'], // a quoted * is literal: not a glob we can place
    [dyn('$OUT'), WS, 'dynamic $OUT'],
    [dyn('~/$Y'), WS, 'dynamic ~/$Y'],
    [lit('x'), null, 'dynamic x'], // cwd unknowable
    [lit('/abs'), null, '/abs'],
  ];
  for (const [w, cwd, want] of table) assert.is(show(resolveWord(w, cwd, HOME)), want, w.raw);
});

test('isInside: below the workspace, never the root, home or their ancestors', () => {
  const at = (abs: string, below = false) => ({ abs, below });
  assert.ok(isInside(at('/work/ws'), places));
  assert.ok(isInside(at('/work/ws/a/b'), places));
  assert.ok(isInside(at('/work/ws', true), places));
  assert.not.ok(isInside(at('/work/ws2'), places));
  assert.not.ok(isInside(at('/work'), places));
  assert.not.ok(isInside(at('/work', true), places));
  // sbsh started in ~ or /: the workspace holds everything, yet `rm -rf ~` and `rm -rf /` stay outside.
  assert.not.ok(isInside(at('/home/u'), { workspace: '/home/u', home: HOME }));
  assert.not.ok(isInside(at('/'), { workspace: '/', home: HOME }));
  assert.not.ok(isInside(at('/home'), { workspace: '/', home: HOME }));
  assert.ok(isInside(at('/home/u/proj'), { workspace: '/home/u', home: HOME }));
});

test('path patterns name a path and everything below it, globs allowed', () => {
  const cases: Array<[string, string, boolean, boolean]> = [
    // pattern, path, below, matches
    ['~/.bashrc', '/home/u/.bashrc', false, true],
    ['~/.bashrc', '/home/u/.bashrc.bak', false, false],
    ['~/.ssh', '/home/u/.ssh/authorized_keys', false, true],
    ['~/.ssh', '/home/u/.sshx', false, false],
    ['.git/hooks', '/work/ws/.git/hooks/pre-commit', false, true],
    ['.git/hooks', '/work/ws/sub/.git/hooks/x', false, false],
    ['.git/modules/**/hooks', '/work/ws/.git/modules/a/b/hooks/post-checkout', false, true],
    ['/etc/cron.d', '/etc/cron.d/job', false, true],
    ['/dev/fd', '/dev/fd/3', false, true],
    ['/dev/null', '/dev/nullx', false, false],
    ['/etc/cron.*', '/etc/cron.daily/job', false, true],
    ['/etc/cron.*', '/etc/crontab', false, false],
    ['*.pem', '/work/ws/server.pem', false, true],
    ['*.pem', '/work/ws/sub/server.pem', false, false],
    // A glob target (files below a directory) matches when a pattern could lie below it.
    ['.git/hooks', '/work/ws/.git', true, true],
    ['~/.bashrc', '/home/u', true, true],
    ['~/.bashrc', '/home/u/proj', true, false],
  ];
  for (const [pattern, abs, below, want] of cases) {
    assert.is(matchesPattern(compilePathPattern(pattern, places), { abs, below }), want, `${pattern} ~ ${abs}${below ? '/…' : ''}`);
  }
});

test('scanArgs: clusters, attached and separate values, --, dynamic option words', () => {
  const words = (...raws: string[]) => raws.map((r) => (r.includes('$') ? dyn(r) : lit(r)));
  const summary = (args: Word[], valued: string[], plus = false) => {
    const s = scanArgs(args, { valued: new Set(valued), plus });
    return `${s.options.map((o) => `${o.name}${o.value ? `=${shown(o.value)}` : ''}`).join(' ')} | ${s.positionals.map(shown).join(' ')}`;
  };
  assert.is(summary(words('-fsSLo', 'out', 'url'), ['-o']), '-f -s -S -L -o=out | url');
  assert.is(summary(words('-oout', 'url'), ['-o']), '-o=out | url');
  assert.is(summary(words('--output=/etc/x', 'url'), ['--output']), '--output=/etc/x | url');
  assert.is(summary(words('--output', '/etc/x'), ['--output']), '--output=/etc/x | ');
  assert.is(summary(words('-o$OUT', 'url'), ['-o']), '-o=$OUT | url');
  assert.is(summary(words('a', '--', '-b', 'c'), []), ' | a -b c');
  assert.is(summary(words('+nightly', 'build'), [], true), '+nightly | build');
  assert.is(summary(words('+x', 'f'), []), ' | +x f');
  assert.is(summary(words('-', 'x'), []), ' | - x');
  const stop = scanArgs(words('-u', 'x', 'cmd', '-v'), { valued: new Set(['-u']), stopAtPositional: true });
  assert.is(stop.positionals.map(shown).join(' '), 'cmd -v');
  assert.is(shown(literal('z')), 'z');
});

test.run();
