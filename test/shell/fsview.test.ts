// The file view's read cache: a file is read again whenever it may have changed, and only
// then. Real files in a fresh temporary directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ReadCache, readTextCached, realFs } from '../../src/shell/fsview.js';

const dir = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-fsview-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const text = (r: ReturnType<typeof realFs.readText>) => (r.kind === 'text' ? r.text : r.kind);

describe('realFs.readText', () => {
  it('sees a rewrite made right after a read, even with the same size', () => {
    const f = path.join(dir, 'config');
    fs.writeFileSync(f, 'alias.x = status\n');
    expect(text(realFs.readText(f, 1024))).toBe('alias.x = status\n');
    fs.writeFileSync(f, 'alias.x = !rm -rf\n'.slice(0, 17));
    expect(text(realFs.readText(f, 1024))).toBe('alias.x = !rm -rf');
    fs.rmSync(f);
    expect(realFs.readText(f, 1024).kind).toBe('missing');
  });

  it('gives the stamp the file has', () => {
    const f = path.join(dir, 'stamped');
    fs.writeFileSync(f, 'x');
    const r = realFs.readText(f, 1024);
    expect(r.kind === 'text' && r.stamp).toBe(realFs.stamp(f));
  });
});

describe('ReadCache', () => {
  it('reads a file unchanged since it was kept from memory, and again once its stamp changes', () => {
    // A window reaching into the future: the file counts as settled at once.
    const cache = new ReadCache(8, 1024, -10_000_000_000n);
    const f = path.join(dir, 'kept');
    fs.writeFileSync(f, 'one');
    const open = vi.spyOn(fs, 'openSync');
    try {
      expect(text(readTextCached(f, 1024, cache))).toBe('one');
      expect(open).toHaveBeenCalledTimes(1);
      const again = readTextCached(f, 1024, cache);
      expect(text(again)).toBe('one');
      expect(open).toHaveBeenCalledTimes(1);
      expect(again.kind === 'text' && again.stamp).toBe(realFs.stamp(f));
      // Within the budget only: a smaller limit makes the kept text too large.
      expect(readTextCached(f, 2, cache)).toEqual({ kind: 'too-large', size: 3 });
      fs.writeFileSync(f, 'three');
      expect(text(readTextCached(f, 1024, cache))).toBe('three');
      expect(open).toHaveBeenCalledTimes(2);
      // Replaced by another file (another inode) of the same size and content length.
      fs.writeFileSync(f + '.new', 'THREE');
      fs.renameSync(f + '.new', f);
      expect(text(readTextCached(f, 1024, cache))).toBe('THREE');
    } finally {
      open.mockRestore();
    }
  });

  it('does not keep a file changed within the racy window before it was read', () => {
    const cache = new ReadCache(8, 1024, 60_000_000_000n);
    const f = path.join(dir, 'fresh');
    fs.writeFileSync(f, 'abc');
    const open = vi.spyOn(fs, 'openSync');
    try {
      readTextCached(f, 1024, cache);
      readTextCached(f, 1024, cache);
      expect(open).toHaveBeenCalledTimes(2);
    } finally {
      open.mockRestore();
    }
  });
});
