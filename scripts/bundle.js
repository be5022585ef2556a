// Bundles the CLI and the hook entry (dist/cli/main.js, dist/hooks/run.js) into dist/bundle/:
// a cold `agentguard check` or hook then loads a handful of modules instead of ~100 (each ES
// module costs Node about 0.3 ms to resolve, read, compile and link). The bundle sits two
// levels below the package root, as every dist module does, so their paths relative to
// import.meta.url (rules, profiles, build/Release, package.json) stay the same. Packages in
// node_modules and node: built-ins stay imports.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Chunk names carry a hash: last build's chunks go first.
fs.rmSync(path.join(root, 'dist/bundle'), { recursive: true, force: true });
await build({
  input: { main: path.join(root, 'dist/cli/main.js'), hook: path.join(root, 'dist/hooks/run.js') },
  platform: 'node',
  external: (id) => !id.startsWith('.') && !path.isAbsolute(id),
  output: { dir: path.join(root, 'dist/bundle'), format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', sourcemap: false },
  logLevel: 'warn',
});
