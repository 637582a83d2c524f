import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { PolicyError } from './errors.js';

// One policy file as text, YAML document and plain data, kept together so
// that any later check (schema, semantics, merging) can point at the exact
// line and column of the value it complains about.

export type KeyPath = ReadonlyArray<string | number>;

export interface PolicySource {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain data; `{}` for an empty file. */
  data: unknown;
}

export interface Position {
  line: number;
  col: number;
}

/** `classify.rules[0].id` */
export function dotted(path: KeyPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

// What to do about the YAML parser's errors. A few of its messages speak to
// programmers ("use YAML.parseAllDocuments()"), so those are replaced.
const YAML_HINTS: Record<string, string> = {
  BAD_INDENT: 'check the indentation of this line and the one before it',
  MISSING_CHAR: 'close the quote or bracket that was opened before this point',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
};
const YAML_MESSAGES: Record<string, string> = {
  DUPLICATE_KEY: 'duplicate key; a key may appear once per mapping, remove one of them or merge their values',
  MULTIPLE_DOCS: 'more than one YAML document; a policy file holds one, remove the `---` separator',
};

export function readPolicySource(text: string, file: string): PolicySource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const err = doc.errors[0];
  if (err) {
    const { line, col } = lines.linePos(err.pos[0]);
    const key = dotted(pathAtOffset(doc, err.pos[0]));
    const message = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const detail = YAML_MESSAGES[err.code] ?? `YAML error: ${message}; ${YAML_HINTS[err.code] ?? 'fix the YAML syntax here'}`;
    throw new PolicyError(file, line, col, key, detail);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    // The only way toJS fails on a parsed document: an alias expansion bomb.
    throw new PolicyError(file, 1, 1, '', `YAML error: ${(err as Error).message}; use fewer aliases (*name) or write the values out`);
  }
  return { file, text, doc, lines, data };
}

type YNode = unknown;

/**
 * Line and column of the value at `path` (or of its key, with `atKey`).
 * When the path does not exist (a missing required key) this is the
 * deepest part of it that does, so the message points at the parent.
 */
export function locate(src: PolicySource, path: KeyPath, atKey = false): Position {
  let node: YNode = src.doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const keyStart = rangeStart(pair.key);
      if (last && atKey && keyStart !== null) return src.lines.linePos(keyStart);
      node = pair.value;
      offset = rangeStart(node) ?? keyStart ?? offset;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      node = node.items[seg];
      offset = rangeStart(node) ?? offset;
    } else break;
  }
  return src.lines.linePos(offset);
}

function rangeStart(node: YNode): number | null {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : null;
}

function rangeContains(node: YNode, offset: number): boolean {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return !!range && range[0] <= offset && offset < Math.max(range[2], range[0] + 1);
}

/** The key path of the innermost node containing `offset` (for YAML errors). */
function pathAtOffset(doc: Document.Parsed, offset: number): Array<string | number> {
  const path: Array<string | number> = [];
  let node: YNode = doc.contents;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (rangeContains(p.key, offset) || rangeContains(p.value, offset)));
      if (!pair || !isScalar(pair.key)) return path;
      path.push(String(pair.key.value));
      if (rangeContains(pair.key, offset)) return path;
      node = pair.value;
    } else if (isSeq(node)) {
      const i = node.items.findIndex((item) => rangeContains(item, offset));
      if (i < 0) return path;
      path.push(i);
      node = node.items[i];
    } else return path;
  }
}
