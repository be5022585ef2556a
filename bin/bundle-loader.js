// Loads the CommonJS bundle in dist/bundle/ (scripts/bundle.js: main.cjs, hook.cjs and their
// chunks) with V8's code cache beside each file (<file>.cache): a cold start then deserialises
// the compiled functions it needs instead of parsing and compiling them. Node 20 has no
// compile cache for modules; a script compiled through vm takes V8's cachedData.
//
// Trust: a code cache is code. It lives only next to the file it caches, written at build
// time (scripts/code-cache.js) or by a run that found it missing or rejected (after a Node
// upgrade), so whoever can write it can write the bundle itself; one that others than the
// bundle's owner may write is not read. A cache names the size, modification time and inode
// of the file it was made from and is used for that file only; V8 rejects one made by another
// V8 or with other flags. Without a usable cache a file compiles from source.
// CommonJS (bin/package.json), like bin/agentguard.js: an ES module entry starts Node's ES
// module loader, which reads the entry through fs/promises and loads streams and readline with it.
'use strict';
/* eslint-disable typescript/no-require-imports -- CommonJS on purpose (see above) */
const fs = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

const BUNDLE_DIR = path.join(__dirname, '..', 'dist', 'bundle');

/** Files loaded in this process: their exports and their compiled scripts. */
const loaded = new Map();
let owner;

/**
 * The exports of dist/bundle/<name> (main.cjs or hook.cjs). The bundle's own chunks load the
 * same way; packages and built-ins through Node's require.
 */
function loadBundle(name) {
  // The grammar's WASM runs on Liftoff only (src/shell/parser.ts says why). V8's flags are part
  // of the code cache's check, so they are set before any compile, as when the cache was made.
  v8.setFlagsFromString('--liftoff-only');
  return load(path.join(BUNDLE_DIR, name));
}

/**
 * Packages outside the bundle that every check loads, loaded the same way: their caches live
 * in dist/bundle/ (never in node_modules), made for the file they name as the others are.
 */
const OUTSIDE = new Set(['web-tree-sitter']);

function load(file, cacheFile = `${file}.cache`) {
  const known = loaded.get(file);
  if (known) return known.module.exports;
  const fd = fs.openSync(file, 'r');
  let source, sig;
  try {
    const st = fs.fstatSync(fd);
    sig = signature(st);
    source = fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
  const cachedData = readCache(cacheFile, sig);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} };
  loaded.set(file, { module, script, sig, cacheFile, stale: !cachedData || script.cachedDataRejected === true });
  const outside = createRequire(file);
  const require = (id) => {
    if (id.startsWith('./') && id.endsWith('.cjs')) return load(path.join(path.dirname(file), id));
    if (OUTSIDE.has(id)) {
      const resolved = outside.resolve(id);
      if (resolved.endsWith('.cjs')) return load(resolved, path.join(BUNDLE_DIR, `${id}.cjs.cache`));
    }
    return outside(id);
  };
  script.runInThisContext()(module.exports, require, module, file, path.dirname(file));
  return module.exports;
}

/**
 * Writes the code cache of each file loaded that had none or whose cache V8 rejected (each
 * one, with force): call it after the work, so that the functions the run compiled are in it.
 */
function saveCodeCache(force = false) {
  const todo = [...loaded].filter(([, { stale }]) => stale || force);
  if (!todo.length) return;
  try {
    fs.accessSync(BUNDLE_DIR, fs.constants.W_OK);
  } catch {
    // A read-only install: it compiles from source each time (making a cache to throw away costs).
    return;
  }
  for (const { script, sig, cacheFile } of todo.map(([, v]) => v)) {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, Buffer.concat([sig, script.createCachedData()]), { mode: 0o644 });
      fs.renameSync(tmp, cacheFile);
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }
}

/**
 * What a cache records of the source it was made from (size, modification time, inode): V8
 * itself only compares the source's length, and a cache of other code would run that code.
 */
function signature(st) {
  const b = Buffer.alloc(32);
  b.write('agcc1', 0, 'latin1');
  b.writeDoubleLE(st.size, 8);
  b.writeDoubleLE(st.mtimeMs, 16);
  b.writeDoubleLE(st.ino, 24);
  return b;
}

function readCache(cacheFile, sig) {
  let fd;
  try {
    fd = fs.openSync(cacheFile, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = fs.fstatSync(fd);
    owner ??= fs.statSync(BUNDLE_DIR).uid;
    if (!st.isFile() || (st.mode & 0o022) !== 0 || st.uid !== owner) return undefined;
    const data = fs.readFileSync(fd);
    return data.length > sig.length && data.subarray(0, sig.length).equals(sig) ? data.subarray(sig.length) : undefined;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

module.exports = { BUNDLE_DIR, loadBundle, saveCodeCache };
