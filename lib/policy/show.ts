import { basename } from 'node:path';
import { Document, isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import type { Origin } from './schema.js';
import type { LoadedLayer, LoadedPolicy } from './load.js';

// `sbsh policy show`: the merged policy as YAML, every value annotated with
// the layer it came from, followed by what was ignored.

/** `builtin:default`, `user`, `repo` — short labels the header maps to files. */
export function originLabel(o: Origin): string {
  return o.layer === 'builtin' ? `builtin:${basename(o.file, '.yaml')}` : o.layer;
}

/** ` (trusted)` / ` (untrusted: may only tighten)` after a repository file's name. */
export function trustNote(l: LoadedLayer): string {
  return l.kind !== 'repo' ? '' : l.trusted ? ' (trusted)' : ' (untrusted: may only tighten)';
}

export function renderPolicyText(p: LoadedPolicy): string {
  const policy = structuredClone(p.policy) as Record<string, unknown>;
  const trustedRuleCount = p.policy.classify?.rules?.length ?? 0;
  if (p.raiseOnlyRules.length) {
    policy.classify = { ...(policy.classify as object), rules: [...(p.policy.classify?.rules ?? []), ...structuredClone(p.raiseOnlyRules)] };
  }
  const doc = new Document(policy);
  annotate(doc.contents, [], p, trustedRuleCount);

  const header = [' sbsh policy show: the merged policy; each value is marked with the layer that set it.', ` base: ${p.base}`];
  for (const l of p.layers) header.push(` ${originLabel({ layer: l.kind, file: l.file }).padEnd(16)} ${l.file}${trustNote(l)}`);
  doc.commentBefore = header.join('\n');
  if (p.ignored.length) {
    doc.comment = [' ignored (an untrusted policy tried to loosen these):', ...p.ignored.map((i) => `   ${i.file}: ${i.key}: ${i.why}`)].join('\n');
  }
  return doc.toString({ lineWidth: 0 });
}

function annotate(node: unknown, path: string[], p: LoadedPolicy, trustedRuleCount: number): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const key = [...path, String(pair.key.value)];
      const dottedKey = key.join('.');
      const origin = p.origins[dottedKey];
      if (dottedKey === 'classify.rules' && isSeq(pair.value)) {
        pair.value.items.forEach((item, i) => {
          const id = isMap(item) ? item.get('id', true) : null;
          const o = isScalar(id) ? p.origins[`classify.rules.${String(id.value)}`] : undefined;
          if (isScalar(id) && o) id.comment = ` ${originLabel(o)}${i >= trustedRuleCount ? ' (untrusted: may only raise a class)' : ''}`;
        });
      } else if (origin && isScalar(pair.value)) pair.value.comment = ` ${originLabel(origin)}`;
      else if (origin) pair.key.comment = ` ${originLabel(origin)}`;
      else annotate(pair.value as YamlNode, key, p, trustedRuleCount);
    }
  }
}
