// The cloud and forge CLIs' option tables: a value given to an option (--profile prod,
// --instance-ids "$ID", -a my-app) is never read as the subcommand or an operand, and a
// switch never swallows the word after it.
import { describe, expect, it } from 'vitest';
import { programSpec } from '../../src/programs/index.js';
import { parseOptions } from '../../src/programs/options.js';
import type { Word } from '../../src/shell/types.js';

const words = (...vs: (string | null)[]): Word[] => vs.map((v) => ({ value: v, raw: v ?? '"$X"', glob: false }));
const positionals = (program: string, ...vs: (string | null)[]) => parseOptions(words(...vs), programSpec(program)!.options).positionals.map((w) => w.value);

describe('aws: long options take a value unless they are switches', () => {
  it('a value, even one only known at run time, is not an operand', () => {
    expect(positionals('aws', 'ec2', 'describe-instances', '--instance-ids', null)).toEqual(['ec2', 'describe-instances']);
    expect(positionals('aws', 'iam', 'get-role', '--role-name', 'app', '--output', 'json')).toEqual(['iam', 'get-role']);
  });
  it('switches, --no-* switches and a following option do not take the next word', () => {
    expect(positionals('aws', '--debug', 'iam', 'create-access-key')).toEqual(['iam', 'create-access-key']);
    expect(positionals('aws', '--no-cli-pager', 's3', 'rb', 's3://b')).toEqual(['s3', 'rb', 's3://b']);
    expect(positionals('aws', 's3', 'rm', '--recursive', 's3://b')).toEqual(['s3', 'rm', 's3://b']);
    const o = parseOptions(words('s3', 'rm', '--include', '--recursive', 's3://b'), programSpec('aws')!.options);
    expect(o.flags).toContain('--recursive');
  });
  it('a prefix of a declared switch stands for it', () => {
    expect(parseOptions(words('s3', 'rm', 's3://b', '--recur'), programSpec('aws')!.options).flags).toEqual(['--recursive']);
  });
  it('programs without the table keep GNU semantics: an undeclared long option is a switch', () => {
    expect(parseOptions(words('--bogus', 'x')).positionals.map((w) => w.value)).toEqual(['x']);
  });
});

describe('terraform: Go flags take the next word, so only a plan file is an operand of apply', () => {
  it.each([
    [['apply', '-var', 'env=prod', '-var-file', 'prod.tfvars'], ['apply']],
    [['apply', '-input=false', '-lock-timeout', '60s', 'prod.tfplan'], ['apply', 'prod.tfplan']],
    [['-chdir=infra', 'state', 'rm', '-dry-run', 'aws_instance.web'], ['state', 'rm', 'aws_instance.web']],
  ] as const)('%j', (args, expected) => {
    expect(positionals('terraform', ...args)).toEqual(expected);
  });
});

describe('hosting and IaC CLIs: option values are not subcommands', () => {
  it.each([
    ['pulumi', ['-C', 'infra', 'stack', 'rm', 'prod'], ['stack', 'rm', 'prod']],
    ['fly', ['scale', 'count', '0', '-a', 'acme-api'], ['scale', 'count', '0']],
    ['heroku', ['ps:scale', 'web=0', '--app', 'acme-prod'], ['ps:scale', 'web=0']],
    ['vercel', ['--scope', 'acme', 'project', 'rm', 'web'], ['project', 'rm', 'web']],
    ['gh', ['-R', 'acme/app', 'secret', 'set', 'TOKEN', '--body', 'x'], ['secret', 'set', 'TOKEN']],
    ['gh', ['workflow', 'run', 'deploy.yml', '--ref', 'main', '-f', 'environment=production'], ['workflow', 'run', 'deploy.yml']],
    ['wrangler', ['--env', 'production', 'secret', 'put', 'TOKEN'], ['secret', 'put', 'TOKEN']],
  ] as const)('%s %j', (program, args, expected) => {
    expect(positionals(program, ...args)).toEqual(expected);
  });
  it('gh: a switch that is a flag in one command is not declared as taking a value (gh pr merge -s --admin)', () => {
    expect(parseOptions(words('pr', 'merge', '42', '-s', '--admin'), programSpec('gh')!.options).flags).toContain('--admin');
  });
});
