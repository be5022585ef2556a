#!/usr/bin/env node
// Builds agentguard's C programs (the shell shim, the egress bridge, the escalation broker)
// into build/Release/ with the system's C compiler, from the targets in binding.gyp (which
// `npx node-gyp rebuild` also reads). It is the package's install script, for a clone and
// for a tarball alike. They are plain executables: node-gyp would need Node's headers (and
// fetch them from nodejs.org where none are configured) and Python for nothing. Each program
// is compiled to a temporary name and renamed into place, so a failed build leaves the
// programs that were there working; any failure fails the install, saying what to do.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { targets } = JSON.parse(fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8'));
const cc = process.env.CC || 'cc';
const out = path.join(root, 'build', 'Release');
fs.mkdirSync(out, { recursive: true });

const failed = [];
for (const t of targets) {
  const dest = path.join(out, t.target_name);
  const tmp = `${dest}.tmp-${process.pid}`;
  // What node-gyp adds to every target and these programs rely on: large-file offsets.
  const argv = ['-D_FILE_OFFSET_BITS=64', '-D_LARGEFILE_SOURCE', '-Wno-unused-parameter', ...(t.cflags ?? []), ...t.sources.map((s) => path.join(root, s)), '-o', tmp, ...(t.ldflags ?? [])];
  const r = spawnSync(cc, argv, { stdio: 'inherit' });
  if (r.status === 0) {
    fs.renameSync(tmp, dest);
    continue;
  }
  fs.rmSync(tmp, { force: true });
  failed.push(`${t.target_name}: ${r.error ? `cannot run ${cc} (${r.error.code ?? r.error.message})` : `${cc} exited with status ${r.status ?? r.signal}`}`);
}
if (failed.length) {
  process.stderr.write(
    `agentguard: could not build its C programs in ${out}:\n${failed.map((f) => `  ${f}\n`).join('')}` +
      `They need a C compiler and the C library's static archive (Debian/Ubuntu: apt-get install build-essential; another compiler: CC=...). ` +
      `Without them agentguard cannot start a session. Then run: cd ${root} && npm run build:shim\n`,
  );
  process.exit(1);
}
process.stdout.write(`agentguard: built ${targets.map((t) => t.target_name).join(', ')} in ${out}\n`);
