import { readFileSync } from 'node:fs';
import { PolicyLayer, type Origin } from './schema.js';
import { PolicyError } from './errors.js';
import { readPolicySource, locate, dotted, type KeyPath, type PolicySource } from './source.js';
import { throwSchemaError } from './schema-errors.js';
import { BUILTIN_POLICIES, isBuiltinName } from './builtin.js';
import { DOMAIN_FORMS, normaliseDomain } from './domains.js';
import { cachedData, storeData } from './layer-cache.js';

// One policy layer read from disk: schema-valid, and free of the mistakes a
// schema cannot express (entries in the wrong form, duplicate rule ids,
// extending something that is not a built-in policy). Checks that need the
// other layers (does the profile a rule names exist?) run after merging.

export type LayerKind = Origin['layer'];

export interface Layer {
  kind: LayerKind;
  file: string;
  /** The file's exact bytes, for trust by content hash. */
  bytes: Buffer;
  /** The YAML document, for pointing at lines; parsed on first use when the data came from the cache. */
  readonly source: PolicySource;
  data: PolicyLayer;
}

/** Reads and checks one policy file; with `cacheDir`, the YAML parse is cached by content (./layer-cache.ts). */
export function readLayerFile(file: string, kind: LayerKind, cacheDir?: string): Layer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new PolicyError(file, 0, 0, '', `cannot read the policy file (${(err as NodeJS.ErrnoException).code ?? String(err)}); check that it exists and is readable`);
  }
  if (cacheDir === undefined) return parseLayer(bytes, file, kind);
  const cached = cachedData(cacheDir, bytes);
  const fromCache = cached === undefined ? null : layerFromData(bytes, file, kind, cached);
  if (fromCache) return fromCache;
  const layer = parseLayer(bytes, file, kind);
  storeData(cacheDir, bytes, layer.source.data);
  return layer;
}

export function parseLayer(bytes: Buffer, file: string, kind: LayerKind): Layer {
  const source = readPolicySource(bytes.toString('utf8'), file);
  const parsed = PolicyLayer.safeParse(source.data);
  if (!parsed.success) throwSchemaError(source, PolicyLayer, parsed.error.issues);
  checkSemantics(() => source, parsed.data);
  return { kind, file, bytes, source, data: parsed.data };
}

/** A layer from cached data, or null when the data does not fit the schema (stale or damaged: parse the file). */
function layerFromData(bytes: Buffer, file: string, kind: LayerKind, data: unknown): Layer | null {
  const parsed = PolicyLayer.safeParse(data);
  if (!parsed.success) return null;
  let source: PolicySource | undefined;
  const getSource = (): PolicySource => (source ??= readPolicySource(bytes.toString('utf8'), file));
  checkSemantics(getSource, parsed.data);
  return {
    kind,
    file,
    bytes,
    data: parsed.data,
    get source() {
      return getSource();
    },
  };
}

/** A PolicyError pointing at `path` in this file. */
export function errorAt(source: PolicySource, path: KeyPath, detail: string, atKey = false): PolicyError {
  const { line, col } = locate(source, path, atKey);
  return new PolicyError(source.file, line, col, dotted(path), detail);
}

function checkSemantics(src: () => PolicySource, layer: PolicyLayer): void {
  if (layer.extends !== undefined && !isBuiltinName(layer.extends)) {
    throw errorAt(src(), ['extends'], `expected one of ${BUILTIN_POLICIES.map((n) => `"${n}"`).join(' | ')}, got ${JSON.stringify(layer.extends)}; extends names a built-in policy, not a file`);
  }
  for (const [name, profile] of Object.entries(layer.profiles ?? {})) {
    const at = ['profiles', name];
    checkEach(src, [...at, 'network', 'domains'], profile.network?.domains, checkDomain);
    checkEach(src, [...at, 'mask_paths'], profile.mask_paths, (p) =>
      p.startsWith('/') || p.startsWith('~/') ? null : `expected an absolute path or one starting with ~/, got ${JSON.stringify(p)}`,
    );
    checkEach(src, [...at, 'workspace', 'exclude_paths'], profile.workspace?.exclude_paths, (p) =>
      p === '' || p.startsWith('/') || p.split('/').includes('..')
        ? `expected a glob relative to the workspace root (no leading / and no ..), got ${JSON.stringify(p)}`
        : null,
    );
    checkEach(src, [...at, 'workspace', 'writable_paths'], profile.workspace?.writable_paths, checkWritable);
  }
  for (const [name, eco] of Object.entries(layer.ecosystems ?? {})) {
    checkEach(src, ['ecosystems', name, 'domains'], eco.domains, checkDomain);
    checkEach(src, ['ecosystems', name, 'writable_paths'], eco.writable_paths, checkWritable);
  }

  const seen = new Map<string, number>();
  (layer.classify?.rules ?? []).forEach((rule, i) => {
    const first = seen.get(rule.id);
    if (first !== undefined) throw errorAt(src(), ['classify', 'rules', i, 'id'], `duplicate rule id ${JSON.stringify(rule.id)} (also classify.rules[${first}]); give each rule its own id`);
    seen.set(rule.id, i);
    if (rule.argv !== undefined) {
      try {
        new RegExp(rule.argv);
      } catch (err) {
        throw errorAt(src(), ['classify', 'rules', i, 'argv'], `expected a regular expression, got ${JSON.stringify(rule.argv)} (${(err as Error).message})`);
      }
    }
  });
}

function checkWritable(path: string): string | null {
  return path === '' ? 'expected a path relative to the workspace root, ~/…, or absolute; got an empty string' : null;
}

function checkDomain(entry: string): string | null {
  return normaliseDomain(entry) ? null : `expected ${DOMAIN_FORMS}, got ${JSON.stringify(entry)}`;
}

function checkEach(src: () => PolicySource, path: KeyPath, list: readonly string[] | undefined, check: (entry: string) => string | null): void {
  list?.forEach((entry, i) => {
    const problem = check(entry);
    if (problem) throw errorAt(src(), [...path, i], problem);
  });
}
