// The files inline interpreter code writes or deletes (python -c, node -e, perl -e, ruby -e,
// php -r, lua -e, or the same on stdin): calls such as os.remove('/etc/passwd'),
// fs.rmSync(process.env.HOME, …), unlink glob "~/.ssh/*", File.write("~/.bashrc", …) name
// their path as a literal or as the home directory plus a literal. Those paths are handed to
// the analysis as writes, so the workspace, credential, startup-file and delete-root checks
// apply as they do to rm and cp; a path built at run time is a write only known at run time.
import type { Word } from '../shell/types.js';
import { capWords, MAX_FOUND } from './shape.js';
import { dyn } from './words.js';

export type Language = 'python' | 'js' | 'perl' | 'ruby' | 'php' | 'lua';

/** A call that writes or deletes: the pattern up to its arguments, and which arguments are paths. */
interface Call {
  re: RegExp;
  args: number[];
  /** The argument holding an open mode: the call writes only when it says so. */
  mode?: number;
  /** Arguments without parentheses (perl's unlink LIST, ruby's File.delete "x"). */
  bare?: boolean;
}

const c = (re: string, args: number[], extra: Partial<Call> = {}): Call => ({ re: new RegExp(re, 'g'), args, ...extra });

const CALLS: Record<Language, Call[]> = {
  python: [
    c(String.raw`\b(?:os\.|shutil\.|\b)(?:remove|unlink|rmdir|removedirs|rmtree|truncate|chmod|chown|lchown|mkdir|makedirs|utime|mknod|mkfifo)\s*\(`, [0]),
    c(String.raw`\b(?:os\.|shutil\.)(?:rename|renames|replace|move)\s*\(`, [0, 1]),
    c(String.raw`\b(?:shutil\.)?(?:copy|copy2|copyfile|copytree|copymode|copystat)\s*\(`, [1]),
    c(String.raw`\bos\.(?:symlink|link)\s*\(`, [1]),
    c(String.raw`(?<![\w.])(?:io\.|codecs\.)?open\s*\(`, [0], { mode: 1 }),
  ],
  js: [
    c(String.raw`(?:\.|\b)(?:unlinkSync|rmSync|rmdirSync|writeFileSync|appendFileSync|truncateSync|chmodSync|chownSync|lchownSync|mkdirSync|utimesSync|createWriteStream|mkdtempSync)\s*\(`, [0]),
    c(String.raw`\.(?:unlink|rm|rmdir|writeFile|appendFile|truncate|chmod|chown|mkdir|utimes|outputFile|outputFileSync|remove|removeSync|emptyDir|emptyDirSync|ensureFile|ensureFileSync|writeJson|writeJsonSync)\s*\(`, [0]),
    c(String.raw`(?:\.|\b)(?:renameSync|moveSync)\s*\(|\.(?:rename|move)\s*\(`, [0, 1]),
    c(String.raw`(?:\.|\b)(?:copyFileSync|cpSync|symlinkSync|linkSync|copySync)\s*\(|\.(?:copyFile|cp|symlink|link|copy)\s*\(`, [1]),
    c(String.raw`(?:\.|\b)openSync\s*\(|\.open\s*\(`, [0], { mode: 1 }),
    c(String.raw`\bDeno\s*\.\s*(?:remove|writeTextFile|writeFile|truncate|mkdir|chmod|chown|create)(?:Sync)?\s*\(`, [0]),
    c(String.raw`\bDeno\s*\.\s*(?:rename)(?:Sync)?\s*\(`, [0, 1]),
    c(String.raw`\bDeno\s*\.\s*(?:copyFile|symlink|link)(?:Sync)?\s*\(`, [1]),
    c(String.raw`\bBun\s*\.\s*write\s*\(`, [0]),
  ],
  perl: [
    c(String.raw`\b(?:unlink|rmdir|mkdir|remove_tree|rmtree|make_path|mkpath|truncate)\b\s*\(?`, [0, 1, 2, 3], { bare: true }),
    c(String.raw`\b(?:chmod|chown|utime)\b\s*\(?`, [1, 2, 3], { bare: true }),
    c(String.raw`\b(?:rename|move|mv)\b\s*\(?`, [0, 1], { bare: true }),
    c(String.raw`\b(?:copy|cp|symlink|link)\b\s*\(?`, [1], { bare: true }),
    c(String.raw`\bopen\b\s*\(?`, [], { bare: true }),
  ],
  ruby: [
    c(String.raw`\b(?:File|IO)\s*\.\s*(?:write|binwrite|delete|unlink|truncate)\b\s*\(?`, [0], { bare: true }),
    c(String.raw`\bDir\s*\.\s*(?:rmdir|delete|unlink|mkdir)\b\s*\(?`, [0], { bare: true }),
    c(String.raw`\bFileUtils\s*\.\s*(?:rm|rm_f|rm_r|rm_rf|rmtree|remove|remove_dir|remove_file|remove_entry|remove_entry_secure|rmdir|mkdir|mkdir_p|makedirs|touch)\b\s*\(?`, [0], { bare: true }),
    c(String.raw`\b(?:File\s*\.\s*(?:chmod|chown|lchmod|lchown)|FileUtils\s*\.\s*(?:chmod|chmod_R|chown|chown_R))\b\s*\(?`, [1, 2], { bare: true }),
    c(String.raw`\b(?:File\s*\.\s*rename|FileUtils\s*\.\s*(?:mv|move))\b\s*\(?`, [0, 1], { bare: true }),
    c(String.raw`\b(?:File\s*\.\s*(?:symlink|link)|FileUtils\s*\.\s*(?:cp|cp_r|copy|copy_file|copy_entry|install|ln|ln_s|ln_sf|symlink))\b\s*\(?`, [1], { bare: true }),
    c(String.raw`\b(?:File|IO)\s*\.\s*(?:open|new)\b\s*\(?`, [0], { bare: true, mode: 1 }),
  ],
  php: [
    c(String.raw`\b(?:unlink|rmdir|file_put_contents|mkdir|touch|chmod|chown|chgrp|lchown|ftruncate)\s*\(`, [0]),
    c(String.raw`\brename\s*\(`, [0, 1]),
    c(String.raw`\b(?:copy|symlink|link)\s*\(`, [1]),
    c(String.raw`\bfopen\s*\(`, [0], { mode: 1 }),
  ],
  lua: [
    c(String.raw`\bos\s*\.\s*remove\s*\(`, [0]),
    c(String.raw`\bos\s*\.\s*rename\s*\(`, [0, 1]),
    c(String.raw`\bio\s*\.\s*open\s*\(`, [0], { mode: 1 }),
    c(String.raw`\bio\s*\.\s*output\s*\(`, [0]),
  ],
};

