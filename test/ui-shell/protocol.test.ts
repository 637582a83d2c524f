import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMessageDecoder, encodeDone, encodeReply, type HookMessage } from '../../lib/ui/shell/protocol.js';

const fields = (...f: string[]) => Buffer.from(f.map((x) => x + '\0').join(''), 'utf8');

const lineMsg = fields('line', '4', '2', 'echo "a b"\nls', '/tmp/d ir', 'abc123', '3', '2', 'll', 'ls -l', '.', 'x=y', 'FOO=1', 'MULTI=x\ny=z', 'EMPTY=', '.');
const lineWant: HookMessage = {
  type: 'line', reqno: '4', seq: '2', text: 'echo "a b"\nls', cwd: '/tmp/d ir', last: { id: 'abc123', status: 3 },
  aliases: { ll: 'ls -l', '.': 'x=y' },
  env: { FOO: '1', MULTI: 'x\ny=z', EMPTY: '' },
};

test('a line request: fields, aliases (one named "."), environment values with = and newlines', () => {
  assert.equal(createMessageDecoder().push(lineMsg), [lineWant]);
});

test('a line request with no previous line', () => {
  const got = createMessageDecoder().push(fields('line', '1', '0', 'ls', '/', '', '0', '0', '.'));
  assert.equal(got, [{ type: 'line', reqno: '1', seq: '0', text: 'ls', cwd: '/', last: null, aliases: {}, env: {} }]);
});

test('a line whose text is "." is not mistaken for the end of the environment', () => {
  const got = createMessageDecoder().push(fields('line', '1', '0', '.', '.', '', '0', '0', 'A=1', '.'));
  assert.equal(got, [{ type: 'line', reqno: '1', seq: '0', text: '.', cwd: '.', last: null, aliases: {}, env: { A: '1' } }]);
});

test('go and sig messages', () => {
  const got = createMessageDecoder().push(Buffer.concat([fields('go', 'id1'), fields('sig', 'id1', 'INT'), fields('sig', 'id1', 'TERM')]));
  assert.equal(got, [
    { type: 'go', id: 'id1' },
    { type: 'sig', id: 'id1', signal: 'INT' },
    { type: 'sig', id: 'id1', signal: 'TERM' },
  ]);
});

test('messages split at every byte boundary decode the same', () => {
  const all = Buffer.concat([fields('go', 'x'), lineMsg, fields('sig', 'x', 'INT')]);
  for (let cut = 0; cut <= all.length; cut++) {
    const d = createMessageDecoder();
    const got = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
    assert.equal(got.length, 3, `cut at ${cut}`);
    assert.equal(got[1], lineWant, `cut at ${cut}`);
  }
});

test('multi-byte characters split across reads survive', () => {
  const msg = fields('line', '1', '0', 'echo héllo ✓', '/', '', '0', '0', '.');
  const d = createMessageDecoder();
  const mid = msg.indexOf(Buffer.from('✓')) + 1;
  const got = [...d.push(msg.subarray(0, mid)), ...d.push(msg.subarray(mid))];
  assert.is((got[0] as { text: string }).text, 'echo héllo ✓');
});

test('garbage before a message is skipped', () => {
  const got = createMessageDecoder().push(Buffer.concat([fields('nonsense', 'more'), fields('go', 'id2')]));
  assert.equal(got, [{ type: 'go', id: 'id2' }]);
});

const replies: Array<[Parameters<typeof encodeReply>[1], string[]]> = [
  [{ action: 'host', id: 'a1' }, ['7', 'host', 'a1', '0', '']],
  [{ action: 'run', id: 'a1' }, ['7', 'run', 'a1', '0', '']],
  [{ action: 'say', id: 'a1', status: 126, message: 'sbsh: denied\nline 2' }, ['7', 'say', 'a1', '126', 'sbsh: denied\nline 2']],
  [{ action: 'end', id: 'a1', status: 126, message: 'bye' }, ['7', 'end', 'a1', '126', 'bye']],
  [{ action: 'more' }, ['7', 'more', '', '0', '']],
  [{ action: 'abort', message: 'no' }, ['7', 'abort', '', '0', 'no']],
];
for (const [reply, want] of replies) {
  test(`reply ${reply.action}: always five fields`, () => {
    assert.equal(encodeReply('7', reply).toString('utf8'), want.map((f) => f + '\0').join(''));
  });
}

test('done record', () => {
  assert.is(encodeDone('a1', 130).toString('utf8'), 'a1\x00130\x00');
});

test.run();
