import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removePrivateDir } from '../../lib/sandbox/private-dir.js';

// A run's private directory (staging, the proxy's socket) goes away whatever
// it holds: the names it should hold, fewer, more, or nothing at all.

const cases: { what: string; files: string[]; dirs?: string[]; names: string[] }[] = [
  { what: 'exactly the named file', files: ['empty'], names: ['empty'] },
  { what: 'the named file never made (a proxy that never listened)', files: [], names: ['proxy.sock'] },
  { what: 'something else besides', files: ['empty', 'stray'], dirs: ['sub'], names: ['empty'] },
  { what: 'a named entry that is a directory', files: [], dirs: ['empty'], names: ['empty'] },
];

for (const c of cases) {
  test(`removes the directory: ${c.what}`, () => {
    const base = mkdtempSync(join(tmpdir(), 'sbsh-private-dir-'));
    const dir = join(base, 'run');
    try {
      mkdirSync(dir);
      for (const d of c.dirs ?? []) {
        mkdirSync(join(dir, d));
        writeFileSync(join(dir, d, 'inner'), 'x');
      }
      for (const f of c.files) writeFileSync(join(dir, f), '');
      removePrivateDir(dir, c.names);
      assert.not.ok(existsSync(dir));
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
}

test('a directory already gone is not an error', () => {
  removePrivateDir(join(tmpdir(), `sbsh-private-dir-missing-${process.pid}`), ['empty']);
});

test.run();
