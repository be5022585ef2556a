// programFits: globs of program names (python3.*) matched without a RegExp must fit exactly the
// names the RegExp reading (* any run, ? any one character, anchored) fits.
import { describe, expect, it } from 'vitest';
import { programFits } from '../../src/rules/conditions/core.js';

const asRegExp = (glob: string) => new RegExp(`^${glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]')}$`);

describe('program globs', () => {
  const globs = ['python3.*', 'python*', '*', '*.sh', 'pip?', 'pip?.*', '*-*', 'a*b*c', '**x', 'x**', '?', '??*', 'node', 'py*n3.1?'];
  const names = ['python3.11', 'python3.', 'python3', 'python', 'py', 'deploy.sh', '.sh', 'sh', 'pip3', 'pip', 'pip3.12', 'pip31', 'git-lfs', 'git', 'abc', 'aXbYc', 'acb', 'x', 'xx', '', 'node', 'nodejs', 'python3.12', 'pyn3.1'];
  it.each(globs)('%s fits what its RegExp fits', (glob) => {
    const re = asRegExp(glob);
    for (const name of names) expect([name, programFits(glob, name)]).toEqual([name, re.test(name)]);
  });
  it('keeps character classes', () => {
    expect(programFits('python[23]', 'python3')).toBe(true);
    expect(programFits('python[23]', 'python4')).toBe(false);
  });
});
