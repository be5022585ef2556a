// The program registry: every program is declared by exactly one module, the @lists rules
// use come from those declarations, and options are read the GNU way from each program's
// declared table.
import { describe, expect, it } from 'vitest';
import { ALL_PROGRAMS, DUPLICATE_NAMES, innerCommands, programLists, programSpec } from '../../src/programs/index.js';
import { parseOptions } from '../../src/programs/options.js';
import type { Word } from '../../src/shell/types.js';

const words = (...vs: string[]): Word[] => vs.map((v) => ({ value: v, raw: v, glob: false }));

describe('registry', () => {
  it('no program is declared by two modules', () => {
    expect(DUPLICATE_NAMES).toEqual([]);
  });
  it('every declaration names at least one program', () => {
    for (const p of ALL_PROGRAMS) expect(p.names.length).toBeGreaterThan(0);
  });
  it('versioned names reach their family', () => {
    expect(programSpec('python3.12')).toBe(programSpec('python3'));
    expect(programSpec('mkfs.ext4')?.names).toContain('mkfs');
  });
  it('the lists rules use come from the program modules', () => {
    const lists = programLists();
    for (const name of ['shells', 'downloaders', 'interpreters', 'script-runners', 'deleters']) expect(lists.get(name)?.length).toBeGreaterThan(0);
    expect(lists.get('shells')).toEqual(expect.arrayContaining(['sh', 'bash', 'zsh', 'dash', 'fish', 'pwsh', 'busybox']));
    expect(lists.get('downloaders')).toEqual(expect.arrayContaining(['curl', 'wget', 'aria2c']));
  });
  it('a runner with a complete option table makes an unknown option opaque', () => {
    for (const name of ['env', 'xargs', 'sudo', 'timeout', 'nice', 'watch', 'parallel', 'flock']) {
      const runs = innerCommands(name, words('--no-such-option', 'rm', '-rf', '/'));
      expect(runs?.[0]?.kind, name).toBe('opaque');
    }
  });
});

describe('toolchain runners run their command', () => {
  const argvOf = (name: string, ...vs: string[]) => innerCommands(name, words(...vs))?.map((r) => (r.kind === 'argv' ? r.argv.map((w) => w.value).join(' ') : r.kind));
  it('corepack runs the package manager it is given, and nothing for its own commands', () => {
    expect(argvOf('corepack', 'pnpm@9.1.0', 'publish')).toEqual(['pnpm publish']);
    expect(argvOf('corepack', 'yarnpkg', 'npm', 'publish')).toEqual(['yarn npm publish']);
    expect(argvOf('corepack', 'enable')).toEqual([]);
  });
  it('rustup run runs the command after the toolchain; an unknown option makes it opaque', () => {
    expect(argvOf('rustup', 'run', '--install', 'nightly', 'cargo', 'publish')).toEqual(['cargo publish']);
    expect(argvOf('rustup', 'run', '--bogus', 'nightly', 'cargo', 'publish')).toEqual(['opaque']);
    expect(argvOf('rustup', 'update')).toEqual([]);
  });
});

describe('GNU option parsing from a declared table', () => {
  const spec = { takesValue: ['-I', '--delimiter'], optionalValue: ['-i', '--replace'], flags: ['-0', '--null'], complete: true };
  it('optional values are attached only', () => {
    expect(parseOptions(words('-i', 'echo'), spec).values.get('-i')).toBeUndefined();
    expect(parseOptions(words('-i', 'echo'), spec).positionals.map((w) => w.value)).toEqual(['echo']);
    expect(parseOptions(words('-iX', 'echo'), spec).values.get('-i')).toEqual(['X']);
    expect(parseOptions(words('--replace=R', 'echo'), spec).values.get('--replace')).toEqual(['R']);
    expect(parseOptions(words('--replace', 'echo'), spec).positionals.map((w) => w.value)).toEqual(['echo']);
  });
  it('required values are attached or the next word', () => {
    expect(parseOptions(words('-I', '{}', 'x'), spec).values.get('-I')).toEqual(['{}']);
    expect(parseOptions(words('-0I{}', 'x'), spec).values.get('-I')).toEqual(['{}']);
  });
  it('an unambiguous long prefix stands for its option', () => {
    expect(parseOptions(words('--repl=R'), spec).values.get('--replace')).toEqual(['R']);
    expect(parseOptions(words('--nu'), spec).flags).toEqual(['--null']);
  });
  it('a word only known at run time that starts with a literal option is that option, not a positional', () => {
    const dyn = (raw: string): Word => ({ value: null, raw, glob: false });
    const long = parseOptions([dyn('--delimiter="$D"'), ...words('x')], spec);
    expect({ values: long.values.get('--delimiter'), positionals: long.positionals.map((w) => w.value) }).toEqual({ values: [null], positionals: ['x'] });
    const short = parseOptions([dyn('-0I"$R"'), ...words('x')], spec);
    expect({ flags: short.flags, values: short.values.get('-I'), positionals: short.positionals.map((w) => w.value), dynamic: short.dynamicOption }).toEqual({ flags: ['-0', '-I'], values: [null], positionals: ['x'], dynamic: false });
    // Letters after the literal ones may be any option.
    expect(parseOptions([dyn('-0"$X"')], spec).dynamicOption).toBe(true);
    // Nothing literal marks these as options: they stay positionals.
    for (const raw of ['"$X"', '-"$X"', '-$X', '--"$X"']) expect(parseOptions([dyn(raw)], spec).positionals.map((w) => w.raw), raw).toEqual([raw]);
  });
  it('undeclared options are reported, declared ones are not', () => {
    expect(parseOptions(words('-0', '-z', '--bogus'), spec).unknown).toEqual(['-z', '--bogus']);
    expect(parseOptions(words('-0', '--', '-z'), spec).unknown).toEqual([]);
  });
});
