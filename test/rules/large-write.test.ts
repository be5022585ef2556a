// Large writes: the sizes programs are given (src/programs/volume.ts and each program's
// `volume`), the endless loops the analysis marks, and the writes_more_than condition that
// compares them with the large-write size the guard is told (GuardOptions.largeWriteBytes).
import { describe, expect, it } from 'vitest';
import type { Guard } from '../../src/guard.js';
import { programVolume } from '../../src/programs/index.js';
import { parseSize } from '../../src/programs/volume.js';
import type { Word } from '../../src/shell/types.js';
import { analyseExample, exampleGuard, exampleGuardWith } from '../helpers.js';

const w = (line: string): Word[] => line.split(' ').map((value) => ({ value, raw: value, glob: false }));
const GiB = 1024 ** 3;

function guardWith(largeWriteBytes: number): Promise<Guard> {
  return exampleGuardWith({ largeWriteBytes });
}

const rulesOf = (g: Guard, command: string) => g.check({ command }).matches.map((m) => m.rule);

describe('sizes as programs spell them', () => {
  it.each([
    ['10', {}, 10],
    ['1K', {}, 1024],
    ['1KiB', {}, 1024],
    ['1kB', {}, 1000],
    ['20GB', {}, 20e9],
    ['1T', {}, 1024 ** 4],
    ['1.5G', { decimals: true }, 1.5 * GiB],
    ['2x1M', { product: true, blocks: true }, 2 * 1024 ** 2],
    ['4b', { blocks: true }, 2048],
    ['3w', { blocks: true }, 6],
  ] as const)('%s', (text, syntax, bytes) => {
    expect(parseSize(text, syntax)).toBe(bytes);
  });

  it('a word only known at run time is null, a word that is no size is NaN', () => {
    expect(parseSize({ value: null, raw: '$N', glob: false })).toBeNull();
    expect(parseSize('lots')).toBeNaN();
    expect(parseSize('1.5G')).toBeNaN();
  });
});

describe('what programs say they write', () => {
  it('dd: count blocks of bs (or bytes with iflag=count_bytes), after seek; without count, all of its input', () => {
    expect(programVolume('dd', w('if=/dev/zero of=f bs=1M count=10'), 0)?.files.map((f) => f.bytes)).toEqual([10 * 1024 ** 2]);
    expect(programVolume('dd', w('if=/dev/zero of=f iflag=count_bytes count=5G'), 0)?.files[0].bytes).toBe(5 * GiB);
    expect(programVolume('dd', w('if=/dev/zero of=f bs=1 count=0 seek=1T'), 0)?.files[0].bytes).toBe(1024 ** 4);
    expect(programVolume('dd', w('if=/dev/zero of=f'), 0)?.files[0].bytes).toBe(Infinity);
    expect(programVolume('dd', w('if=disk.img of=f bs=4M'), 0)?.files[0].bytes).toBe(0);
    expect(programVolume('dd', w('of=f'), Infinity)?.files[0].bytes).toBe(Infinity);
    expect(programVolume('dd', w('if=/dev/zero bs=1G count=3'), 0)).toEqual({ files: [], stdout: 3 * GiB });
  });

  it('truncate grows with +, > and %, never with <, - or /', () => {
    expect(programVolume('truncate', w('-s +2G f'), 0)?.files[0].bytes).toBe(2 * GiB);
    expect(programVolume('truncate', w('-s -2G f'), 0)?.files[0].bytes).toBe(0);
    expect(programVolume('truncate', w('-s 1G a b'), 0)?.files.map((f) => f.bytes)).toEqual([GiB, GiB]);
  });

  it('fallocate allocates offset + length unless it punches or digs holes', () => {
    expect(programVolume('fallocate', w('-o 1G -l 2G f'), 0)?.files[0].bytes).toBe(3 * GiB);
    expect(programVolume('fallocate', w('--punch-hole -l 2G f'), 0)?.files[0].bytes).toBe(0);
  });

  it('head -c is bounded by its input; yes and /dev/zero never end', () => {
    expect(programVolume('head', w('-c 1G /dev/zero'), 0)?.stdout).toBe(GiB);
    expect(programVolume('head', w('-c 1G big.log'), 0)?.stdout).toBe(0);
    expect(programVolume('head', w('-c 1G'), Infinity)?.stdout).toBe(GiB);
    expect(programVolume('yes', [], 0)?.stdout).toBe(Infinity);
    expect(programVolume('cat', w('/dev/urandom'), 0)?.stdout).toBe(Infinity);
    expect(programVolume('wc', w('/dev/urandom'), 0)?.stdout).toBe(0);
  });
});

describe('loops the analysis marks as endless', () => {
  it.each([
    ['while true; do echo x >> f; done', true],
    ['while :; do echo x >> f; done', true],
    ['until false; do echo x >> f; done', true],
    ['for ((;;)); do echo x >> f; done', true],
    ['while read -r l; do echo x >> f; done < in.txt', false],
    ['while [ -f lock ]; do echo x >> f; done', false],
    ['for ((i=0; i<3; i++)); do echo x >> f; done', false],
  ])('%s: %s', async (line, endless) => {
    const s = await analyseExample(line);
    const echo = s.commands.find((c) => c.program === 'echo')!;
    expect(echo.loop !== undefined).toBe(endless);
  });
});

describe('the large-write size is the one the guard is told', () => {
  it('asks above the default 10 GiB and not below it', async () => {
    const g = await exampleGuard();
    expect(rulesOf(g, 'fallocate -l 11G f')).toContain('large-write');
    expect(rulesOf(g, 'fallocate -l 9G f')).not.toContain('large-write');
  });

  it('a low size makes small writes ask', async () => {
    const g = await guardWith(1024 ** 2);
    for (const line of ['dd if=/dev/zero of=test.img bs=1M count=10', 'fallocate -l 100M swap.test', 'truncate -s 2M f', 'head -c 5M /dev/urandom > r.bin']) {
      expect(g.check({ command: line }), line).toMatchObject({ action: 'ask' });
      expect(rulesOf(g, line), line).toContain('large-write');
    }
    expect(rulesOf(g, 'head -c 1K /dev/urandom > key.bin')).not.toContain('large-write');
  });

  it('a high size lets large writes pass, but never output without end', async () => {
    const g = await guardWith(1024 ** 4);
    for (const line of ['fallocate -l 500G huge.img', 'dd if=/dev/zero of=big.img bs=1G count=200', 'truncate -s 1T f']) expect(g.check({ command: line }), line).toMatchObject({ action: 'allow', matches: [] });
    expect(rulesOf(g, 'truncate -s 2T f')).toContain('large-write');
    expect(rulesOf(g, 'yes > f')).toContain('large-write');
    expect(rulesOf(g, 'while true; do echo x >> f; done')).toContain('large-write');
  });

  it('says where and how much', async () => {
    const g = await exampleGuard();
    const m = g.check({ command: 'dd if=/dev/zero of=big.img bs=1G count=200' }).matches.find((x) => x.rule === 'large-write');
    expect(m?.subject).toEqual(['big.img (200 GiB)']);
    const loop = g.check({ command: 'while true; do echo x >> f; done' }).matches.find((x) => x.rule === 'large-write');
    expect(loop?.subject).toEqual(['f (in a loop that never ends)']);
  });
});
