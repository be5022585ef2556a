// The readers of program texts with a code-execution feature (src/programs/awk.ts, sed.ts,
// editors.ts, tcl.ts, inline.ts, shape.ts): what each finds in a text, one row per case.
// The decisions these lead to are in test/corpus/evasion/code-exec.yaml.
import { describe, expect, it } from 'vitest';
import { awkProgram } from '../../src/programs/awk.js';
import { edCommands, exCommands } from '../../src/programs/editors.js';
import { inlineCommands, inlineWrites, pathOf, type Language } from '../../src/programs/inline.js';
import { sedScript } from '../../src/programs/sed.js';
import { capRuns, MAX_FOUND, shapeOf } from '../../src/programs/shape.js';
import { tclScript } from '../../src/programs/tcl.js';
import type { Run } from '../../src/programs/types.js';
import type { Word } from '../../src/shell/types.js';

/** A run as a short string: the script's text, `argv: …`, or `opaque`. */
const show = (r: Run) => (r.kind === 'script' ? r.script.value : r.kind === 'argv' ? `argv: ${r.argv.map((w) => w.value).join(' ')}` : 'opaque');
const paths = (ws: Word[]) => ws.map((w) => w.value);

describe('awk programs: commands run and files written', () => {
  it.each([
    ['BEGIN{system("rm -rf ~")}', ['rm -rf ~'], []],
    ['{ system("rm -rf " "~") }', ['rm -rf ~'], []],
    ['{ system($0) }', ['opaque'], []],
    ['{print | "sort -u"}', ['cat /dev/stdin | sort -u'], []],
    ['BEGIN{"date" | getline d}', ['date'], []],
    ['{ cmd | getline }', ['opaque'], []],
    ['@load "filefuncs"', ['opaque'], []],
    ['{print > "out.txt"}', [], ['out.txt']],
    ['{print >> "/home/dev/.bashrc"}', [], ['/home/dev/.bashrc']],
    ['{print > $1 ".txt"}', [], [null]],
    ['$3 > 100 {print $1}', [], []],
    ['/system/ {print}', [], []],
    ['{ print "system(\\"x\\")" }', [], []],
    ['{print > "/dev/stderr"}', [], []],
    ['{ print (a > b) }', [], []],
  ] as [string, (string | null)[], (string | null)[]][])('%s', (src, runs, writes) => {
    const p = awkProgram(src);
    expect({ runs: p.runs.map(show), writes: paths(p.writes) }).toEqual({ runs, writes });
  });
});

describe('sed scripts (GNU): e runs, w writes, r reads', () => {
  it.each([
    ['1e rm -rf ~', ['rm -rf ~'], [], []],
    ['s/a/b/;e rm -rf ~', ['rm -rf ~'], [], []],
    ['s/.*/x/e', ['opaque'], [], []],
    ['e', ['opaque'], [], []],
    ['s/x/y/w out.log', [], ['out.log'], []],
    ['/a/,/b/w /home/dev/.profile', [], ['/home/dev/.profile'], []],
    ['1r header.txt', [], [], ['header.txt']],
    ['s/e/E/g', [], [], []],
    ['1i # e rm -rf ~', [], [], []],
    ['y/e/w/', [], [], []],
    ['$!N;s/\\n/ /', [], [], []],
    ['w /dev/stdout', [], [], []],
    ['k', ['opaque'], [], []],
  ] as [string, (string | null)[], string[], string[]][])('%s', (src, runs, writes, reads) => {
    const s = sedScript(src);
    expect({ runs: s.runs.map(show), writes: paths(s.writes), reads: paths(s.reads) }).toEqual({ runs, writes, reads });
  });
});

