import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hostLinkResolver, hostPathLookup } from '../../lib/classify/host.js';
import type { ClassifyContext } from '../../lib/classify/index.js';
import { DEFAULT_CONFIG, classifyLine } from './harness.js';

// The host's answers to "where does this path lead" and "which file does
// this name run", on a temporary directory of real files and links: a
// repository can ship links that point out of the checkout, and put its own
// programs on PATH (an activated virtualenv).

const root = mkdtempSync(join(tmpdir(), 'sbsh-links-'));
const ws = join(root, 'ws');
const home = join(root, 'home');
mkdirSync(join(ws, 'sub'), { recursive: true });
mkdirSync(join(ws, 'hooks-dir'), { recursive: true });
mkdirSync(join(ws, '.git'), { recursive: true });
mkdirSync(home, { recursive: true });
mkdirSync(join(root, 'elsewhere'));
writeFileSync(join(ws, 'a'), '');
symlinkSync(home, join(ws, 'dist')); // absolute link to home
symlinkSync(join(home, '.bashrc'), join(ws, 'notes.txt')); // dangling: writing creates ~/.bashrc
symlinkSync('../elsewhere', join(ws, 'out')); // relative link out of the workspace
symlinkSync('sub', join(ws, 'inner')); // a link that stays inside
symlinkSync('../hooks-dir', join(ws, '.git', 'hooks'));
symlinkSync('loop', join(ws, 'loop'));
symlinkSync(ws, join(root, 'wslink'));
mkdirSync(join(ws, '.venv', 'bin'), { recursive: true });
writeFileSync(join(ws, '.venv', 'bin', 'pip'), '#!/bin/sh\n');
chmodSync(join(ws, '.venv', 'bin', 'pip'), 0o755);
writeFileSync(join(ws, '.venv', 'bin', 'notes'), ''); // not executable: PATH skips it

const real = hostLinkResolver();
const ctx: ClassifyContext = { workspace: ws, cwd: ws, home, resolveLinks: real };

function verdict(line: string, c: ClassifyContext = ctx): string {
  const r = classifyLine(line, DEFAULT_CONFIG, c);
  return `${r.class} ${r.reasons[0]?.rule}`;
}

test('hostLinkResolver follows absolute, relative and dangling links, keeps missing parts', () => {
  assert.is(real(join(ws, 'dist', 'x', 'y')), join(home, 'x', 'y'));
  assert.is(real(join(ws, 'notes.txt')), join(home, '.bashrc'));
  assert.is(real(join(ws, 'out', 'f')), join(root, 'elsewhere', 'f'));
  assert.is(real(join(ws, 'inner', 'f')), join(ws, 'sub', 'f'));
  assert.is(real(join(ws, 'missing', 'deeper')), join(ws, 'missing', 'deeper'));
  assert.is(real(join(root, 'wslink', 'a')), join(ws, 'a'));
  assert.type(real(join(ws, 'loop', 'x')), 'string'); // a loop ends instead of hanging
});

test('writes through links that leave the workspace are findings', () => {
  const table: Array<[string, string]> = [
    ['rm -rf dist/*', 'dangerous guard.delete-outside-workspace'],
    ['cp a dist/', 'dangerous guard.write-outside-workspace'],
    ['echo x >> notes.txt', 'dangerous guard.persistence'],
    ['cp a out/', 'dangerous guard.write-outside-workspace'],
    ['cd out && touch f', 'dangerous guard.write-outside-workspace'],
    ['cp hook .git/hooks/pre-commit', 'dangerous guard.persistence'],
    // links that stay inside, and removing a link itself, are fine
    ['rm -rf dist', 'host-safe file-tool'],
    ['rm notes.txt', 'host-safe file-tool'],
    ['cp a inner/', 'host-safe file-tool'],
    ['echo x > sub/f', 'host-safe shell-builtin'],
    ['touch loop/x', 'host-safe file-tool'],
  ];
  for (const [line, want] of table) assert.is(verdict(line), want, line);
  assert.match(classifyLine('cp a dist/', DEFAULT_CONFIG, ctx).reasons[0]!.why, /through a symbolic link/);
});

test('a workspace reached through a link is still the workspace', () => {
  const viaLink: ClassifyContext = { ...ctx, workspace: join(root, 'wslink'), cwd: join(root, 'wslink') };
  assert.is(verdict('touch x', viaLink), 'host-safe file-tool');
  assert.is(verdict(`touch ${join(ws, 'y')}`, viaLink), 'host-safe file-tool');
  assert.is(verdict('rm -rf dist/*', viaLink), 'dangerous guard.delete-outside-workspace');
});

test('links created earlier on the same line are followed too', () => {
  const plain: ClassifyContext = { workspace: ws, cwd: ws, home };
  assert.is(verdict('ln -s ~/.bashrc n; echo x >> n', plain), 'dangerous guard.persistence');
  assert.is(verdict('ln -s /etc e && cp a e/passwd', plain), 'dangerous guard.persistence');
  assert.is(verdict('ln /etc/passwd p; echo >> p', plain), 'dangerous guard.persistence');
  assert.is(verdict('ln -s ../.. up; rm -rf up/*', plain), 'dangerous guard.delete-outside-workspace');
  assert.is(verdict('ln -s ~/.bashrc n', plain), 'host-safe file-tool'); // the link alone writes nothing there
  assert.is(verdict('ln -s sub s2; echo x > s2/f', plain), 'host-safe file-tool');
});

test('a bare name PATH finds inside the workspace runs the repository\'s file', () => {
  const lookPath = hostPathLookup(`${join(ws, '.venv', 'bin')}:/usr/bin:/bin`, ws);
  assert.is(lookPath('pip'), join(ws, '.venv', 'bin', 'pip'));
  assert.is(lookPath('notes'), null);
  const venv: ClassifyContext = { ...ctx, lookPath };
  assert.is(verdict('pip list', venv), 'build repository-executable');
  assert.is(verdict('pip list', ctx), 'host-safe pip-query');
  assert.is(verdict('ls', venv), 'host-safe read-only-tool');
  // Builtins and functions defined on the line come before PATH.
  const everywhere: ClassifyContext = { ...ctx, lookPath: (name) => join(ws, 'bin', name) };
  assert.is(verdict('echo hi', everywhere), 'host-safe shell-builtin');
  assert.is(verdict('ls', everywhere), 'build repository-executable');
  assert.is(verdict('ls() { echo; }; ls', everywhere), 'host-safe shell-builtin');
  // An empty PATH entry is the current directory.
  assert.is(hostPathLookup(':/usr/bin', join(ws, '.venv', 'bin'))('pip'), join(ws, '.venv', 'bin', 'pip'));
});

test('without a resolver, paths are judged as written', () => {
  assert.is(verdict('rm -rf dist/*', { workspace: ws, cwd: ws, home }), 'host-safe file-tool');
});

test.after(() => rmSync(root, { recursive: true, force: true }));

test.run();
