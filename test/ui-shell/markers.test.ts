import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { createMarkerParser, markerText, type Piece } from '../../lib/ui/shell/markers.js';

const N = 'n0nce';
const m = (kind: string, ...args: string[]) => markerText(N, kind as 'D', ...args);

/** Feeds the chunks one by one; returns the text seen and the markers, as one flat list. */
function run(chunks: string[], nonce = N): Piece[] {
  const p = createMarkerParser(nonce);
  const out: Piece[] = [];
  for (const c of chunks) out.push(...p.push(c));
  out.push(...p.end());
  // Adjacent text pieces from different chunks are one run of text.
  const merged: Piece[] = [];
  for (const piece of out) {
    const last = merged[merged.length - 1];
    if ('text' in piece && last && 'text' in last) last.text += piece.text;
    else merged.push('text' in piece ? { text: piece.text } : piece);
  }
  return merged;
}

const cases: Array<[string, string[], Piece[]]> = [
  ['plain text passes through', ['hello\r\nworld'], [{ text: 'hello\r\nworld' }]],
  ['one marker between text', [`a${m('X')}b`], [{ text: 'a' }, { marker: { kind: 'X', args: [] } }, { text: 'b' }]],
  ['marker with arguments', [m('D', 'ab12', '3')], [{ marker: { kind: 'D', args: ['ab12', '3'] } }]],
  ['marker split inside the prefix', ['a\x1b]77', `17;${N};P\x07b`], [{ text: 'a' }, { marker: { kind: 'P', args: [] } }, { text: 'b' }]],
  ['marker split inside the body', [`\x1b]7717;${N};D;i`, 'd;0\x07'], [{ marker: { kind: 'D', args: ['id', '0'] } }]],
  ['lone ESC at a chunk end waits for the next chunk', ['x\x1b', '[31mred'], [{ text: 'x\x1b[31mred' }]],
  ['other OSC (title) passes through', ['\x1b]0;title\x07$ '], [{ text: '\x1b]0;title\x07$ ' }]],
  ['other escape sequences pass through', ['\x1b[?2004h\x1b[1;32mok\x1b[0m'], [{ text: '\x1b[?2004h\x1b[1;32mok\x1b[0m' }]],
  ['wrong nonce: removed, not reported', [`a${markerText('guess', 'D', 'x', '0')}b`], [{ text: 'ab' }]],
  ['unknown kind: removed, not reported', [`a${markerText(N, 'Z' as 'D')}b`], [{ text: 'ab' }]],
  ['our OSC number with a foreign body is not ours', ['\x1b]7717;hello world\x07'], [{ text: '\x1b]7717;hello world\x07' }]],
  ['two markers back to back', [m('D', 'a', '1') + m('P')], [{ marker: { kind: 'D', args: ['a', '1'] } }, { marker: { kind: 'P', args: [] } }]],
  ['a cut-off marker at the end of the stream comes out as text', [`ok\x1b]7717;${N};D`], [{ text: `ok\x1b]7717;${N};D` }]],
];

for (const [name, chunks, want] of cases) {
  test(name, () => assert.equal(run(chunks), want));
}

test('an unterminated prefix longer than any marker is passed on', () => {
  const junk = '\x1b]7717;' + 'a'.repeat(300);
  assert.equal(run([junk, 'b']), [{ text: junk + 'b' }]);
});

test('any split of a stream gives the same result as one read', () => {
  const parts = fc.oneof(
    fc.constantFrom(m('X'), m('D', 'id1', '130'), m('P'), m('Q'), markerText('bad', 'X'), '\x1b[0m', '\x1b]0;t\x07', '\x1b', '\r\n', 'é', '7717;'),
    fc.string({ maxLength: 8 }),
  );
  fc.assert(
    fc.property(fc.array(parts, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 6 }), (items, cuts) => {
      const stream = items.join('');
      const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      const chunks: string[] = [];
      let prev = 0;
      for (const p of points) {
        chunks.push(stream.slice(prev, p));
        prev = p;
      }
      chunks.push(stream.slice(prev));
      assert.equal(run(chunks), run([stream]));
    }),
  );
});

test.run();
