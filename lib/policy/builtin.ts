import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The built-in policies ship in `policies/` at the package root. The same
// code runs from `lib/` (tsx) and from `dist/lib/` (compiled), so the root
// is found by walking up to the package's package.json rather than by a
// fixed number of `..`.

export const BUILTIN_POLICIES = ['default', 'strict', 'ci', 'demo'] as const;
export type BuiltinName = (typeof BUILTIN_POLICIES)[number];

export function isBuiltinName(name: string): name is BuiltinName {
  return (BUILTIN_POLICIES as readonly string[]).includes(name);
}

let cached: string | null = null;

export function builtinPolicyDir(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`sbsh: cannot find the package root above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  cached = join(dir, 'policies');
  return cached;
}

export function builtinPolicyFile(name: string, dir = builtinPolicyDir()): string {
  return join(dir, `${name}.yaml`);
}
