// Bundles the CLI and the hook (dist/cli/main.js, dist/hooks/run.js) and the packages they use
// into a few CommonJS files in dist/bundle/ (main.cjs, hook.cjs and shared chunks; what only a
// session, doctor or a rule file's parse needs is in chunks of its own): a cold `agentguard
// check` or hook then reads a handful of files instead of ~100 modules (each ES module costs
// Node about 0.3 ms to resolve, read, compile and link), and bin/bundle-loader.js compiles
// each with V8's code cache (scripts/code-cache.js), which ES modules cannot use on Node 20.
// CommonJS, not ESM, for that reason. The bundle sits two levels below the package root, as every dist module does,
// so their paths relative to import.meta.url (rules, profiles, build/Release, package.json)
// stay the same. node: built-ins, node-pty (a native addon) and web-tree-sitter with the
// grammar (they find their .wasm files beside themselves) stay outside, loaded with require.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The OpenTelemetry SDK loads only for an otlp log sink (src/sinks/otlp.ts): required from node_modules then.
const outside = ['node-pty', 'web-tree-sitter', 'tree-sitter-bash', '@opentelemetry/sdk-logs', '@opentelemetry/exporter-logs-otlp-http', '@opentelemetry/resources'];
const LAZY_BUILTINS = ['child_process', 'readline', 'net', 'http', 'https', 'dns', 'tls', 'zlib'];
// Chunk names carry a hash: last build's chunks go first.
fs.rmSync(path.join(root, 'dist/bundle'), { recursive: true, force: true });
await build({
  input: { main: path.join(root, 'dist/cli/main.js'), hook: path.join(root, 'dist/hooks/run.js') },
  platform: 'node',
  external: (id) => id.startsWith('node:') || outside.some((p) => id === p || id.startsWith(`${p}/`)),
  plugins: [
    {
      name: 'require-outside',
      // A dynamic import() in a script compiled through vm needs a loader callback, which a
      // script from V8's code cache loses on Node 20: the packages outside load with require
      // (web-tree-sitter ships a CommonJS build), as rolldown already loads its own chunks.
      renderChunk: (code) => code.replace(/\bimport\((["'])([^"'./][^"']*)\1\)/g, (_, q, id) => `Promise.resolve().then(() => require(${q}${id}${q}))`),
    },
    {
      name: 'lazy-builtins',
      // Built-ins that only some commands use (commander's child_process for subcommand files, a
      // session's sockets, a prompt's readline) load on first use: each costs a cold start a few
      // milliseconds of Node's own module compile. A module object stands in until then.
      renderChunk(code) {
        let used = false;
        const lazy = (id, esm) => {
          used = true;
          return `__lazyBuiltin("node:${id}", ${esm})`;
        };
        const names = LAZY_BUILTINS.join('|');
        code = code
          .replace(new RegExp(`let (\\w+) = require\\("node:(${names})"\\);\\n\\1 = require_rolldown_runtime\\.__toESM\\(\\1, 1\\);`, 'g'), (_, v, id) => `let ${v} = ${lazy(id, true)};`)
          .replace(new RegExp(`require\\("node:(${names})"\\)`, 'g'), (_, id) => lazy(id, false));
        if (!used) return code;
        return `${code}\nfunction __lazyBuiltin(id, esm) {\n\tlet m;\n\tconst get = () => (m ??= require(id));\n\treturn new globalThis.Proxy({}, { get: (_, k) => (esm && k === "default" ? get() : get()[k]), has: (_, k) => k in get() });\n}\n`;
      },
    },
  ],
  output: {
    dir: path.join(root, 'dist/bundle'),
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: '[name]-[hash].cjs',
    sourcemap: false,
    // The log's writing stays in the chunk a check and a hook load anyway: the log sinks (loaded
    // only when configured) import it too, which would otherwise split it into one file more.
    codeSplitting: { groups: [{ name: 'record', test: /[\\/]dist[\\/]log[\\/](record|store)\.js$/ }] },
  },
  logLevel: 'warn',
});
for (const f of fs.readdirSync(path.join(root, 'dist/bundle'))) {
  const out = fs.readFileSync(path.join(root, 'dist/bundle', f), 'utf8');
  const left = /\bimport\((["'])[^"']*\1\)/.exec(out.replace(/^\s*\*.*$/gm, ''));
  if (left) throw new Error(`dist/bundle/${f} still has a dynamic ${left[0]}: it would fail when loaded with the code cache`);
}
