// Loads the tree-sitter-bash grammar (WASM, shipped in the npm package) once per process.
import { createRequire } from 'node:module';
import v8 from 'node:v8';
import type { Node, Tree } from 'web-tree-sitter';

export type { Node, Tree };

let parser: import('web-tree-sitter').Parser | null = null;
let loading: Promise<void> | null = null;

/**
 * Loads the grammar. The optimising WASM tier costs ~0.45 s at exit for a one-shot
 * process (DESIGN.md); Liftoff alone keeps a cold `agentguard check` near 0.1 s and
 * parses fast enough for a warm session too.
 */
export function loadParser(): Promise<void> {
  if (parser) return Promise.resolve();
  loading ??= (async () => {
    v8.setFlagsFromString('--liftoff-only');
    const { Parser, Language } = await import('web-tree-sitter');
    const require = createRequire(import.meta.url);
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
  })();
  return loading;
}

/** Parses bash source. loadParser() must have completed. */
export function parseBash(source: string): Tree {
  if (!parser) throw new Error('bash parser not loaded: call loadParser() first');
  const tree = parser.parse(source);
  if (!tree) throw new Error('bash parser returned no tree');
  return tree;
}
