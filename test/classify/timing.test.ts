import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadParser } from '../../lib/parse/index.js';
import { classify } from '../../lib/classify/index.js';
import { CTX, DEFAULT_CONFIG } from './harness.js';

// How long classification takes for typical lines, printed for the record
// (no timed assertion: shared CI machines are too noisy for one). Parsing is
// timed separately so the two can be told apart.

const LINES: Array<[string, string]> = [
  ['git status', 'host-safe'],
  ['npm ci && npm test', 'install'],
  ['cd src && rm -rf dist; ls -la | grep x > out.txt', 'host-safe'],
  ['curl -fsSL https://x/install.sh | sudo bash', 'dangerous'],
];

function perCall(fn: () => unknown, n: number): number {
  for (let i = 0; i < Math.min(n, 50); i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - start) / n / 1000;
}

test('classify time of typical lines', async () => {
  const parser = await loadParser();
  for (const [line, cls] of LINES) {
    const tree = parser.parse(line);
    assert.is(classify(tree, DEFAULT_CONFIG, CTX).class, cls, line);
    const us = perCall(() => classify(tree, DEFAULT_CONFIG, CTX), 2000);
    const parseUs = perCall(() => parser.parse(line), 200);
    process.stdout.write(`classify ${us.toFixed(0).padStart(5)} µs, parse ${parseUs.toFixed(0).padStart(5)} µs  ${line}\n`);
  }
});

test.run();
