// The analysis is pure: it sees files only through the FsView (src/shell/fsview.ts, the one
// module that binds it to the real file system) and never starts processes or opens sockets.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../../src/shell');
const files = fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
const FORBIDDEN = /from ['"](node:)?(fs|fs\/promises|child_process|net|http|https|dgram|tls|worker_threads)['"]/;

describe('src/shell is pure', () => {
  it('the check recognises a forbidden import', () => {
    expect(FORBIDDEN.test("import fs from 'node:fs';")).toBe(true);
    expect(FORBIDDEN.test("import { spawnSync } from 'child_process';")).toBe(true);
    expect(FORBIDDEN.test("import path from 'node:path';")).toBe(false);
  });
  it.each(files.filter((f) => f !== 'fsview.ts'))('%s imports no file system, process or network module', (f) => {
    expect(fs.readFileSync(path.join(root, f), 'utf8')).not.toMatch(FORBIDDEN);
  });
  it('programs/ modules are covered', () => {
    expect(files).toEqual(expect.arrayContaining(['programs/make.ts', 'programs/npm.ts', 'programs/git.ts', 'programs/scripts.ts']));
  });
});
