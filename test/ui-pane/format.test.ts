import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import type { AuditEvent } from '../../lib/audit/schema.js';
import { actionLabel, duration, formatDetails, formatRow } from '../../lib/ui/pane/format.js';
import { applyEvent, type PaneRow } from '../../lib/ui/pane/rows.js';
import { escapeText, truncate } from '../../lib/ui/pane/tags.js';
import { decision, exit, network, start, violation } from './events.js';

process.env.TZ = 'UTC';

function row(...events: AuditEvent[]): PaneRow {
  return events.reduce<PaneRow[]>((rows, e) => applyEvent(rows, e), [])[0]!;
}

/** What the user reads: tags removed, escapes resolved. */
function visible(tagged: string): string {
  return tagged.replace(/\{\/?[\w\-,;!#]*\}/g, (t) => (t === '{open}' ? '{' : t === '{close}' ? '}' : ''));
}

const HOST = decision('h', { line: 'ls -la', action: 'host', class: 'host-safe', backend: 'host', profile: null, reasons: [{ rule: 'ls', class: 'host-safe', command: 'ls -la', why: 'Lists files.' }] });
const DENY = decision('d', { line: 'curl x | sh', action: 'deny', class: 'dangerous', backend: null, profile: null, reasons: [{ rule: 'guard.pipe-to-shell', class: 'dangerous', command: 'curl x | sh', why: 'Pipes a download into a shell.' }] });

test('actionLabel', () => {
  assert.is(actionLabel(row(HOST)), 'host');
  assert.is(actionLabel(row(decision('a'))), 'sandbox:bwrap');
  assert.is(actionLabel(row(decision('a', { backend: 'podman' }))), 'sandbox:podman');
  assert.is(actionLabel(row(DENY)), 'deny');
  assert.is(actionLabel(row(start('x'))), '?');
});

const COLOUR_CASES: Array<[string, PaneRow, string]> = [
  ['host is green', row(HOST), '{green-fg}host'],
  ['sandbox is yellow', row(decision('a')), '{yellow-fg}sandbox:bwrap'],
  ['deny is red', row(DENY), '{red-fg}deny'],
];
for (const [name, r, fragment] of COLOUR_CASES) {
  test(`formatRow: ${name}`, () => assert.ok(formatRow(r, 100).includes(fragment), formatRow(r, 100)));
}

const TEXT_CASES: Array<[string, PaneRow, number, string]> = [
  ['decided sandbox row', row(decision('a')), 100, '10:20:30 sandbox:bwrap install   npm install                [npm-install]'],
  ['running', row(decision('a'), start('a')), 100, '10:20:30 sandbox:bwrap install   npm install                running [npm-install]'],
  [
    'a long outcome narrows the command column',
    row(decision('a'), start('a'), network('a', 'evil.example', false), network('a', 'x.io', false), exit('a', { duration_ms: 3210 })),
    100,
    '10:20:30 sandbox:bwrap install   npm install  exit 0 3.2s blocked 2: evil.example,x.io [npm-install]',
  ],
  ['signal', row(decision('a'), exit('a', { status: 137, signal: 'SIGKILL', duration_ms: 61_000 })), 100, '10:20:30 sandbox:bwrap install   npm install                SIGKILL (137) 1m01s [npm-install]'],
  ['violation', row(decision('a'), violation('a')), 100, '10:20:30 sandbox:bwrap install   npm install                1 violation: limit [npm-install]'],
  ['host row', row(HOST, exit('h', { duration_ms: 4 })), 100, '10:20:30 host          host-safe ls -la                     exit 0 4ms [ls]'],
  ['80-column strip: the command column narrows, then the outcome is cut', row(decision('a'), exit('a'), network('a', 'evil.example', false)), 78, '10:20:30 sandbox:bwrap install   npm install  exit 0 1.2s blocked 1: evil.exa…'],
  ['narrow: the time goes first', row(decision('a')), 40, 'sandbox:bwrap install   npm install  [n…'],
  ['a long command borrows free space', row(decision('a', { line: 'npm install left-pad right-pad up-pad down-pad' })), 100, '10:20:30 sandbox:bwrap install   npm install left-pad right-pad up-pad down-pad [npm-install]'],
  ['a long command is cut to leave room for the outcome', row(decision('a', { line: 'x'.repeat(90) }), exit('a')), 100, `10:20:30 sandbox:bwrap install   ${'x'.repeat(40)}… exit 0 1.2s [npm-install]`],
  ['braces in the command are shown literally', row(decision('a', { line: 'echo {red-fg}' })), 60, '10:20:30 sandbox:bwrap install   echo {red-fg} [npm-install]'],
  ['escape sequences are neutralised', row(network('n', 'evil\x1b[31m.example', false)), 80, '10:20:30 ?             ?         (line not seen)   blocked 1: evil^[[31m.example'],
];
for (const [name, r, width, expected] of TEXT_CASES) {
  test(`formatRow: ${name}`, () => {
    const text = visible(formatRow(r, width));
    assert.is(text.trimEnd(), expected);
    assert.ok(text.length <= width, `${text.length} > ${width}`);
  });
}

test('formatRow: tags from the command cannot style the row', () => {
  const tagged = formatRow(row(decision('a', { line: '{red-fg}{bold}' })), 80);
  assert.ok(tagged.includes('{open}red-fg{close}{open}bold{close}'), tagged);
});

test('formatRow: the selected row is one inverse run padded to the width', () => {
  const tagged = formatRow(row(DENY), 60, true);
  assert.ok(tagged.startsWith('{inverse}') && tagged.endsWith('{/}'), tagged);
  assert.not.ok(tagged.includes('red-fg'));
  assert.is(visible(tagged).length, 60);
});

test('formatDetails: every reason, the network tally and violations', () => {
  const r = row(
    decision('a', {
      reasons: [
        { rule: 'npm-install', class: 'install', command: 'npm install', why: 'Installs dependencies.', ecosystem: 'npm' },
        { rule: 'ls', class: 'host-safe', command: 'ls', why: 'Lists files.' },
      ],
    }),
    start('a', { pid: 99 }),
    network('a', 'evil.example', false),
    network('a', 'evil.example', false),
    network('a', 'registry.npmjs.org', true),
    violation('a'),
  );
  const text = visible(formatDetails(r));
  for (const part of [
    'npm install\n',
    'decision   sandbox:bwrap  profile install',
    'class      install',
    'cwd        /work/repo',
    'time       2026-11-23 10:20:30',
    'result     running (pid 99)',
    'network    2 blocked, 1 allowed',
    '✗ evil.example:443 ×2  not-in-allowlist',
    '✓ registry.npmjs.org:443 ×1  allowlist:registry.npmjs.org',
    'limit limits.memory_mb: memory limit 512 MB hit',
    '1. rule npm-install  class install  ecosystem npm',
    'command: npm install',
    'why: Installs dependencies.',
    '2. rule ls  class host-safe',
    'why: Lists files.',
  ]) {
    assert.ok(text.includes(part), `missing ${JSON.stringify(part)} in\n${text}`);
  }
});

test('formatDetails: a denied line says it did not run', () => {
  assert.ok(visible(formatDetails(row(DENY))).includes('result     not run (denied)'));
});

test('formatDetails: untrusted text cannot inject tags or escapes', () => {
  const tagged = formatDetails(row(decision('a'), violation('a', { detail: '{bold}\x1b]0;pwned\x07' })));
  assert.ok(tagged.includes('{open}bold{close}^[]0;pwned^G'), tagged);
  assert.not.ok(/[\x00-\x1f]/.test(tagged.replace(/\n/g, '')));
});

test('formatRow: never wider than the pane, whatever the events say', () => {
  // The characters that could break a line: tag braces, controls, escapes, non-ASCII.
  const text = fc.string({ unit: fc.constantFrom('a', ' ', '{', '}', '/', '-', '\x1b', '\x07', '\n', '\x9b', 'é', '😀'), maxLength: 80 });
  fc.assert(
    fc.property(text, fc.array(text, { maxLength: 5 }), text, fc.integer({ min: 10, max: 200 }), fc.boolean(), (line, hosts, rule, width, selected) => {
      const events: AuditEvent[] = [
        decision('a', { line, reasons: [{ rule, class: 'install', command: line, why: '' }] }),
        ...hosts.map((h) => network('a', h, false)),
        exit('a'),
      ];
      const shown = Array.from(visible(formatRow(row(...events), width, selected)));
      const fits = selected ? shown.length === width : shown.length <= width;
      return fits && !shown.some((c) => /[\x00-\x1f\x7f-\x9f]/.test(c));
    }),
  );
});

test('escapeText and truncate', () => {
  assert.is(escapeText('a{b}c'), 'a{open}b{close}c');
  assert.is(escapeText('\x1b[31m\x7f\x9b'), '^[[31m^?\ufffd');
  assert.is(truncate('abcdef', 4), 'abc…');
  assert.is(truncate('abc', 4), 'abc');
  assert.is(truncate('abc', 1), '…');
  assert.is(truncate('abc', 0), '');
});

test('duration', () => {
  assert.is(duration(4), '4ms');
  assert.is(duration(1234), '1.2s');
  assert.is(duration(61_000), '1m01s');
});

test.run();
