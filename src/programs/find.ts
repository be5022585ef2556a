// find (GNU findutils): starting points, then an expression of tests and actions. Actions
// run commands (-exec, -execdir, -ok, -okdir … ; or +), delete (-delete) or write files
// (-fprint FILE …). Words that are the arguments of a test (-name -delete) are data.
import type { Word } from '../shell/types.js';
import type { ProgramSpec, Run } from './types.js';
import { lit, pushAll } from './words.js';

/** Expression primaries that take one argument (two for -fprintf). */
const ONE_ARG = new Set([
  '-name', '-iname', '-path', '-ipath', '-wholename', '-iwholename', '-regex', '-iregex', '-lname', '-ilname', '-type', '-xtype', '-user', '-group', '-uid', '-gid', '-perm', '-size', '-mtime', '-mmin', '-atime', '-amin', '-ctime', '-cmin', '-newer', '-anewer', '-cnewer', '-inum', '-links', '-samefile', '-maxdepth', '-mindepth', '-fstype', '-context', '-used', '-printf', '-fprint', '-fprint0', '-fls', '-files0-from', '-regextype', '-D', '-O',
]);
const WRITES_FILE = new Set(['-fprint', '-fprint0', '-fls', '-fprintf']);
const RUNS = new Set(['-exec', '-execdir', '-ok', '-okdir']);
/** Tests that narrow which paths an action applies to (depth limits do not: -mindepth 1 still empties the start). */
const FILTERS = /^-(i?name|i?path|i?wholename|i?regex|i?lname|x?type|mtime|mmin|atime|amin|ctime|cmin|newer\w*|anewer|cnewer|size|empty|user|group|uid|gid|nouser|nogroup|perm|links|inum|samefile|used|readable|writable|executable)$/;

export interface FindExpr {
  starts: Word[];
  /** The action primaries as written, in order (-delete, -print …), not arguments of tests. */
  actions: string[];
  /** Each -exec … ; | + with its primary. */
  execs: { primary: string; argv: Word[] }[];
  /** Files written by -fprint and its kin. */
  writes: Word[];
  /** Files read as lists of start points. */
  reads: Word[];
  /** A test narrows which paths the actions see. */
  filtered: boolean;
}

export function parseFind(args: readonly Word[]): FindExpr {
  let i = 0;
  // Options before the starting points: -H -L -P -D debugopts -Olevel.
  while (i < args.length && /^-(H|L|P|D|O\d*)$/.test(args[i].value ?? '')) i += args[i].value === '-D' ? 2 : 1;
  const starts: Word[] = [];
  for (; i < args.length; i++) {
    const v = args[i].value;
    if (v === null) {
      starts.push(args[i]);
      continue;
    }
    if ((v.startsWith('-') && v.length > 1) || v === '(' || v === '!' || v === ',') break;
    starts.push(args[i]);
  }
  const e: FindExpr = { starts, actions: [], execs: [], writes: [], reads: [], filtered: false };
  for (; i < args.length; i++) {
    const v = args[i].value;
    if (v === null) continue;
    if (RUNS.has(v)) {
      const argv: Word[] = [];
      let j = i + 1;
      for (; j < args.length; j++) {
        const a = args[j].value;
        if (a === ';' || (a === '+' && argv.length && argv[argv.length - 1].value === '{}')) break;
        argv.push(args[j]);
      }
      e.execs.push({ primary: v, argv });
      e.actions.push(v);
      i = j;
      continue;
    }
    if (v === '-fprintf') {
      if (args[i + 1]) e.writes.push(args[i + 1]);
      e.actions.push(v);
      i += 2;
      continue;
    }
    if (ONE_ARG.has(v)) {
      if (WRITES_FILE.has(v)) {
        if (args[i + 1]) e.writes.push(args[i + 1]);
        e.actions.push(v);
      } else if (v === '-files0-from' && args[i + 1]) e.reads.push(args[i + 1]);
      else if (FILTERS.test(v)) e.filtered = true;
      i++;
      continue;
    }
    if (FILTERS.test(v)) e.filtered = true;
    else if (v.startsWith('-')) e.actions.push(v);
  }
  if (!e.starts.length && !e.reads.length) e.starts.push(lit('.'));
  return e;
}

/** What {} stands for below a start point: a path strictly below it with a filter, else the start itself too. */
function below(start: Word, filtered: boolean): Word {
  if (!filtered || start.value === null) return start;
  return lit((start.value.endsWith('/') ? start.value : start.value + '/') + '{}');
}

export const find: ProgramSpec = {
  names: ['find'],
  options: { singleDashLong: true },
  runs(args): Run[] {
    const e = parseFind(args);
    const out: Run[] = [];
    for (const x of e.execs) {
      if (!x.argv.length) continue;
      // One inner command per start point, with {} standing for what it visits.
      for (const s of e.starts) {
        const b = below(s, e.filtered);
        out.push({ kind: 'argv', argv: x.argv.map((w) => (w.value?.includes('{}') ? (b.value === null ? b : { value: w.value.split('{}').join(b.value), raw: w.raw, glob: false }) : w)) });
      }
    }
    return out;
  },
  effects(a, out) {
    const e = parseFind(a.args);
    pushAll(out.reads, e.starts, e.reads);
    pushAll(out.writes, e.writes);
    if (e.actions.includes('-delete')) for (const s of e.starts) out.writes.push(below(s, e.filtered));
  },
};

export const programs = [find];
