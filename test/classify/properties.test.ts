import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Classification, riskOf } from '../../lib/classify/types.js';
import { classifyLine } from './harness.js';

// Properties over generated lines: classification never throws and always
// explains itself, and wrapping a line never makes it less risky.

const WORDS = ['ls', 'rm', '-rf', 'npm', 'i', 'ci', 'cat', 'echo', 'x', '/', '~', '..', '*', '$X', '"$(curl x)"', 'make', 'git', 'status', 'cd', '/tmp', 'sudo', 'sh', 'dist'];
const SEPARATORS = [' ', ' ', ' ', ' | ', ' && ', '; ', ' > ', ' >> ', ' 2>&1 ', ' || '];

const line = fc
  .array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...SEPARATORS)), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.map(([w, sep], i) => (i === parts.length - 1 ? w : w + sep)).join(''));

test('any input, even junk, gets a valid classification with explained reasons', () => {
  const junk = fc.string({ unit: fc.constantFrom(...'ab $(){}[]|&;<>\'"`\\*?~=-/.\n'.split('')), maxLength: 40 });
  fc.assert(
    fc.property(fc.oneof(line, junk), (l) => {
      const c = Classification.parse(classifyLine(l));
      assert.ok(c.reasons.length > 0, l);
      for (const r of c.reasons) assert.ok(r.why.length > 0 && r.rule.length > 0, l);
      assert.is(c.reasons[0]!.class, c.class, l);
    }),
    { numRuns: 400 },
  );
});

test('sudo in front of any command makes the line dangerous', () => {
  fc.assert(fc.property(line, (l) => classifyLine(`sudo ${l}`).class === 'dangerous'), { numRuns: 200 });
});

test('running a line through bash -c, a subshell or a group never lowers its class', () => {
  fc.assert(
    fc.property(line, (l) => {
      const base = riskOf(classifyLine(l).class);
      for (const wrapped of [`bash -c '${l}'`, `(${l})`, `{ ${l}; }`, `if true; then ${l}; fi`]) {
        const got = classifyLine(wrapped).class;
        if (riskOf(got) < base) throw new Error(`${wrapped} is ${got}, below ${classifyLine(l).class}`);
      }
    }),
    { numRuns: 200 },
  );
});

test.run();
