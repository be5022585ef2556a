// GNU make: the recipes of the Makefile make will read, for the targets it will build.
// make runs a recipe line with no shell syntax by execvp, never through a shell, so reading
// the Makefile is the only check those lines get. Covers -f/-C, the default goal,
// prerequisites, include, explicit, static and simple pattern rules, variables of every
// flavour, automatic variables, the common functions and $(shell …) (which runs while the
// Makefile is read). Conditionals are read conservatively: every branch may apply, and a
// variable set in one is taken with all its possible values. What cannot be expanded
// becomes a shell variable that is unknown at run time, so rules only maybe match.
import path from 'node:path';
import type { Word } from '../shell/types.js';
import { resolve, unreadable, type CodeRuns, type ProgramContext, type ScriptToRun } from './context.js';

export const MAKES = new Set(['make', 'gmake']);

const MAX_ALTERNATIVES = 4;
const MAX_VARIANTS = 8;
const MAX_STEPS = 200_000;
const MAX_TARGETS = 5_000;
const MAX_RECIPE_LINES = 5_000;
const MAX_INCLUDE_DEPTH = 16;

/** Values GNU make has before any makefile is read. */
const DEFAULTS: Record<string, string> = {
  CC: 'cc', CXX: 'g++', CPP: '$(CC) -E', FC: 'f77', F77: '$(FC)', PC: 'pc', AR: 'ar', ARFLAGS: '-rv', AS: 'as', LD: 'ld', LEX: 'lex', YACC: 'yacc', LINT: 'lint',
  M2C: 'm2c', MAKEINFO: 'makeinfo', TEX: 'tex', TEXI2DVI: 'texi2dvi', WEAVE: 'weave', CWEAVE: 'cweave', TANGLE: 'tangle', CTANGLE: 'ctangle', GET: 'get', CO: 'co',
  RM: 'rm -f', MAKE: 'make', SHELL: '/bin/sh', '.SHELLFLAGS': '-c', MAKELEVEL: '0', MAKEFLAGS: '', MFLAGS: '', OUTPUT_OPTION: '-o $@',
  'COMPILE.c': '$(CC) $(CFLAGS) $(CPPFLAGS) $(TARGET_ARCH) -c', 'LINK.c': '$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) $(TARGET_ARCH)',
  'COMPILE.cc': '$(CXX) $(CXXFLAGS) $(CPPFLAGS) $(TARGET_ARCH) -c', 'LINK.cc': '$(CXX) $(CXXFLAGS) $(CPPFLAGS) $(LDFLAGS) $(TARGET_ARCH)', 'LINK.o': '$(CC) $(LDFLAGS) $(TARGET_ARCH)',
};

/** The defaults as variables, made once: a Make copies the map (values are never changed in place). */
const DEFAULT_VARS: ReadonlyMap<string, Var> = new Map(Object.entries(DEFAULTS).map(([k, v]) => [k, { flavor: 'recursive', values: [v], origin: 'default' }]));

/** GNU make's built-in pattern rules that matter for C and C++ builds. */
const BUILTIN_PATTERNS: [string, string, string][] = [
  ['%.o', '%.c', '$(COMPILE.c) $(OUTPUT_OPTION) $<'],
  ['%.o', '%.cc', '$(COMPILE.cc) $(OUTPUT_OPTION) $<'],
  ['%.o', '%.cpp', '$(COMPILE.cc) $(OUTPUT_OPTION) $<'],
  ['%', '%.c', '$(LINK.c) $^ $(LOADLIBES) $(LDLIBS) -o $@'],
  ['%', '%.cc', '$(LINK.cc) $^ $(LOADLIBES) $(LDLIBS) -o $@'],
  ['%', '%.cpp', '$(LINK.cc) $^ $(LOADLIBES) $(LDLIBS) -o $@'],
  ['%', '%.o', '$(LINK.o) $^ $(LOADLIBES) $(LDLIBS) -o $@'],
];

/** Programs that write a Makefile from the project's build description. */
const MAKEFILE_GENERATORS = /^(cmake|meson|qmake|qmake6|autoreconf|automake|configure|config\.status|node-gyp|gyp|premake[45]?|bootstrap|autogen\.sh)$/;

const SPECIAL_TARGETS = new Set(['.PHONY', '.SUFFIXES', '.DEFAULT', '.PRECIOUS', '.INTERMEDIATE', '.NOTINTERMEDIATE', '.SECONDARY', '.SECONDEXPANSION', '.DELETE_ON_ERROR', '.IGNORE', '.LOW_RESOLUTION_TIME', '.SILENT', '.EXPORT_ALL_VARIABLES', '.NOTPARALLEL', '.ONESHELL', '.POSIX', '.WAIT']);
/** Options that take a value (attached or as the next word). */
const VALUE_LETTERS = new Set(['f', 'C', 'I', 'o', 'W', 'E']);
const LONG_VALUE = new Set(['--file', '--makefile', '--directory', '--include-dir', '--old-file', '--assume-old', '--what-if', '--new-file', '--assume-new', '--eval', '--jobs', '--load-average', '--max-load', '--output-sync', '--debug', '--jobserver-auth', '--jobserver-style', '--shuffle']);

interface Var {
  flavor: 'recursive' | 'simple';
  /** Possible values: more than one when set differently in branches of a conditional. */
  values: string[];
  origin: 'default' | 'environment' | 'file' | 'command line' | 'override';
}

interface Rule {
  targets: string[];
  prereqs: string[];
  orderOnly: string[];
  recipe: string[];
  /** Target pattern of a pattern rule (or of a static pattern rule's targets). */
  pattern: string | null;
  /** For static pattern rules: the prerequisite patterns. */
  staticPrereqs?: string[];
}

interface Options {
  files: string[];
  dirs: string[];
  goals: string[];
  vars: [string, string][];
  evals: string[];
  envOverrides: boolean;
  /** -I / --include-dir: included makefiles are also searched there. */
  includeDirs: boolean;
}