/** Expressions for the home directory, in every language here. */
const HOME = new RegExp(
  '^(?:' +
    [
      String.raw`os\.environ\s*\[\s*['"]HOME['"]\s*\]`, String.raw`os\.environ\.get\s*\(\s*['"]HOME['"]\s*\)`, String.raw`os\.getenv\s*\(\s*['"]HOME['"]\s*\)`,
      String.raw`(?:pathlib\.)?Path\.home\s*\(\s*\)`, String.raw`os\.path\.expanduser\s*\(\s*['"]~['"]\s*\)`,
      String.raw`process\.env\.HOME`, String.raw`process\.env\s*\[\s*['"]HOME['"]\s*\]`, String.raw`(?:require\s*\(\s*['"](?:node:)?os['"]\s*\)|os)\.homedir\s*\(\s*\)`,
      String.raw`Deno\.env\.get\s*\(\s*['"]HOME['"]\s*\)`, String.raw`Bun\.env\.HOME`,
      String.raw`\$ENV\s*\{\s*['"]?HOME['"]?\s*\}`, String.raw`ENV\s*\[\s*['"]HOME['"]\s*\]`, String.raw`ENV\.fetch\s*\(\s*['"]HOME['"]\s*\)`, String.raw`Dir\.home`,
      String.raw`getenv\s*\(\s*['"]HOME['"]\s*\)`, String.raw`\$_SERVER\s*\[\s*['"]HOME['"]\s*\]`, String.raw`\$_ENV\s*\[\s*['"]HOME['"]\s*\]`,
    ].join('|') +
    ')$',
);

