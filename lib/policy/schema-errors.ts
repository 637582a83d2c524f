import type { z } from 'zod';
import { PolicyError } from './errors.js';
import { dotted, locate, type KeyPath, type PolicySource } from './source.js';

// Turns zod issues into one PolicyError that says where, what was expected,
// what was found and how to fix it. zod's own messages are written for
// developers ("Invalid input: expected int, received number"); these are for
// someone editing a YAML file.

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

/** Throws the first problem (in file order) of a failed parse. */
export function throwSchemaError(src: PolicySource, schema: AnySchema, issues: readonly Issue[]): never {
  const located = issues.flatMap((issue) => explain(src, schema, issue));
  // `comand: make` is one mistake, not two: the misspelt key explains the missing one.
  const misspelt = new Set(located.filter((l) => l.kind === 'unknown').map((l) => l.parent));
  const useful = located.filter((l) => !(l.kind === 'missing' && misspelt.has(l.parent)));
  useful.sort((a, b) => a.line - b.line || a.col - b.col);
  const first = useful[0];
  if (!first) throw new PolicyError(src.file, 0, 0, '', 'invalid policy');
  throw new PolicyError(src.file, first.line, first.col, first.key, first.detail);
}

interface Located {
  line: number;
  col: number;
  key: string;
  detail: string;
  kind: 'unknown' | 'missing' | 'invalid';
  /** Dotted path of the mapping the problem is in. */
  parent: string;
}

function explain(src: PolicySource, schema: AnySchema, issue: Issue): Located[] {
  const path = issue.path as Array<string | number>;
  const parent = dotted(path.slice(0, -1));
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(schema, path);
    return issue.keys.map((k) => {
      const at = locate(src, [...path, k], true);
      // A key at the wrong level (`exclude_paths` directly under a profile) is the commonest slip.
      const parent = allowed.find((a) => allowedKeys(schema, [...path, a]).includes(k));
      const hint = parent ? `it belongs under ${JSON.stringify(parent)}: move it to ${dotted([...path, parent, k])}` : suggest(k, allowed);
      return { ...at, key: dotted([...path, k]), detail: `unknown key; ${hint}`, kind: 'unknown' as const, parent: dotted(path) };
    });
  }
  const actual = valueAt(src.data, path);
  const at = locate(src, path);
  const key = dotted(path) || '(top level)';
  if (actual === undefined) {
    const name = String(path[path.length - 1]);
    const expected = expectedText(issue);
    return [{ ...at, key, detail: `missing required key "${name}"; add \`${name}:\`${expected ? ` (${expected})` : ''}`, kind: 'missing', parent }];
  }
  // A pattern's own message already says what is expected.
  if (issue.code === 'invalid_format') return [{ ...at, key, detail: `${issue.message}, got ${describe(actual)}`, kind: 'invalid', parent }];
  return [{ ...at, key, detail: `expected ${expectedText(issue) ?? issue.message}, got ${describe(actual)}`, kind: 'invalid', parent }];
}

function expectedText(issue: Issue): string | null {
  switch (issue.code) {
    case 'invalid_type':
      return typeName(issue.expected);
    case 'invalid_value':
      return issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`;
    case 'too_small':
      return issue.origin === 'number' ? `a number ${issue.inclusive ? '>=' : '>'} ${issue.minimum}` : issue.message;
    case 'too_big':
      return issue.origin === 'number' ? `a number ${issue.inclusive ? '<=' : '<'} ${issue.maximum}` : issue.message;
    case 'invalid_union': {
      const branches = issue.errors.map((errs) => errs.find((e) => e.path.length === 0 && e.code === 'invalid_type'));
      if (branches.every((b) => b?.code === 'invalid_type')) return branches.map((b) => typeName((b as { expected: string }).expected)).join(' or ');
      return issue.message;
    }
    default:
      return null;
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
};

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

function describe(v: unknown): string {
  if (v === null) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function suggest(key: string, allowed: string[]): string {
  const close = allowed.filter((a) => editDistance(a, key) <= 2 || a.startsWith(key) || key.startsWith(a));
  if (close.length) return `did you mean ${close.map((c) => `"${c}"`).join(' or ')}?`;
  return allowed.length ? `expected one of: ${allowed.join(', ')}` : 'remove it';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

interface Def {
  type: string;
  innerType?: AnySchema;
  shape?: Record<string, AnySchema>;
  keyType?: AnySchema;
  valueType?: AnySchema;
  element?: AnySchema;
  entries?: Record<string, string>;
}

function defOf(s: AnySchema): Def {
  return s._zod.def as unknown as Def;
}

/** The keys the schema accepts for the mapping at `path`. */
function allowedKeys(schema: AnySchema, path: KeyPath): string[] {
  let s: AnySchema | undefined = schema;
  for (const seg of [...path, null]) {
    while (s && ['optional', 'default', 'nullable', 'prefault'].includes(defOf(s).type)) s = defOf(s).innerType;
    if (!s) return [];
    const def = defOf(s);
    if (seg === null) {
      if (def.type === 'object') return Object.keys(def.shape ?? {});
      if (def.type === 'record' && def.keyType && defOf(def.keyType).type === 'enum') return Object.values(defOf(def.keyType).entries ?? {});
      return [];
    }
    if (def.type === 'object') s = def.shape?.[String(seg)];
    else if (def.type === 'record') s = def.valueType;
    else if (def.type === 'array') s = def.element;
    else return [];
  }
  return [];
}