/** What `make args…` runs (argv without argv[0]). */
export function codeItRuns(program: string, args: readonly Word[], ctx: ProgramContext): CodeRuns {
  const o = parseArgs(args);
  if (typeof o === 'string') return { scripts: [], opaque: [o] };
  let dir = ctx.cwd;
  for (const d of o.dirs) dir = resolve(dir, d, ctx.home);
  const m = new Make(program, dir, o, ctx);
  m.run();
  return { scripts: m.scripts, opaque: [...new Set(m.opaque)] };
}

function parseArgs(args: readonly Word[]): Options | string {
  const o: Options = { files: [], dirs: [], goals: [], vars: [], evals: [], envOverrides: false, includeDirs: false };
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === null) return `make argument is not static: ${args[i].raw}`;
    const next = (): string | null => {
      const w = args[++i];
      return w ? w.value : null;
    };
    if (v === '--') {
      for (const w of args.slice(i + 1)) {
        if (w.value === null) return `make argument is not static: ${w.raw}`;
        addPositional(o, w.value);
      }
      break;
    }
    if (v.startsWith('--')) {
      const eq = v.indexOf('=');
      const name = eq > 0 ? v.slice(0, eq) : v;
      let value: string | null = eq > 0 ? v.slice(eq + 1) : null;
      if (value === null && LONG_VALUE.has(name) && !['--jobs', '--load-average', '--max-load', '--output-sync', '--debug', '--shuffle'].includes(name)) value = next();
      if (value === null && LONG_VALUE.has(name) && ['--file', '--makefile', '--directory', '--eval'].includes(name)) return `make ${name} value is not static`;
      if (name === '--file' || name === '--makefile') o.files.push(value!);
      else if (name === '--directory') o.dirs.push(value!);
      else if (name === '--eval') o.evals.push(value!);
      else if (name === '--environment-overrides') o.envOverrides = true;
      else if (name === '--include-dir') o.includeDirs = true;
      continue;
    }
    if (v.startsWith('-') && v.length > 1) {
      for (let j = 1; j < v.length; j++) {
        const l = v[j];
        if (VALUE_LETTERS.has(l)) {
          const value = j + 1 < v.length ? v.slice(j + 1) : next();
          if (value === null) return `make -${l} value is not static`;
          if (l === 'f') o.files.push(value);
          else if (l === 'C') o.dirs.push(value);
          else if (l === 'E') o.evals.push(value);
          else if (l === 'I') o.includeDirs = true;
          break;
        }
        if (l === 'j' || l === 'l') {
          // Optional numeric value: -j8, -j 8.
          if (j + 1 < v.length) break;
          if (/^\d+(\.\d+)?$/.test(args[i + 1]?.value ?? '')) i++;
          break;
        }
        if (l === 'O') break;
        if (l === 'e') o.envOverrides = true;
      }
      continue;
    }
    addPositional(o, v);
  }
  return o;
}