describe('Ex commands (vim -c, +, --cmd, ex on stdin)', () => {
  it.each([
    ['!rm -rf ~', ['rm -rf ~'], []],
    ['silent !ls', ['ls'], []],
    // :! takes the rest of the line, bars included.
    ['set nu | !ls | q', ['ls | q'], []],
    ['%!sort', ['sort'], []],
    ['r !date', ['date'], []],
    ['w !sh', ['cat /dev/stdin | sh'], []],
    ['call system("id")', ['id'], []],
    ["let x = system('id')", ['id'], []],
    ['call system(g:cmd)', ['opaque'], []],
    ['%s/a/\\=system("id")/', ['id'], []],
    ['g/x/!echo hi', ['echo hi'], []],
    ['terminal ++close make', ['make'], []],
    ['py3 import os', ['opaque'], []],
    ['source x.vim', ['opaque'], []],
    ['normal :!id', ['opaque'], []],
    ['normal! gg=G', [], []],
    ['wq /home/dev/.bashrc', [], ['/home/dev/.bashrc']],
    ['w! out.txt', [], ['out.txt']],
    ['%s/foo/bar/g', [], []],
    ['sandbox !id', [], []],
    ['/TODO', [], []],
    ['$', [], []],
  ] as [string, (string | null)[], string[]][])('%s', (src, runs, writes) => {
    const r = exCommands(src);
    expect({ runs: r.runs.map(show), writes: paths(r.writes) }).toEqual({ runs, writes });
  });
});

describe('ed commands on stdin', () => {
  it('runs ! commands, not text being appended, and writes w FILE', () => {
    const r = edCommands('a\n!not a command\n.\n!ls\nr !date\nw /tmp/out\nq\n', false);
    expect({ runs: r.runs.map(show), writes: paths(r.writes) }).toEqual({ runs: ['ls', 'date'], writes: ['/tmp/out'] });
  });
  it('red runs none', () => {
    expect(edCommands('!ls\n', true).runs).toEqual([]);
  });
});

describe('Tcl and expect scripts', () => {
  it.each([
    ['exec rm -rf x', ["rm -rf x"], []],
    ['exec ls | wc -l', ['ls | wc -l'], []],
    ['spawn ssh host', ['ssh host'], []],
    ['system rm -rf x', ['rm -rf x'], []],
    ['if {1} { exec rm -rf x }', ['rm -rf x'], []],
    ['set y [exec date]', ['date'], []],
    ['spawn bash\nsend "rm -rf x\\r"', ['bash', 'rm -rf x\n'], []],
    ['spawn $cmd', ['opaque'], []],
    ['$x arg', ['opaque'], []],
    ['eval $argv', ['opaque'], []],
    ['set f [open "|sh" w]', ['cat /dev/stdin | sh'], []],
    ['file delete -force a b', [], ['a', 'b']],
    ['set f [open out.txt w]', [], ['out.txt']],
    ['puts [expr 1+2]', [], []],
    ['# exec rm -rf x', [], []],
  ] as [string, (string | null)[], string[]][])('%s', (src, runs, writes) => {
    const r = tclScript(src);
    expect({ runs: r.runs.map(show), writes: paths(r.writes) }).toEqual({ runs, writes });
  });
});

