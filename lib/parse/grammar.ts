import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Parser } from 'web-tree-sitter';

// The bash grammar (tree-sitter-bash's wasm build), loaded once per process.
// Resolved from this package's dependencies, not the working directory: sbsh
// runs inside other people's repositories.

let loading: Promise<Parser> | null = null;

export function loadBashGrammar(): Promise<Parser> {
  loading ??= load().catch((e: unknown) => {
    loading = null;
    throw e;
  });
  return loading;
}

async function load(): Promise<Parser> {
  const require = createRequire(import.meta.url);
  let wasm: string;
  try {
    wasm = join(dirname(require.resolve('tree-sitter-bash/package.json')), 'tree-sitter-bash.wasm');
  } catch (e) {
    throw new Error(`sbsh: cannot find the tree-sitter-bash package (${String(e)}); reinstall sbsh's dependencies with \`npm ci\``);
  }
  try {
    // Loaded here, not above: a plain line never needs the grammar (plain.ts).
    // Its CommonJS build, by require: bin/sbsh.cjs runs the bundle from V8's code
    // cache, where import() is not available.
    const { Language, Parser } = require('web-tree-sitter') as typeof import('web-tree-sitter');
    await Parser.init();
    const language = await Language.load(wasm);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  } catch (e) {
    throw new Error(`sbsh: cannot load the bash grammar ${wasm} (${String(e)}); reinstall sbsh's dependencies with \`npm ci\``);
  }
}