function addPositional(o: Options, v: string) {
  const m = /^([^\s=:#]+?)\s*(:{0,3}=|\?=|\+=|!=)/.exec(v);
  if (m && /=/.test(v)) o.vars.push([m[1], v]);
  else o.goals.push(v);
}

class Make {
  scripts: ScriptToRun[] = [];
  opaque: string[] = [];
  private vars: Map<string, Var> = new Map();
  private explicit = new Map<string, Rule[]>();
  private patterns: Rule[] = [];
  private defaultGoal: string | null = null;
  private oneshell = false;
  private makefiles: string[] = [];
  /** Included makefiles that are not there yet (make builds them when a rule says how, then reads them). */
  private missingIncludes: string[] = [];
  private secondExpansion = false;
  /** The Makefile exports variables or sets MAKEFLAGS, and a recipe starts $(MAKE). */
  private exportsToSubMake = false;
  private subMake = false;
  private condDepth = 0;
  /** Set when an expansion read a variable nobody defines (empty for make, unknown to us). */
  private undefinedSeen = false;
  private steps = 0;
  private unknowns = 0;
  private recipeLines = 0;
  private seenScripts = new Set<string>();
  private env: Record<string, string>;

  constructor(private program: string, private dir: string, private o: Options, private ctx: ProgramContext) {
    this.env = ctx.env;
  }

  run() {
    this.vars = new Map(DEFAULT_VARS);
    for (const [k, v] of Object.entries(this.env)) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && k !== 'SHELL' && k !== 'MAKEFLAGS') this.vars.set(k, { flavor: 'simple', values: [v], origin: 'environment' });
    for (const k of this.ctx.dynamicEnv) this.vars.set(k, { flavor: 'simple', values: [this.unknown()], origin: 'environment' });
    this.set('CURDIR', this.dir, 'default', 'simple');
    this.set('MAKECMDGOALS', this.o.goals.join(' '), 'default', 'simple');
    for (const [, text] of this.o.vars) {
      const op = findOperator(text);
      if (op?.kind === 'assign') this.assign(text.slice(0, op.at).trim(), op.op, text.slice(op.at + op.op.length), 'command line');
    }

    const files = this.o.files.length ? this.o.files : null;
    if (files) {
      for (const f of files) {
        if (f === '-') {
          if (this.ctx.stdin === null) this.opaque.push(`${this.program} reads its Makefile from stdin, which is not static`);
          else this.parse(this.ctx.stdin, 'stdin');
        } else this.include(f, false, 0, true);
      }
    } else {
      let found = false;
      for (const name of ['GNUmakefile', 'makefile', 'Makefile']) {
        const r = this.ctx.read(path.posix.join(this.dir, name));
        if (r.kind === 'missing') continue;
        found = true;
        if (r.kind === 'installed') return;
        if (r.kind !== 'text') this.opaque.push(unreadable(r, path.posix.join(this.dir, name), this.ctx.cwd)!);
        else {
          this.makefiles.push(name);
          this.parse(r.text, name);
        }
        break;
      }
      if (!found) {
        // `cmake .. && make`, `./configure && make`: the Makefile is one a generator is about to write.
        if (!this.ctx.earlier().some((c) => c.program !== null && MAKEFILE_GENERATORS.test(c.program))) this.opaque.push(unreadable({ kind: 'missing' }, path.posix.join(this.dir, 'Makefile'), this.ctx.cwd)!);
        return;
      }
    }
    for (const e of this.o.evals) this.parse(e, '--eval');
    this.checkShell();
    // What this reading does not follow, and make would: fail closed.
    if (this.o.envOverrides) this.opaque.push(`${this.program} -e: variables from the environment override the Makefile's, which this check does not follow`);
    if (this.o.includeDirs) this.opaque.push(`${this.program} -I: included makefiles are searched in other directories, which this check does not follow`);
    if (this.secondExpansion) this.opaque.push(`${this.program}: .SECONDEXPANSION expands prerequisites again when make runs, which this check does not follow`);
    for (const m of this.missingIncludes) if (this.explicit.has(m)) this.opaque.push(`${this.program} makes the makefile ${m} while it runs, then reads it: its content is not known before`);
    if (this.exportsToSubMake && this.subMake) this.opaque.push(`${this.program}: a sub-make inherits exported variables or MAKEFLAGS from this Makefile, which this check does not pass on`);

    const goals = this.o.goals.length ? this.o.goals : [this.one(this.expand('$(.DEFAULT_GOAL)')) || this.defaultGoal].filter((g): g is string => !!g);
    const visited = new Set<string>();
    // make first remakes the makefiles it read when a rule says how.
    for (const f of this.makefiles) if (this.explicit.has(f)) this.build(f, visited);
    for (const g of goals) this.build(g, visited);
  }

  // ---- reading makefiles -------------------------------------------------

  private include(name: string, optional: boolean, depth: number, explicit = false) {
    if (depth > MAX_INCLUDE_DEPTH) {
      this.opaque.push(`makefiles included more than ${MAX_INCLUDE_DEPTH} deep`);
      return;
    }
    if (name.includes('$__AGENTGUARD_MAKE_')) {
      this.opaque.push(`${this.program} includes a makefile whose name is only known when it runs`);
      return;
    }
    if (/[*?[]/.test(name)) {
      const found = this.glob(name);
      if (found.length === 1 && found[0] === name) this.opaque.push(`${this.program} includes makefiles by a pattern: ${name}`);
      else for (const f of found) this.include(f, optional, depth, explicit);
      return;
    }
    const file = resolve(this.dir, name, this.ctx.home);
    const r = this.ctx.read(file);
    if (r.kind === 'installed') return;
    if (r.kind === 'missing' && !explicit) {
      // make builds a missing include when a rule says how (the rule runs), else stops (optional: goes on).
      this.makefiles.push(name);
      this.missingIncludes.push(name);
      return;
    }
    if (r.kind !== 'text') {
      if (!optional || r.kind !== 'missing') this.opaque.push(unreadable(r, file, this.ctx.cwd)!);
      return;
    }
    this.makefiles.push(name);
    this.parse(r.text, name, depth + 1);
  }

  private parse(text: string, file: string, depth = 0) {
    if (/^\.SECONDEXPANSION\s*:/m.test(text)) this.secondExpansion = true;
    if (/^\s*(export\b|unexport\b|\.EXPORT_ALL_VARIABLES\s*:|(override\s+)?MAKEFLAGS\s*[+:?]?=)/m.test(text)) this.exportsToSubMake = true;
    if (/\$[({]MAKE[)}]|^\t[@+-]*\s*make\b/m.test(text)) this.subMake = true;
    const lines = text.split('\n');
    let rule: Rule | null = null;
    // Conditionals: a branch is taken, skipped, or (when its test depends on what is only
    // known at run time) read as possibly taken.
    const frames: { branch: 'true' | 'false' | 'both'; taken: boolean; maybe: boolean }[] = [];
    const active = () => frames.every((f) => f.branch !== 'false');
    const uncertain = () => frames.filter((f) => f.branch === 'both').length;
    for (let i = 0; i < lines.length; i++) {
      let raw = lines[i].replace(/\r$/, '');
      if (rule && raw.startsWith('\t') && !active()) {
        while (/(^|[^\\])(\\\\)*\\$/.test(raw) && i + 1 < lines.length) raw = lines[++i];
        continue;
      }
      if (rule && raw.startsWith('\t')) {
        // A recipe line: backslash-newlines stay for the shell; the next line's leading tab goes.
        let recipe = raw.slice(1);
        while (/(^|[^\\])(\\\\)*\\$/.test(recipe) && i + 1 < lines.length) {
          const next = lines[++i].replace(/\r$/, '');
          recipe += '\n' + (next.startsWith('\t') ? next.slice(1) : next);
        }
        rule.recipe.push(recipe);
        continue;
      }
      // A logical line: backslash-newline joins with one space.
      while (/(^|[^\\])(\\\\)*\\$/.test(raw) && i + 1 < lines.length) raw = raw.slice(0, -1).replace(/[ \t]+$/, '') + ' ' + lines[++i].replace(/\r$/, '').replace(/^[ \t]+/, '');
      const line = stripComment(raw).trim();
      if (!line) continue;
      const word = /^(\S+)(\s+|$)/.exec(line)?.[1] ?? '';
      const rest = line.slice(word.length).trim();
      if (['ifeq', 'ifneq', 'ifdef', 'ifndef'].includes(word)) {
        const c = active() ? this.condition(word, rest) : false;
        frames.push({ branch: c === null ? 'both' : c ? 'true' : 'false', taken: c === true, maybe: c === null });
        this.condDepth = uncertain();
        continue;
      }
      if (word === 'else') {
        const f = frames[frames.length - 1];
        if (!f) continue;
        const parentActive = frames.slice(0, -1).every((x) => x.branch !== 'false');
        const m = /^(ifeq|ifneq|ifdef|ifndef)\s*(.*)$/.exec(rest);
        let c: boolean | null = f.taken || !parentActive ? false : m ? this.condition(m[1], m[2]) : true;
        if (c !== false && f.maybe) c = null;
        f.branch = c === null ? 'both' : c ? 'true' : 'false';
        f.taken ||= c === true;
        f.maybe ||= c === null;
        this.condDepth = uncertain();
        continue;
      }
      if (word === 'endif') {
        frames.pop();
        this.condDepth = uncertain();
        continue;
      }
      if (!active()) {
        if (word === 'define' || ((word === 'override' || word === 'export' || word === 'private') && rest.startsWith('define'))) {
          let nest = 1;
          while (++i < lines.length) {
            const t = lines[i].trim();
            if (/^(override\s+|export\s+)?define(\s|$)/.test(t)) nest++;
            if (/^endef(\s|$)/.test(t) && --nest === 0) break;
          }
        }
        continue;
      }
      if (word === 'define' || ((word === 'override' || word === 'export' || word === 'private') && rest.startsWith('define'))) {
        const head = word === 'define' ? rest : rest.slice(6).trim();
        const body: string[] = [];
        let nest = 1;
        while (++i < lines.length) {
          const l = lines[i].replace(/\r$/, '');
          const t = l.trim();
          if (/^(override\s+|export\s+)?define(\s|$)/.test(t)) nest++;
          if (/^endef(\s|$)/.test(t) && --nest === 0) break;
          body.push(l);
        }
        const m = /^(.*?)\s*(::?=|:::=|\?=|\+=|!=|=)?\s*$/.exec(head)!;
        this.assign(this.one(this.expand(m[1].trim())), m[2] ?? '=', body.join('\n'), word === 'override' ? 'override' : 'file');
        rule = null;
        continue;
      }
      if (word === 'include' || word === '-include' || word === 'sinclude') {
        for (const v of this.expand(rest)) for (const name of v.split(/\s+/).filter(Boolean)) this.include(name, word !== 'include', depth);
        rule = null;
        continue;
      }
      if (word === 'load' || word === '-load') {
        this.opaque.push(`${this.program} loads a plugin: ${line}`);
        continue;
      }
      if (word === 'vpath' || word === 'undefine' || word === 'unexport' || ((word === 'export' || word === 'override' || word === 'private') && !/[=:]/.test(rest))) {
        if (word === 'undefine') this.vars.delete(this.one(this.expand(rest.replace(/^override\s+/, ''))));
        continue;
      }
      if (line.startsWith('$(eval') || line.startsWith('${eval')) {
        this.opaque.push(`${this.program}: $(eval …) makes Makefile text at run time: ${clip(line)}`);
        continue;
      }
      // Any other line ends the recipe of the rule before it.
      rule = this.statement(line) ?? null;
    }
    this.condDepth = 0;
  }

  /**
   * The value of a conditional's test, or null when it depends on what is only known at run
   * time: a variable neither the Makefile, the command line nor the known environment sets
   * (the real environment may), or a value with several possibilities.
   */
  private condition(kind: string, text: string): boolean | null {
    this.undefinedSeen = false;
    let result: boolean | null;
    if (kind === 'ifdef' || kind === 'ifndef') {
      const name = this.one(this.expand(text.trim()));
      const v = this.vars.get(name);
      const defined = v ? v.values.some((x) => x !== '') : null;
      if (v && v.values.length > 1 && new Set(v.values.map((x) => x !== '')).size > 1) result = null;
      else result = defined === null || name.includes('$__AGENTGUARD_MAKE_') ? null : kind === 'ifdef' ? defined : !defined;
    } else {
      const args = conditionArgs(text);
      if (!args) {
        this.opaque.push(`${this.program}: a conditional that is not understood: ${clip(text)}`);
        return null;
      }
      const a = this.expand(args[0]);
      const b = this.expand(args[1]);
      if (a.length > 1 || b.length > 1 || this.undefinedSeen || (a[0] + b[0]).includes('$__AGENTGUARD_MAKE_')) result = null;
      else result = (a[0].trim() === b[0].trim()) === (kind === 'ifeq');
    }
    this.undefinedSeen = false;
    return result;
  }

  /** An assignment or a rule line; returns the rule its recipe lines attach to (null: none). */
  private statement(line: string): Rule | null | undefined {
    let text = line;
    let origin: Var['origin'] = 'file';
    for (;;) {
      const m = /^(override|export|private)\s+/.exec(text);
      if (!m) break;
      if (m[1] === 'override') origin = 'override';
      text = text.slice(m[0].length);
    }
    const op = findOperator(text);
    if (op && op.kind === 'assign') {
      this.assign(this.one(this.expand(text.slice(0, op.at).trim())), op.op, text.slice(op.at + op.op.length).replace(/^[ \t]+/, ''), origin);
      return undefined;
    }
    if (!op) {
      // A line of only a function call ($(info …), $(shell …)): expanded for what it runs.
      if (/^\$[({]/.test(text)) this.expand(text);
      else this.opaque.push(`${this.program}: a Makefile line that is not understood: ${clip(line)}`);
      return null;
    }
    // A rule: targets : prerequisites [; recipe]
    const targetText = text.slice(0, op.at);
    let after = text.slice(op.at + op.op.length);
    let inline: string | null = null;
    const semi = topLevelIndex(after, ';');
    if (semi >= 0) {
      inline = after.slice(semi + 1).replace(/^[ \t]+/, '');
      after = after.slice(0, semi);
    }
    const targets = this.words(targetText);
    // Target-specific variable: `target: VAR = value` (taken as one more possible value).
    const inner = findOperator(after);
    if (inner && inner.kind === 'assign' && inline === null) {
      let t = after;
      let o2: Var['origin'] = 'file';
      for (;;) {
        const m = /^\s*(override|export|private)\s+/.exec(t);
        if (!m) break;
        if (m[1] === 'override') o2 = 'override';
        t = t.slice(m[0].length);
      }
      const op2 = findOperator(t)!;
      this.condDepth++;
      this.assign(this.one(this.expand(t.slice(0, op2.at).trim())), op2.op, t.slice(op2.at + op2.op.length).replace(/^[ \t]+/, ''), o2);
      this.condDepth--;
      return null;
    }
    let staticPattern: string | null = null;
    if (inner && inner.kind === 'rule') {
      staticPattern = after.slice(0, inner.at).trim();
      after = after.slice(inner.at + inner.op.length);
    }
    const bar = topLevelIndex(after, '|');
    const prereqs = this.words(bar >= 0 ? after.slice(0, bar) : after);
    const orderOnly = bar >= 0 ? this.words(after.slice(bar + 1)) : [];
    const rule: Rule = { targets, prereqs, orderOnly, recipe: inline !== null ? [inline] : [], pattern: null };
    if (staticPattern !== null) {
      rule.pattern = this.one(this.expand(staticPattern));
      rule.staticPrereqs = prereqs;
    }
    for (const t of targets) {
      if (t === '.ONESHELL') this.oneshell = true;
      if (t.includes('%') && staticPattern === null) {
        this.patterns.push({ ...rule, targets: [t], pattern: t });
        continue;
      }
      const list = this.explicit.get(t);
      if (list) list.push(rule);
      else this.explicit.set(t, [rule]);
      if (this.defaultGoal === null && !SPECIAL_TARGETS.has(t) && !(t.startsWith('.') && !t.includes('/'))) this.defaultGoal = t;
    }
    return rule;
  }

  private assign(name: string, op: string, value: string, origin: Var['origin']) {
    if (!name) return;
    const old = this.vars.get(name);
    // Command-line and override values win over the file's, and the file's over the environment's unless -e.
    if (old && (old.origin === 'command line' || old.origin === 'override') && origin === 'file') return;
    if (old && old.origin === 'environment' && origin === 'file' && this.o.envOverrides) return;
    if (old && old.origin === 'override' && origin === 'command line') return;
    if (name === '.RECIPEPREFIX') this.opaque.push(`${this.program}: the Makefile changes .RECIPEPREFIX`);
    let v: Var;
    if (op === '?=') {
      if (old && old.origin !== 'default') return;
      v = { flavor: 'recursive', values: [value], origin };
    } else if (op === '+=') {
      if (!old || old.origin === 'default') v = { flavor: 'recursive', values: [value], origin };
      else {
        const add = old.flavor === 'simple' ? this.expand(value) : [value];
        const values = old.values.flatMap((x) => add.map((a) => (x ? `${x} ${a}` : a)));
        v = { flavor: old.flavor, values: values.length > MAX_VARIANTS ? [this.unknown()] : values, origin };
        if (values.length > MAX_VARIANTS) v.flavor = 'simple';
        if (this.condDepth > 0) v.values = dedupe([...old.values, ...v.values]);
      }
    } else if (op === '!=') {
      this.shell(value);
      v = { flavor: 'simple', values: [this.unknown()], origin };
    } else if (op === '=') {
      v = { flavor: 'recursive', values: [value], origin };
      // $(shell …) in a recursive variable runs whenever the variable is used: read it now.
      if (/\$[({]shell\s/.test(value)) this.expand(value);
    } else v = { flavor: 'simple', values: this.expand(value), origin };
    if (this.condDepth > 0 && old && op !== '+=') {
      if (old.flavor !== v.flavor) {
        const all = dedupe([...this.valuesOf(old), ...this.valuesOf(v)]);
        v = { flavor: 'simple', values: all, origin };
      } else v = { ...v, values: dedupe([...old.values, ...v.values]) };
    }
    if (v.values.length > MAX_ALTERNATIVES) v = { flavor: 'simple', values: [this.unknown()], origin };
    this.vars.set(name, v);
  }

  private set(name: string, value: string, origin: Var['origin'], flavor: Var['flavor'] = 'recursive') {
    this.vars.set(name, { flavor, values: [value], origin });
  }

  private valuesOf(v: Var): string[] {
    return v.flavor === 'simple' ? v.values : v.values.flatMap((x) => this.expand(x));
  }

  private checkShell() {
    const shell = this.vars.get('SHELL');
    if (shell && shell.origin !== 'default') {
      for (const s of this.valuesOf(shell)) {
        const prog = path.posix.basename(s.trim().split(/\s+/)[0] ?? '');
        if (!/^(sh|bash|dash|zsh|ksh)$/.test(prog) || s.trim().includes(' ')) this.opaque.push(`${this.program}: the Makefile runs its recipes with SHELL=${clip(s)}`);
      }
    }
    const flags = this.vars.get('.SHELLFLAGS');
    if (flags && flags.origin !== 'default') {
      for (const f of this.valuesOf(flags)) {
        if (!/^\s*((-[A-Za-z]+|-o\s+[a-z]+|[+]o\s+[a-z]+)\s+)*-[A-Za-z]*c\s*$/.test(f)) this.opaque.push(`${this.program}: the Makefile sets .SHELLFLAGS=${clip(f)}`);
      }
    }
  }

  // ---- building ----------------------------------------------------------

  private build(target: string, visited: Set<string>) {
    if (visited.has(target)) return;
    if (visited.size >= MAX_TARGETS) {
      this.opaque.push(`${this.program}: more than ${MAX_TARGETS} targets to read`);
      return;
    }
    visited.add(target);
    const rules = this.explicit.get(target) ?? [];
    let recipeSeen = false;
    for (const r of rules) {
      let prereqs = r.prereqs;
      let stem = '';
      if (r.pattern && r.staticPrereqs) {
        stem = matchPattern(r.pattern, target) ?? '';
        prereqs = r.staticPrereqs.map((p) => p.replace('%', stem));
      }
      for (const p of [...prereqs, ...r.orderOnly]) this.build(p, visited);
      if (r.recipe.length) {
        recipeSeen = true;
        this.recipe(r, target, prereqs, stem);
      }
    }
    if (recipeSeen || SPECIAL_TARGETS.has(target)) return;
    // No recipe of its own: the first pattern rule whose prerequisites exist or can be made.
    const candidates: Rule[] = [...this.patterns, ...BUILTIN_PATTERNS.map(([t, p, r]) => ({ targets: [t], prereqs: [p], orderOnly: [], recipe: [r], pattern: t }))];
    for (const r of candidates) {
      const stem = matchPattern(r.pattern!, target);
      if (stem === null) continue;
      const prereqs = r.prereqs.map((p) => p.replace('%', stem));
      if (!prereqs.every((p) => this.explicit.has(p) || this.ctx.exists(resolve(this.dir, p)))) continue;
      for (const p of [...prereqs, ...r.orderOnly.map((o) => o.replace('%', stem))]) this.build(p, visited);
      if (r.recipe.length) this.recipe(r, target, prereqs, stem);
      return;
    }
    const dflt = this.explicit.get('.DEFAULT');
    if (dflt && !rules.length && !this.ctx.exists(resolve(this.dir, target))) for (const r of dflt) if (r.recipe.length) this.recipe(r, target, [], '');
  }

  private recipe(rule: Rule, target: string, prereqs: string[], stem: string) {
    const all = prereqs;
    const auto = new Map<string, string>([
      ['@', target],
      ['<', all[0] ?? ''],
      ['^', dedupe(all).join(' ')],
      ['+', all.join(' ')],
      ['?', dedupe(all).join(' ')],
      ['*', stem],
      ['|', rule.orderOnly.join(' ')],
      ['%', ''],
    ]);
    for (const [k, v] of [...auto]) {
      const ws = v.split(/\s+/).filter(Boolean);
      auto.set(`${k}D`, ws.map((w) => path.posix.dirname(w)).join(' '));
      auto.set(`${k}F`, ws.map((w) => path.posix.basename(w)).join(' '));
    }
    const texts: string[] = [];
    for (const line of rule.recipe) {
      if (++this.recipeLines > MAX_RECIPE_LINES) {
        this.opaque.push(`${this.program}: more than ${MAX_RECIPE_LINES} recipe lines to read`);
        return;
      }
      for (const v of this.expand(line, auto)) {
        const cmd = v.replace(/^[\s@+-]+/, '');
        if (cmd.trim()) texts.push(cmd);
      }
    }
    const by = `${this.program} target ${target}`;
    if (this.oneshell) this.emit(texts.join('\n'), by);
    else for (const t of texts) this.emit(t, by);
  }

  private emit(source: string, by: string) {
    const key = `${by}\0${source}`;
    if (this.seenScripts.has(key)) return;
    this.seenScripts.add(key);
    this.scripts.push({ source, cwd: this.dir, by });
  }

  private shell(text: string) {
    for (const v of this.expand(text)) this.emit(v, `${this.program} $(shell …)`);
  }

  /** The existing files a pattern names (make's $(wildcard) and include); globs in the last part only. */
  private glob(pattern: string): string[] {
    if (!/[*?[]/.test(pattern)) return this.ctx.exists(resolve(this.dir, pattern, this.ctx.home)) ? [pattern] : [];
    const slash = pattern.lastIndexOf('/');
    const dirPart = slash >= 0 ? pattern.slice(0, slash + 1) : '';
    const last = pattern.slice(slash + 1);
    // A glob above the last part: the shell's glob of the same pattern is a superset of make's.
    if (/[*?[]/.test(dirPart)) return [pattern];
    const names = this.ctx.readdir(resolve(this.dir, dirPart || '.', this.ctx.home));
    if (!names) return [];
    const re = globRegex(last);
    return names.filter((n) => re.test(n) && (last.startsWith('.') || !n.startsWith('.'))).sort().map((n) => dirPart + n);
  }

  // ---- expansion ---------------------------------------------------------

  /** A shell variable no one sets: what make would put here is only known when it runs. */
  private unknown(): string {
    return `$__AGENTGUARD_MAKE_${++this.unknowns}`;
  }

  private one(variants: string[]): string {
    return variants.length === 1 ? variants[0] : this.unknown();
  }

  private words(text: string): string[] {
    return dedupe(this.expand(text).flatMap((v) => v.split(/\s+/).filter(Boolean)));
  }

  /** Every text `text` may expand to (one, unless a variable has several possible values). */
  expand(text: string, locals?: Map<string, string>, depth = 0): string[] {
    if (!text.includes('$')) return [text];
    if (++this.steps > MAX_STEPS || depth > 40) {
      if (this.steps === MAX_STEPS + 1 || depth > 40) this.opaque.push(`${this.program}: the Makefile's variables are too deep or too large to expand`);
      return [this.unknown()];
    }
    let out = [''];
    let i = 0;
    let lit = '';
    const flush = () => {
      if (lit) out = out.map((o) => o + lit);
      lit = '';
    };
    while (i < text.length) {
      const c = text[i];
      if (c !== '$') {
        lit += c;
        i++;
        continue;
      }
      const n = text[i + 1];
      if (n === undefined) {
        i++;
        continue;
      }
      if (n === '$') {
        lit += '$';
        i += 2;
        continue;
      }
      let ref: string;
      if (n === '(' || n === '{') {
        const end = matchClose(text, i + 1);
        if (end < 0) {
          this.opaque.push(`${this.program}: unterminated variable reference: ${clip(text.slice(i))}`);
          lit += this.unknown();
          break;
        }
        ref = text.slice(i + 2, end);
        i = end + 1;
      } else {
        ref = n;
        i += 2;
      }
      flush();
      let vs = this.reference(ref, locals, depth);
      if (out.length * vs.length > MAX_VARIANTS) vs = [this.unknown()];
      out = out.flatMap((o) => vs.map((v) => o + v));
    }
    flush();
    return out;
  }

  private reference(ref: string, locals: Map<string, string> | undefined, depth: number): string[] {
    const fm = /^([a-z-]+)[ \t]/.exec(ref);
    if (fm && FUNCTIONS.has(fm[1])) return this.call(fm[1], ref.slice(fm[0].length), locals, depth);
    // $(VAR:a=b) and $(VAR:%.c=%.o)
    const colon = topLevelIndex(ref, ':');
    if (colon > 0 && ref.indexOf('=', colon) > colon) {
      const name = this.one(this.expand(ref.slice(0, colon), locals, depth + 1));
      const [from, to] = splitOnce(ref.slice(colon + 1), '=');
      const f = this.one(this.expand(from, locals, depth + 1));
      const t = this.one(this.expand(to, locals, depth + 1));
      const pat = f.includes('%') ? f : `%${f}`;
      const rep = f.includes('%') ? t : `%${t}`;
      return this.lookup(name, locals, depth).map((v) => patsubst(pat, rep, v));
    }
    const name = this.one(this.expand(ref, locals, depth + 1));
    return this.lookup(name, locals, depth);
  }

  private lookup(name: string, locals: Map<string, string> | undefined, depth: number): string[] {
    const local = locals?.get(name);
    if (local !== undefined) return [local];
    if (name.includes('$__AGENTGUARD_MAKE_')) return [this.unknown()];
    const v = this.vars.get(name);
    if (!v) {
      if (name === 'MAKEFILE_LIST') return [this.makefiles.join(' ')];
      this.undefinedSeen = true;
      if (name.startsWith('.') && /^\.[A-Z_]+$/.test(name) && name !== '.DEFAULT_GOAL') return [this.unknown()];
      return [''];
    }
    if (v.flavor === 'simple') return v.values;
    const out = dedupe(v.values.flatMap((x) => this.expand(x, locals, depth + 1)));
    return out.length > MAX_VARIANTS ? [this.unknown()] : out;
  }

  private call(fn: string, argText: string, locals: Map<string, string> | undefined, depth: number): string[] {
    const e = (s: string) => this.one(this.expand(s, locals, depth + 1));
    const ws = (s: string) => e(s).split(/\s+/).filter(Boolean);
    const maxArgs = ONE_ARG.has(fn) ? 1 : TWO_ARGS.has(fn) ? 2 : THREE_ARGS.has(fn) ? 3 : Infinity;
    const args = splitArgs(argText, maxArgs);
    const a = (i: number) => args[i] ?? '';
    switch (fn) {
      case 'shell': {
        const vs = this.expand(a(0), locals, depth + 1);
        for (const v of vs) this.emit(v, `${this.program} $(shell …)`);
        return [this.unknown()];
      }
      case 'eval':
        this.opaque.push(`${this.program}: $(eval …) makes Makefile text at run time: ${clip(argText)}`);
        return [''];
      case 'file': {
        const op = a(0).trim();
        if (op.startsWith('>')) this.opaque.push(`${this.program}: $(file …) writes a file while make runs: ${clip(op)}`);
        return [op.startsWith('<') ? this.unknown() : ''];
      }
      case 'guile':
      case 'let':
      case 'intcmp':
        this.opaque.push(`${this.program}: $(${fn} …) is not analysed`);
        return [this.unknown()];
      case 'info':
      case 'warning':
      case 'error':
        e(a(0));
        return [''];
      case 'subst':
        return [e(a(2)).split(e(a(0))).join(e(a(1)))];
      case 'patsubst':
        return [patsubst(e(a(0)), e(a(1)), e(a(2)))];
      case 'strip':
        return [ws(a(0)).join(' ')];
      case 'findstring':
        return [e(a(1)).includes(e(a(0))) ? e(a(0)) : ''];
      case 'filter':
      case 'filter-out': {
        const pats = ws(a(0));
        const keep = (w: string) => pats.some((p) => matchPattern(p.includes('%') ? p : p, w) !== null || p === w);
        return [ws(a(1)).filter((w) => (fn === 'filter' ? keep(w) : !keep(w))).join(' ')];
      }
      case 'sort':
        return [dedupe(ws(a(0))).sort().join(' ')];
      case 'word':
        return [ws(a(1))[Number(e(a(0))) - 1] ?? ''];
      case 'wordlist':
        return [ws(a(2)).slice(Number(e(a(0))) - 1, Number(e(a(1)))).join(' ')];
      case 'words':
        return [String(ws(a(0)).length)];
      case 'firstword':
        return [ws(a(0))[0] ?? ''];
      case 'lastword':
        return [ws(a(0)).at(-1) ?? ''];
      case 'dir':
        return [ws(a(0)).map((w) => (w.includes('/') ? w.slice(0, w.lastIndexOf('/') + 1) : './')).join(' ')];
      case 'notdir':
        return [ws(a(0)).map((w) => w.slice(w.lastIndexOf('/') + 1)).join(' ')];
      case 'suffix':
        return [ws(a(0)).map((w) => (/\.[^./]*$/.exec(w)?.[0] ?? '')).filter(Boolean).join(' ')];
      case 'basename':
        return [ws(a(0)).map((w) => w.replace(/\.[^./]*$/, '')).join(' ')];
      case 'addsuffix':
        return [ws(a(1)).map((w) => w + e(a(0))).join(' ')];
      case 'addprefix':
        return [ws(a(1)).map((w) => e(a(0)) + w).join(' ')];
      case 'join': {
        const x = ws(a(0));
        const y = ws(a(1));
        return [Array.from({ length: Math.max(x.length, y.length) }, (_, i) => (x[i] ?? '') + (y[i] ?? '')).join(' ')];
      }
      case 'wildcard':
        return [ws(a(0)).flatMap((p) => this.glob(p)).join(' ')];
      case 'realpath':
      case 'abspath':
        return [ws(a(0)).map((w) => resolve(this.dir, w)).join(' ')];
      case 'if': {
        const cond = e(a(0)).trim();
        if (cond.includes('$__AGENTGUARD_MAKE_')) return dedupe([...this.expand(a(1), locals, depth + 1), ...this.expand(a(2), locals, depth + 1)]);
        return this.expand(cond ? a(1) : a(2), locals, depth + 1);
      }
      case 'or': {
        for (const x of args) {
          const v = e(x);
          if (v.trim()) return [v];
        }
        return [''];
      }
      case 'and': {
        let v = '';
        for (const x of args) {
          v = e(x);
          if (!v.trim()) return [''];
        }
        return [v];
      }
      case 'foreach': {
        const name = e(a(0)).trim();
        const parts = ws(a(1)).map((w) => this.one(this.expand(a(2), new Map([...(locals ?? []), [name, w]]), depth + 1)));
        return [parts.join(' ')];
      }
      case 'call': {
        const name = e(a(0)).trim();
        const params = new Map<string, string>(locals ?? []);
        params.set('0', name);
        args.slice(1).forEach((x, i) => params.set(String(i + 1), e(x)));
        const v = this.vars.get(name);
        if (!v) return [''];
        const out = dedupe(v.flavor === 'simple' ? v.values : v.values.flatMap((x) => this.expand(x, params, depth + 1)));
        return out.length > MAX_VARIANTS ? [this.unknown()] : out;
      }
      case 'value': {
        const v = this.vars.get(e(a(0)).trim());
        return [v ? this.one(v.values) : ''];
      }
      case 'origin': {
        const v = this.vars.get(e(a(0)).trim());
        return [v ? v.origin : 'undefined'];
      }
      case 'flavor': {
        const v = this.vars.get(e(a(0)).trim());
        return [v ? v.flavor : 'undefined'];
      }
      default:
        return [this.unknown()];
    }
  }
}

const FUNCTIONS = new Set(['subst', 'patsubst', 'strip', 'findstring', 'filter', 'filter-out', 'sort', 'word', 'wordlist', 'words', 'firstword', 'lastword', 'dir', 'notdir', 'suffix', 'basename', 'addsuffix', 'addprefix', 'join', 'wildcard', 'realpath', 'abspath', 'if', 'or', 'and', 'foreach', 'file', 'call', 'value', 'eval', 'origin', 'flavor', 'shell', 'error', 'warning', 'info', 'guile', 'let', 'intcmp']);
const ONE_ARG = new Set(['strip', 'sort', 'words', 'firstword', 'lastword', 'dir', 'notdir', 'suffix', 'basename', 'wildcard', 'realpath', 'abspath', 'value', 'eval', 'origin', 'flavor', 'shell', 'error', 'warning', 'info', 'guile']);
const TWO_ARGS = new Set(['findstring', 'filter', 'filter-out', 'word', 'addsuffix', 'addprefix', 'join', 'file']);
const THREE_ARGS = new Set(['subst', 'patsubst', 'wordlist', 'foreach', 'if', 'let']);

/** The two operands of ifeq/ifneq: (a,b), "a" "b", 'a' 'b' or a mix of quotes. */
function conditionArgs(text: string): [string, string] | null {
  const t = text.trim();
  if (t.startsWith('(') && t.endsWith(')')) {
    const inner = t.slice(1, -1);
    const parts = splitArgs(inner, 2);
    return parts.length === 2 ? [parts[0], parts[1]] : null;
  }
  const m = /^(["'])(.*?)\1\s+(["'])(.*?)\3$/.exec(t);
  return m ? [m[2], m[4]] : null;
}

function globRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        re += '[' + glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The first top-level `=`-style or `:`-style operator of a line. */
function findOperator(text: string): { kind: 'assign' | 'rule'; at: number; op: string } | null {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) {
      depth++;
      i++;
      continue;
    }
    if (depth > 0) {
      if (c === '(' || c === '{') depth++;
      else if (c === ')' || c === '}') depth--;
      continue;
    }
    if (c === '$') {
      i++;
      continue;
    }
    if (c === '=') return { kind: 'assign', at: i, op: '=' };
    if ((c === '?' || c === '+' || c === '!') && text[i + 1] === '=') return { kind: 'assign', at: i, op: c + '=' };
    if (c === ':') {
      if (text.startsWith(':::=', i)) return { kind: 'assign', at: i, op: ':::=' };
      if (text.startsWith('::=', i)) return { kind: 'assign', at: i, op: '::=' };
      if (text.startsWith(':=', i)) return { kind: 'assign', at: i, op: ':=' };
      if (text.startsWith('::', i)) return { kind: 'rule', at: i, op: '::' };
      return { kind: 'rule', at: i, op: ':' };
    }
    if (c === '&' && text[i + 1] === ':') return { kind: 'rule', at: i, op: '&:' };
  }
  return null;
}

/** Index of `ch` outside $(…) and ${…}, or -1. */
function topLevelIndex(text: string, ch: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) {
      depth++;
      i++;
    } else if (depth > 0 && (c === '(' || c === '{')) depth++;
    else if (depth > 0 && (c === ')' || c === '}')) depth--;
    else if (depth === 0 && c === ch) return i;
  }
  return -1;
}

/** The index of the bracket closing the one at `open`, counting nested ones. */
function matchClose(text: string, open: number): number {
  const o = text[open];
  const c = o === '(' ? ')' : '}';
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === o) depth++;
    else if (text[i] === c && --depth === 0) return i;
  }
  return -1;
}

function splitArgs(text: string, max: number): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '{') depth++;
    else if (c === ')' || c === '}') depth--;
    if (c === ',' && depth === 0 && out.length < max - 1) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

function splitOnce(s: string, ch: string): [string, string] {
  const i = s.indexOf(ch);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

/** The stem `%` matches in `pattern` for `word`, or null. */
function matchPattern(pattern: string, word: string): string | null {
  const i = pattern.indexOf('%');
  if (i < 0) return pattern === word ? '' : null;
  const pre = pattern.slice(0, i);
  const post = pattern.slice(i + 1);
  if (word.length < pre.length + post.length || !word.startsWith(pre) || !word.endsWith(post)) return null;
  return word.slice(pre.length, word.length - post.length);
}

function patsubst(pattern: string, replacement: string, text: string): string {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => {
      const stem = matchPattern(pattern, w);
      if (stem === null) return w;
      return replacement.includes('%') ? replacement.replace('%', stem) : replacement;
    })
    .join(' ');
}

/** Drops a `#` comment outside $(…); `\#` is a literal #. */
function stripComment(line: string): string {
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && line[i + 1] === '#') {
      line = line.slice(0, i) + line.slice(i + 1);
      continue;
    }
    if (c === '$' && (line[i + 1] === '(' || line[i + 1] === '{')) {
      depth++;
      i++;
    } else if (depth > 0 && (c === '(' || c === '{')) depth++;
    else if (depth > 0 && (c === ')' || c === '}')) depth--;
    else if (c === '#' && depth === 0) return line.slice(0, i);
  }
  return line;
}

function dedupe<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function clip(s: string, n = 60): string {
  return s.length > n ? s.slice(0, n) + '…' : s;
}
