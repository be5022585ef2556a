// Links a line makes before it writes or reads through them. `ln -s ~ x && rm -rf x/` deletes
// home though no word names it, and the file system the analysis looks at does not have x
// yet: this adds, to every later command's paths that go through such a link, the path
// the link reaches (or makes the path unknown when the link's target is).
import path from 'node:path';
import type { Command, PathTarget, Word } from './types.js';

interface Link {
  /** Where the link is (absolute). */
  at: string;
  /** What it reaches (absolute), null when the target is not static. */
  to: string | null;
  /** Index of the command that made it: only later commands go through it. */
  index: number;
}

/** ln options that take a value in the next word (GNU coreutils ln(1)). */
const LN_VALUE = new Set(['-S', '--suffix', '-t', '--target-directory']);
/** cp options that take a value in the next word (GNU coreutils cp(1)); cp -s makes symlinks. */
const CP_VALUE = new Set(['-S', '--suffix', '-t', '--target-directory']);

/**
 * Programs that act on a link itself when named without a trailing slash: `rm x` removes
 * the link, `mv x y` renames it, `sed -i` replaces it by a regular file.
 */
const ON_THE_LINK = new Set(['rm', 'unlink', 'rmdir', 'mv', 'ln', 'sed', 'readlink', 'stat', 'ls']);

export function followNewLinks(commands: Command[], isDirectory: (p: string) => boolean): void {
  const links: Link[] = [];
  for (const cmd of commands) {
    if (links.length) {
      for (const t of cmd.writes) through(t, links, cmd);
      for (const t of cmd.reads) through(t, links, cmd);
    }
    if (cmd.program === 'ln' || (cmd.program === 'cp' && makesSymlinks(cmd.argv))) links.push(...made(cmd, isDirectory));
  }
}

function makesSymlinks(argv: Word[]): boolean {
  return argv.slice(1).some((w) => w.value !== null && (w.value === '--symbolic-link' || /^-[a-zA-Z]*s[a-zA-Z]*$/.test(w.value)));
}

/** The links `ln …` / `cp -s …` makes, once per possible cwd. */
function made(cmd: Command, isDirectory: (p: string) => boolean): Link[] {
  if (!cmd.cwds) return [];
  const valueOpts = cmd.program === 'ln' ? LN_VALUE : CP_VALUE;
  const operands: Word[] = [];
  let targetDir: Word | null = null;
  let noTargetDir = false;
  let relative = false;
  let symbolic = cmd.program === 'cp';
  let options = true;
  const argv = cmd.argv.slice(1);
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i];
    const v = w.value;
    if (!options || v === null || !v.startsWith('-') || v === '-') {
      operands.push(w);
      continue;
    }
    if (v === '--') options = false;
    else if (v.startsWith('--target-directory=')) targetDir = { ...w, value: v.slice('--target-directory='.length) };
    else if (valueOpts.has(v)) {
      if (v === '-t' || v === '--target-directory') targetDir = argv[i + 1] ?? null;
      i++;
    } else if (v === '--symbolic') symbolic = true;
    else if (v === '--relative') relative = true;
    else if (v === '--no-target-directory') noTargetDir = true;
    else if (!v.startsWith('--')) {
      // A cluster: -sfn, -st DIR (the value of t is the rest or the next word).
      const t = v.indexOf('t');
      const flags = t >= 0 ? v.slice(1, t) : v.slice(1);
      if (flags.includes('s')) symbolic = true;
      if (flags.includes('r')) relative = true;
      if (flags.includes('T')) noTargetDir = true;
      if (t >= 0) {
        if (t < v.length - 1) targetDir = { ...w, value: v.slice(t + 1) };
        else targetDir = argv[++i] ?? null;
      } else if (flags.includes('S')) i++;
    }
  }
  const pairs: { source: Word; at: Word; intoDir: boolean }[] = [];
  if (targetDir) for (const s of operands) pairs.push({ source: s, at: targetDir, intoDir: true });
  else if (operands.length === 1) pairs.push({ source: operands[0], at: { value: '.', raw: '.', glob: false }, intoDir: true });
  else if (operands.length >= 2) {
    const last = operands[operands.length - 1];
    for (const s of operands.slice(0, -1)) pairs.push({ source: s, at: last, intoDir: operands.length > 2 });
  }
  const out: Link[] = [];
  for (const cwd of cmd.cwds) {
    for (const { source, at, intoDir } of pairs) {
      if (at.value === null) continue;
      const base = path.posix.resolve(cwd, at.value);
      // `ln -s T NAME` makes NAME, or NAME/basename(T) when NAME is a directory: both, when unsure.
      const places = [intoDir && !noTargetDir ? path.posix.join(base, path.posix.basename(source.value ?? '')) : base];
      if (!intoDir && !noTargetDir && source.value !== null && isDirectory(base)) places.push(path.posix.join(base, path.posix.basename(source.value)));
      for (const place of places) {
        let to: string | null = null;
        if (source.value !== null) {
          // A symlink's relative target is read from the link's directory, unless ln -r made it from the cwd.
          const from = symbolic && !relative ? path.posix.dirname(place) : cwd;
          to = path.posix.resolve(from, source.value);
        }
        out.push({ at: place, to, index: cmd.index });
      }
    }
  }
  return out;
}

/** Adds to t the paths reached through links made before cmd. */
function through(t: PathTarget, links: Link[], cmd: Command): void {
  if (!t.paths) return;
  const followsExact = !ON_THE_LINK.has(cmd.program ?? '') || /\/(\.|\*|\.\*)?["']?$/.test(t.raw);
  const added: string[] = [];
  for (const p of t.paths) {
    for (const l of links) {
      if (l.index >= cmd.index) continue;
      let rest: string | null = null;
      if (p === l.at) rest = followsExact ? '' : null;
      else if (p.startsWith(l.at + '/')) rest = p.slice(l.at.length);
      if (rest === null) continue;
      if (l.to === null) {
        t.paths = null;
        return;
      }
      added.push(path.posix.normalize(l.to + rest));
    }
  }
  for (const a of added) if (!t.paths.includes(a)) t.paths.push(a);
}