describe('paths named by inline interpreter code', () => {
  it.each([
    ['python', "'/etc/passwd'", '/etc/passwd'],
    ['python', "os.path.expanduser('~/.ssh/id_rsa')", '~/.ssh/id_rsa'],
    ['python', "os.path.join(os.environ['HOME'], '.gitconfig')", '~/.gitconfig'],
    ['python', "Path.home() / '.bashrc'", '~/.bashrc'],
    ['python', "f'{home}/.bashrc'", null],
    ['python', 'sys.argv[1]', null],
    ['js', "process.env.HOME + '/.npmrc'", '~/.npmrc'],
    ['js', "require('path').join(require('os').homedir(), '.ssh')", '~/.ssh'],
    ['js', '`${process.env.HOME}/.zshrc`', '~/.zshrc'],
    ['js', '`${dir}/x`', null],
    ['perl', '"$ENV{HOME}/.bashrc"', '~/.bashrc'],
    ['perl', 'glob "~/.ssh/*"', '~/.ssh/*'],
    ['perl', '"$dir/x"', null],
    ['ruby', '"#{Dir.home}/.zshrc"', '~/.zshrc'],
    ['ruby', 'File.expand_path("~/.aws/credentials")', '~/.aws/credentials'],
    ['php', 'getenv("HOME") . "/.bashrc"', '~/.bashrc'],
    ['lua', 'os.getenv("HOME") .. "/.bashrc"', '~/.bashrc'],
  ] as [Language, string, string | null][])('%s: %s', (lang, expr, want) => {
    expect(pathOf(expr, lang)).toBe(want);
  });

  it.each([
    ['python', "import os; os.remove('/etc/passwd')", ['/etc/passwd']],
    ['python', "open('out.txt','w').write('x')", ['out.txt']],
    ['python', "print(open('/etc/hosts').read())", []],
    ['python', "Path('/home/dev/.zshrc').write_text('x')", ['/home/dev/.zshrc']],
    ['python', "shutil.copy('a', '/opt/b')", ['/opt/b']],
    ['python', "os.rename('a', '/opt/b')", ['a', '/opt/b']],
    ['js', "require('fs').rmSync('/', {recursive: true})", ['/']],
    ['js', "fs.readFileSync('/etc/hosts')", []],
    ['js', "fs.openSync('/etc/motd', 'w')", ['/etc/motd']],
    ['perl', 'unlink "/etc/hosts"', ['/etc/hosts']],
    ['perl', 'open(my $f, ">>", "/tmp/log")', ['/tmp/log']],
    ['perl', 'open(F, ">/home/dev/.profile")', ['/home/dev/.profile']],
    ['perl', 'open(F, "<", "/etc/hosts")', []],
    ['ruby', 'File.write("/home/dev/.bashrc", "x")', ['/home/dev/.bashrc']],
    ['ruby', 'File.open("a.txt", "r")', []],
    ['php', 'file_put_contents("build/out.txt", "x");', ['build/out.txt']],
    ['php', '$f = fopen("/etc/motd", "w");', ['/etc/motd']],
    ['lua', 'local f = io.open("out.txt", "w")', ['out.txt']],
    ['lua', 'local f = io.open("in.txt")', []],
  ] as [Language, string, (string | null)[]][])('%s writes: %s', (lang, code, want) => {
    expect(paths(inlineWrites(code, lang))).toEqual(want);
  });

  it.each([
    ['python', 'import os; os.system("rm -rf ~")', ['rm -rf ~']],
    ['python', 'subprocess.run(["rm", "-rf", "/x y"])', ["rm -rf '/x y'"]],
    ['python', 'subprocess.run("make", shell=True)', ['make']],
    // Without shell=True the string is the program's name.
    ['python', 'subprocess.run("make")', ['make']],
    ['python', 'subprocess.run("rm -rf ~")', ["'rm -rf ~'"]],
    ['python', 'os.system(cmd)', []],
    ['js', "require('child_process').execSync('id')", ['id']],
    ['js', "spawnSync('rm', ['-rf', 'x'])", ['rm -rf x']],
    ['perl', 'system "ls"; `id`', ['ls', 'id']],
    ['perl', 'system("rm", "-rf", "x")', ['rm -rf x']],
    ['perl', 'system "rm $x"', []],
    ['ruby', '%x(id)', ['id']],
    ['php', 'shell_exec("id");', ['id']],
    ['lua', 'os.execute("id")', ['id']],
  ] as [Language, string, string[]][])('%s commands: %s', (lang, code, want) => {
    expect(inlineCommands(code, lang)).toEqual(want);
  });
});

describe('program texts only partly known', () => {
  it.each([
    ['"s/$OLD/$NEW/g"', 's/X/X/g'],
    ["'s/a/b/'\"$X\"", 's/a/b/X'],
    ['"e ${CMD}"', 'e X'],
    ['"s/$(date)/x/"', 's/X/x/'],
    ['"s/a/b', null],
  ])('%s', (raw, want) => {
    expect(shapeOf({ value: null, raw, glob: false })).toBe(want);
  });

  it('caps what one text yields, and says so', () => {
    const runs: Run[] = Array.from({ length: MAX_FOUND + 10 }, () => ({ kind: 'script', script: { value: 'ls', raw: 'ls', glob: false } }));
    const capped = capRuns(runs, 'x');
    expect(capped).toHaveLength(MAX_FOUND + 1);
    expect(capped[MAX_FOUND].kind).toBe('opaque');
  });
});
