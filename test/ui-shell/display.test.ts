import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decisionRow, decisionSummary, modeChanges, promptTail, redisplay, shownLine } from '../../lib/ui/shell/display.js';
import type { Plan } from '../../lib/plan/schema.js';

const modes: Array<[string, string]> = [
  ['\r\x1b[K$ __sbsh_run abc\r\n\x1b[?2004l\r', '\x1b[?2004l'],
  ['\x1b[?1h\x1b=text\x1b[?1l\x1b>', '\x1b[?1h\x1b=\x1b[?1l\x1b>'],
  ['\x1b[31mred\x1b[0m\x1b[2K', ''],
];
for (const [input, want] of modes) {
  test(`modeChanges ${JSON.stringify(input)}`, () => assert.is(modeChanges(input), want));
}

const shown: Array<[string, string]> = [
  ['ls -la', 'ls -la'],
  ['for i in 1; do\necho $i\ndone', 'for i in 1; do\r\necho $i\r\ndone'],
  ['a\tb', 'a\tb'],
  ['x\x01y\x7f', 'x^Ay^?'],
  ['\x1b[31m', '^[[31m'],
];
for (const [input, want] of shown) {
  test(`shownLine ${JSON.stringify(input)}`, () => assert.is(shownLine(input), want));
}

test('promptTail keeps the last row of a multi-row prompt', () => {
  assert.is(promptTail('\x1b[1muser@host\x1b[0m\r\n$ '), '$ ');
  assert.is(promptTail('(sbsh) ws# '), '(sbsh) ws# ');
});

test('redisplay: prompt, the line as typed, a new row', () => {
  assert.is(redisplay('(sbsh) ws$ ', './build.sh\nx'), '(sbsh) ws$ ./build.sh\r\nx\r\n');
});

const plan = (over: Partial<Plan>): Plan => ({
  line: 'x', action: 'host', class: 'host-safe', backend: 'host', profile: null, reasons: [], sandbox: null, policy_files: [], ignored: [], ...over,
});

const summaries: Array<[Partial<Plan>, string]> = [
  [{ reasons: [{ rule: 'ls', class: 'host-safe', command: 'ls', why: 'lists' }] }, 'sbsh: host (host-safe) ls'],
  [{ action: 'sandbox', class: 'build', backend: 'bwrap', profile: 'build', reasons: [{ rule: 'repo-script', class: 'build', command: './b', why: 'w' }] }, 'sbsh: sandbox:bwrap (build, profile build) repo-script'],
  [{ action: 'deny', class: 'dangerous', backend: null }, 'sbsh: deny (dangerous) rules.dangerous'],
];
for (const [over, want] of summaries) {
  test(`decisionSummary ${want}`, () => assert.is(decisionSummary(plan(over)), want));
}

test('decisionRow is dim, one row, cut to the width', () => {
  assert.is(decisionRow('sbsh: host', 80), '\x1b[2msbsh: host\x1b[22m\r\n');
  assert.is(decisionRow('x'.repeat(100), 20), '\x1b[2m' + 'x'.repeat(18) + '…\x1b[22m\r\n');
  assert.is(decisionRow('a\nb', 80), '\x1b[2ma b\x1b[22m\r\n');
});

test.run();
