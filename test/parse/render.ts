import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { LineParser } from '../../lib/parse/index.js';
import type { Node, Redirect, Word } from '../../lib/parse/types.js';

// A compact, readable rendering of a command tree, so that table-driven tests
// can state the whole expected shape on one line:
//   command      (A=1 npm i >out => payload)   words by value, `?` when unknown
//   substitution word{tree, tree}
//   list         [a && b ; c]      newline as `\n`, trailing `&` kept
//   pipeline     <a | b>, negated !<a | b>
//   group        sub{…} / grp{…} followed by redirects
//   control      keyword(words){part; part} followed by redirects
//   function     fn name{body}
//   unknown      ??reason

export function render(node: Node): string {
  switch (node.kind) {
    case 'command': {
      const parts = [...node.assignments.map((a) => `${a.name}=${word(a.value)}`), ...node.argv.map(word), ...node.redirects.map(redirect)];
      return `(${parts.join(' ')}${node.payload ? ` => ${render(node.payload)}` : ''})`;
    }
    case 'list': {
      const out: string[] = [];
      node.items.forEach((item, i) => {
        out.push(render(item));
        const op = node.operators[i];
        if (op !== undefined) out.push(op === '\n' ? '\\n' : op);
      });
      return `[${out.join(' ')}]`;
    }
    case 'pipeline':
      return `${node.negated ? '!' : ''}<${node.commands.map(render).join(' | ')}>`;
    case 'subshell':
    case 'group':
      return `${node.kind === 'subshell' ? 'sub' : 'grp'}{${render(node.body)}}${redirects(node.redirects)}`;
    case 'control': {
      const words = node.words.length > 0 ? `(${node.words.map(word).join(' ')})` : '';
      return `${node.keyword}${words}{${node.parts.map(render).join('; ')}}${redirects(node.redirects)}`;
    }
    case 'function':
      return `fn ${node.name}{${render(node.body)}}`;
    case 'unknown':
      return `??${node.reason}`;
  }
}

export function word(w: Word): string {
  const base = w.value === null ? '?' : /^[\w./@%+:,=~-]+$/.test(w.value) ? w.value : JSON.stringify(w.value);
  return w.substitutions.length > 0 ? `${base}{${w.substitutions.map(render).join(', ')}}` : base;
}

function redirect(r: Redirect): string {
  return `${r.fd ?? ''}${r.op}${word(r.target)}`;
}

function redirects(rs: readonly Redirect[]): string {
  return rs.length > 0 ? ` ${rs.map(redirect).join(' ')}` : '';
}

/** One uvu suite per table: each line must render to the expected tree. */
export function renderTable(parser: LineParser, name: string, cases: ReadonlyArray<readonly [string, string]>): void {
  const s = suite(name);
  for (const [line, expected] of cases) {
    s(JSON.stringify(line), () => {
      assert.is(render(parser.parse(line)), expected);
    });
  }
  s.run();
}