/** Home interpolated inside a double-quoted string: "$ENV{HOME}/.x", "#{Dir.home}/.x", `${process.env.HOME}/.x`. */
const HOME_IN_STRING = /\$ENV\{\s*['"]?HOME['"]?\s*\}|#\{\s*(?:Dir\.home|ENV\[['"]HOME['"]\])\s*\}|\$\{\s*(?:process\.env\.HOME|os\.homedir\(\)|(?:require\(['"](?:node:)?os['"]\))\.homedir\(\))\s*\}|\{\$_SERVER\[['"]HOME['"]\]\}|\$HOME\b/g;

const MAX_ARGS_CHARS = 1024;
const MAX_CALLS = 256;

/** Splits an argument list at top-level commas, up to the closing parenthesis (or the statement's end). */
function splitArgs(text: string, paren: boolean): string[] {
  // An argument list longer than this is not a path: bounded, so a line of many calls stays linear.
  const s = text.length > MAX_ARGS_CHARS ? text.slice(0, MAX_ARGS_CHARS) : text;
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let q: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (q) {
      cur += ch;
      if (ch === '\\') cur += s[++i] ?? '';
      else if (ch === q) q = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      q = ch;
      cur += ch;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && ch === ',') {
      out.push(cur.trim());
      cur = '';
      continue;
    } else if (depth === 0 && (ch === ';' || ch === '\n' || (!paren && /^\s(?:or|and|if|unless|\|\||&&)\b/.test(s.slice(i, i + 8))))) break;
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** A string literal's text, with home interpolations made ~; null when it interpolates anything else. */
function literal(e: string, lang: Language): string | null {
  const m = /^(?:[rbuRBU]{0,2})(['"`])([\s\S]*)\1$/.exec(e);
  if (!m) {
    // perl/ruby quote operators: q(…), qq{…}, %q(…)
    const q = /^(?:qq?|%[qQ]?)\s*([({[<|/!])([\s\S]*)[)}\]>|/!]$/.exec(e);
    return q ? q[2] : null;
  }
  let text = m[2];
  const interpolates = m[1] === '`' || (m[1] === '"' && (lang === 'perl' || lang === 'ruby' || lang === 'php'));
  if (interpolates) {
    text = text.replace(HOME_IN_STRING, '~');
    if (/\$[{\w]|#\{/.test(text)) return null;
  }
  if (lang === 'python' && /^[fF]/.test(e)) return null;
  return text.replace(/\\(.)/g, '$1');
}

/** The path an argument names: a literal, home plus literals, a join of those; null when built at run time. */
export function pathOf(expr: string, lang: Language): string | null {
  let e = expr.trim();
  // Wrappers that keep the path: Path(…), expanduser(…), File.expand_path(…), glob "…", realpath(…).
  for (;;) {
    const w = /^(?:(?:pathlib\.)?Path|os\.path\.(?:expanduser|abspath|realpath|normpath)|File\.expand_path|path\.resolve|path\.normalize|realpath|glob|Pathname\.new|File\.join|os\.path\.join|(?:require\s*\(\s*['"](?:node:)?path['"]\s*\)\s*\.\s*)?(?:path\.)?(?:posix\.)?join)\s*(\(|\s)/.exec(e);
    if (!w) break;
    const isJoin = /join\s*[(\s]$/.test(w[0]);
    const rest = e.slice(w[0].length);
    const parts = splitArgs(rest, w[1] === '(');
    if (!parts.length) return null;
    if (isJoin) {
      const ps = parts.map((p) => pathOf(p, lang));
      if (ps.some((p) => p === null)) return null;
      return ps.reduce((a, b) => (b!.startsWith('/') ? b! : `${a!.replace(/\/$/, '')}/${b}`))!;
    }
    e = parts[0];
  }
  if (HOME.test(e)) return '~';
  // Concatenation: + (python, js, ruby), . (perl, php), .. (lua), / (pathlib).
  const ops = lang === 'perl' || lang === 'php' ? /\s*\.\s*/ : lang === 'lua' ? /\s*\.\.\s*/ : /\s*[+/]\s*/;
  const pieces = splitTop(e, ops);
  if (pieces.length > 1) {
    const ps = pieces.map((p) => pathOf(p, lang));
    if (ps.some((p) => p === null)) return null;
    // pathlib's / joins with a separator; string concatenation does not.
    return lang === 'python' && /\//.test(e.replace(/(['"])(?:\\.|(?!\1).)*\1/g, '')) ? ps.join('/') : ps.join('');
  }
  return literal(e, lang);
}

/** Splits at top-level operators (outside strings and brackets). */
function splitTop(e: string, op: RegExp): string[] {
  const out: string[] = [];
  let depth = 0;
  let q: string | null = null;
  let start = 0;
  for (let i = 0; i < e.length; i++) {
    const ch = e[i];
    if (q) {
      if (ch === '\\') i++;
      else if (ch === q) q = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') q = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (depth === 0) {
      const m = new RegExp('^' + op.source).exec(e.slice(i));
      if (m && m[0].trim() && i > start) {
        out.push(e.slice(start, i));
        i += m[0].length - 1;
        start = i + 1;
      }
    }
  }
  out.push(e.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}

/** Whether an open mode writes ('w', 'a', 'x', '+', '>', File::WRONLY …); an unknown mode may. */
function writesMode(mode: string | undefined, lang: Language): boolean {
  if (mode === undefined) return false;
  const m = literal(mode.trim(), lang);
  if (m === null) return !/^\d+$/.test(mode.trim()) || /[^0]/.test(mode);
  return /[wax+]/.test(m);
}

/** Methods called on a path object that write or delete it: Path('x').write_text(…), Pathname.new('x').delete. */
const PATH_METHODS: Partial<Record<Language, RegExp>> = {
  python: /\.\s*(?:write_text|write_bytes|unlink|rmdir|touch|mkdir|chmod|lchmod|rename|replace|symlink_to|hardlink_to)\s*\(/g,
  ruby: /\.\s*(?:write|binwrite|delete|unlink|rmtree|rmdir|mkdir|mkpath|rename)\b/g,
};

/** The receiver expression ending just before `end`: `(Path.home() / '.x')`, `Path('/x')`. */
function receiverBefore(code: string, end: number): string {
  let i = end - 1;
  let depth = 0;
  const stop = Math.max(0, end - 512);
  for (; i >= stop; i--) {
    const ch = code[i];
    if (')]'.includes(ch)) depth++;
    else if ('(['.includes(ch)) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && /[\s;=,:{]/.test(ch)) break;
    else if (depth > 0 && (ch === '"' || ch === "'")) {
      const q = ch;
      for (i--; i >= 0 && code[i] !== q; i--);
    }
  }
  let r = code.slice(i + 1, end).trim();
  while (r.startsWith('(') && r.endsWith(')')) r = r.slice(1, -1).trim();
  return r;
}

/** Paths inline code writes or deletes: literal (as ~/… when under home), or dynamic words. */
export function inlineWrites(code: string, lang: Language): Word[] {
  const out: Word[] = [];
  const methods = PATH_METHODS[lang];
  if (methods) {
    methods.lastIndex = 0;
    for (const m of code.matchAll(methods)) {
      const recv = receiverBefore(code, m.index);
      // Only receivers that are paths: Path(…), Pathname.new(…), home, or a path joined with /.
      if (/^(?:(?:pathlib\.)?Path|Pathname\.new)\s*\(|Path\.home\s*\(|\s\/\s/.test(recv)) add(out, recv, lang, m[0]);
      if (out.length > MAX_FOUND) return capWords(out, 'inline code');
    }
  }
  for (const call of CALLS[lang]) {
    call.re.lastIndex = 0;
    let seen = 0;
    for (const m of code.matchAll(call.re)) {
      // Thousands of calls are not read one by one: where they write is then unknown.
      if (++seen > MAX_CALLS) {
        out.push(dyn(`inline code: more than ${MAX_CALLS} calls of ${m[0].trim()}`));
        break;
      }
      const after = code.slice(m.index + m[0].length, m.index + m[0].length + MAX_ARGS_CHARS);
      const paren = m[0].trimEnd().endsWith('(');
      const args = splitArgs(after, paren);
      if (lang === 'perl' && /\bopen\b/.test(m[0])) {
        // open(FH, '>', P), open(FH, ">P"), open FH, ">>$ENV{HOME}/.x"
        const [, second, third] = args;
        const mode = second === undefined ? null : literal(second, lang);
        if (third !== undefined && mode !== null && /^\+?[>]|^\+</.test(mode.trim())) add(out, third, lang, 'open');
        else if (mode !== null && /^\s*\+?>/.test(mode)) add(out, JSON.stringify(mode.replace(/^\s*\+?>>?\s*/, '')), lang, 'open');
        else if (second !== undefined && mode === null && third !== undefined) add(out, third, lang, 'open');
        continue;
      }
      if (call.mode !== undefined && !writesMode(args[call.mode], lang)) continue;
      const idx = call.bare && lang === 'perl' && call.args.length > 2 ? args.slice(0, 16).map((_, i) => i).filter((i) => i >= call.args[0]) : call.args;
      for (const i of idx) if (args[i] !== undefined) add(out, args[i], lang, m[0]);
      if (out.length > MAX_FOUND) return capWords(out, 'inline code');
    }
  }
  return out;
}

function add(out: Word[], expr: string, lang: Language, call: string) {
  // perl's glob("~/.ssh/*") and a list: each element.
  const p = pathOf(expr, lang);
  if (p === null) out.push(dyn(`${call.trim()} ${expr}`.slice(0, 120)));
  else if (p.trim()) out.push({ value: p, raw: p, glob: /[*?[]/.test(p) });
}


/** Calls that run a shell string (`shell`) or an argv list (`argv`) given as literals. */
const COMMAND_CALLS: Record<Language, { re: RegExp; shell: boolean }[]> = {
  python: [
    { re: /\b(?:os\s*\.\s*)?(?:system|popen)\s*\(/g, shell: true },
    { re: /\bsubprocess\s*\.\s*(?:getoutput|getstatusoutput)\s*\(/g, shell: true },
    { re: /\bsubprocess\s*\.\s*(?:run|call|check_call|check_output|Popen)\s*\(/g, shell: false },
  ],
  js: [
    { re: /(?:\.|\b)(?:execSync|exec)\s*\(/g, shell: true },
    { re: /(?:\.|\b)(?:spawnSync|spawn|execFileSync|execFile)\s*\(/g, shell: false },
  ],
  perl: [{ re: /\b(?:system|exec)\b\s*\(?/g, shell: true }],
  ruby: [
    { re: /\b(?:system|exec|spawn)\b\s*\(?/g, shell: true },
    { re: /\b(?:IO\s*\.\s*popen|Open3\s*\.\s*(?:capture2e?|capture3|popen3|popen2e?))\s*\(?/g, shell: true },
  ],
  php: [{ re: /\b(?:system|exec|shell_exec|passthru|popen|proc_open)\s*\(/g, shell: true }],
  lua: [{ re: /\b(?:os\s*\.\s*execute|io\s*\.\s*popen)\s*\(?/g, shell: true }],
};

/** An array literal of string literals: ['rm', '-rf', '/x']. */
function literalList(e: string, lang: Language): string[] | null {
  const m = /^\[([\s\S]*)\]$/.exec(e.trim());
  if (!m) return null;
  const items = splitArgs(m[1], true).map((x) => literal(x, lang));
  return items.length && items.every((x) => x !== null) ? (items) : null;
}

const quote = (s: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * Shell commands inline code runs with literal text: os.system("rm -rf ~"), execSync('…'),
 * system "…", `…`, os.execute("…"), subprocess.run(["rm", "-rf", …]). Handed back as bash
 * so the line's rules see them; the inline-code rules still ask about the call itself.
 */
export function inlineCommands(code: string, lang: Language): string[] {
  const out: string[] = [];
  for (const call of COMMAND_CALLS[lang]) {
    call.re.lastIndex = 0;
    let seen = 0;
    for (const m of code.matchAll(call.re)) {
      if (out.length > MAX_FOUND || ++seen > MAX_CALLS) return out;
      const args = splitArgs(code.slice(m.index + m[0].length, m.index + m[0].length + MAX_ARGS_CHARS), m[0].trimEnd().endsWith('('));
      if (!args.length) continue;
      const list = literalList(args[0], lang);
      if (list) {
        // subprocess.run(["sh", "-c", …]) / spawn("x", [...]) with an argv list.
        out.push(list.map(quote).join(' '));
        continue;
      }
      const first = literal(args[0], lang);
      if (first === null) continue;
      if (!call.shell) {
        const rest = args[1] ? literalList(args[1], lang) : [];
        // subprocess.run("cmd", shell=True) runs a shell string; spawn('prog', [args]) an argv.
        if (args.some((x) => /^shell\s*=\s*True$|^\{[^}]*\bshell\s*:\s*true/.test(x))) out.push(first);
        else if (rest) out.push([first, ...rest].map(quote).join(' '));
        continue;
      }
      // perl's system LIST with more than one element runs an argv.
      if ((lang === 'perl' || lang === 'ruby') && args.length > 1) {
        const all = args.map((x) => literal(x, lang));
        if (all.every((x) => x !== null)) out.push((all).map(quote).join(' '));
        continue;
      }
      out.push(first);
    }
  }
  // Backticks and %x(…) / qx(…) run shell strings in perl, ruby and php.
  if (lang === 'perl' || lang === 'ruby' || lang === 'php') {
    for (const m of code.matchAll(/`([^`$#{]*)`|(?:\bqx|%x)\s*[({]([^)}$#]*)[)}]/g)) if ((m[1] ?? m[2]).trim()) out.push(m[1] ?? m[2]);
  }
  if (lang === 'js') for (const m of code.matchAll(/\bBun\s*\.\s*\$\s*`([^`$]*)`/g)) out.push(m[1]);
  return out;
}
