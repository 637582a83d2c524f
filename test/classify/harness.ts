import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadParser } from '../../lib/parse/index.js';
import { PolicyLayer } from '../../lib/policy/schema.js';
import { builtinPolicyFile } from '../../lib/policy/builtin.js';
import type { ClassifyConfig } from '../../lib/classify/rule-schema.js';
import { classify, type ClassifyContext } from '../../lib/classify/index.js';
import type { Classification } from '../../lib/classify/types.js';

// Shared by the classify tests: the real parser, the built-in policy read
// straight from policies/default.yaml, and one fixed workspace layout.

export const CTX: ClassifyContext = { workspace: '/work/ws', cwd: '/work/ws', home: '/home/u' };

export function defaultLayer(): PolicyLayer {
  return PolicyLayer.parse(parse(readFileSync(builtinPolicyFile('default'), 'utf8'), { maxAliasCount: 100 }));
}

export function configOf(layer: PolicyLayer): ClassifyConfig {
  return { rules: layer.classify?.rules ?? [], guard: layer.classify?.guard };
}

export const DEFAULT_CONFIG = configOf(defaultLayer());

const parser = await loadParser();

export function classifyLine(line: string, config: ClassifyConfig = DEFAULT_CONFIG, ctx: ClassifyContext = CTX): Classification {
  return classify(parser.parse(line), config, ctx);
}

/** `class rule` of a line, for compact table assertions. */
export function verdict(line: string, ctx?: ClassifyContext): string {
  const c = classifyLine(line, DEFAULT_CONFIG, ctx);
  return `${c.class} ${c.reasons[0]?.rule}`;
}
