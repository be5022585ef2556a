// Rules a person can shape without breaking the guard (issue 15), in-process with real files
// in a scratch home and project: broken user and project files are skipped with a warning
// while the built-in rules hold and what the file could have matched asks; a project can only
// tighten; config.yaml sets actions by id; exception rules win over the rules they name, for
// the command they surely match. Also what the hook, the gate and the prompt say about it.
process.env.NO_COLOR = '1';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createGuard, type Guard } from '../../src/guard.js';
import { defaultRuleSources, RuleLoadError, SKIPPED_RULE, warningText } from '../../src/rules/load.js';
import { keywordsOfText, pinnedPrograms } from '../../src/rules/keywords.js';
import { Gate } from '../../src/session/gate.js';
import type { ShimRequest } from '../../src/session/protocol.js';
import { render } from '../../src/session/prompt.js';
import { runHook } from '../../src/hooks/run.js';

const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-shape-'));
const home = path.join(base, 'home');
const project = path.join(base, 'project');
const userRules = path.join(home, '.config', 'agentguard', 'rules');
const projectRules = path.join(project, '.agentguard', 'rules');
const configFile = path.join(home, '.config', 'agentguard', 'config.yaml');
const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
// The hook finds the person's rules and writes its log through the process environment.
const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
Object.assign(process.env, env);
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  fs.rmSync(base, { recursive: true, force: true });
});

beforeEach(() => {
  for (const d of [userRules, projectRules]) fs.rmSync(d, { recursive: true, force: true });
  fs.rmSync(configFile, { force: true });
  fs.mkdirSync(path.join(project, '.git'), { recursive: true });
});

function write(dir: string, file: string, text: string) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
  return path.join(dir, file);
}

const guard = (more: { strictRules?: boolean } = {}) => createGuard({ cwd: project, home, env: { HOME: home }, workspaces: [project], ruleSources: defaultRuleSources(project, env), ...more });

const rulesOf = (g: Guard, command: string) => g.check({ command }).matches.filter((m) => m.action !== 'allow').map((m) => m.rule);
const warningsOf = (g: Guard) => g.warnings.map(warningText).join('\n');

/** The built-in rules hold whatever is wrong with the person's or the project's files. */
function builtinsHold(g: Guard) {
  expect(g.check({ command: 'rm -rf ~' })).toMatchObject({ action: 'deny' });
  expect(rulesOf(g, 'rm -rf ~')).toContain('delete-protected-root');
  expect(rulesOf(g, 'git push --force origin main')).toContain('git-force-push');
}

const TERRAFORM_DENY = (action = 'deny') => `id: no-terraform-apply
action: ${action}
severity: high
message: Terraform changes infrastructure.
match:
  program: [terraform, tofu]
  subcommand: apply
examples:
  match: ["terraform apply"]
  no_match: ["terraform plan"]
`;

describe('a broken user rule file is skipped, loudly, and what it could have matched asks', () => {
  it('YAML that does not parse: the program: lines are read from the text', async () => {
    const file = write(userRules, 'no-terraform-apply.yaml', TERRAFORM_DENY().replace('  subcommand: apply', '  subcommand: [apply'));
    const g = await guard();
    builtinsHold(g);
    expect(g.warnings).toHaveLength(1);
    expect(g.warnings[0].file).toBe(file);
    expect(g.warnings[0].problem).toMatch(/YAML: .*\(file skipped\)/);
    expect(g.warnings[0].line).toBeGreaterThan(0);
    expect(g.rules.skipped).toEqual([{ file, layer: 'user', programs: ['terraform', 'tofu'] }]);
    expect(g.check({ command: 'terraform apply' })).toMatchObject({ action: 'ask', matches: [expect.objectContaining({ rule: SKIPPED_RULE })] });
    expect(g.check({ command: 'tofu plan' }).matches.map((m) => m.rule)).toEqual([SKIPPED_RULE]);
    expect(g.check({ command: 'ls -la' }).action).toBe('allow');
    expect(warningsOf(g)).toContain('until then `terraform, tofu` commands ask');
  });

  it('a schema error (action: maybe): skipped, file:line: field: what, and its programs ask', async () => {
    const file = write(userRules, 'no-terraform-apply.yaml', TERRAFORM_DENY('maybe'));
    const g = await guard();
    builtinsHold(g);
    expect(warningsOf(g)).toContain(`${file}:2: action: must be one of allow, ask, deny (file skipped)`);
    expect(rulesOf(g, 'terraform apply')).toEqual([SKIPPED_RULE]);
    expect(g.check({ command: 'git status' }).action).toBe('allow');
    // The stand-in's message names the file and what is wrong with it.
    const m = g.check({ command: 'terraform apply' }).matches[0];
    expect(m.message).toContain(file);
    expect(m.message).toContain('action: must be one of allow, ask, deny');
  });

  it("the issue's file (id of a built-in rule and action: allow): says how to do what was meant", async () => {
    const file = write(userRules, 'node-package-install.yaml', 'id: node-package-install\naction: allow\n');
    const g = await guard();
    builtinsHold(g);
    const text = warningsOf(g);
    expect(text).toContain(file);
    expect(text).toContain('agentguard rules disable node-package-install');
    expect(text).toContain('rules: {node-package-install: {action: off, reason: …}}');
    expect(text).toContain('action: allow` and `overrides: [node-package-install]`');
    // The built-in rule still asks; the stand-in asks for the programs that rule is about.
    const d = g.check({ command: 'npm install left-pad' });
    expect(d.action).toBe('ask');
    expect(d.matches.map((m) => m.rule).sort()).toEqual(['node-package-install', SKIPPED_RULE]);
    expect(g.rules.skipped[0].programs).toContain('npm');
    expect(g.check({ command: 'ls' }).action).toBe('allow');
  });

  it('no program can be read from it: every command asks, and the warning says so', async () => {
    write(userRules, 'keep-bashrc.yaml', "id: keep-bashrc\naction: deny\nmatch:\n  writes: ['~/.bashrc']\n");
    const g = await guard();
    builtinsHold(g);
    expect(warningsOf(g)).toContain('no program could be read from it, so every command asks until it is fixed');
    expect(g.rules.skipped[0].programs).toEqual([]);
    expect(g.check({ command: 'ls' })).toMatchObject({ action: 'ask', matches: [expect.objectContaining({ rule: SKIPPED_RULE })] });
  });

  it('a valid file beside a broken one stays in force; a rule naming an unknown @list is skipped the same way', async () => {
    write(userRules, 'no-terraform-apply.yaml', TERRAFORM_DENY());
    write(userRules, 'bad-list.yaml', TERRAFORM_DENY().replace('no-terraform-apply', 'bad-list').replace('[terraform, tofu]', '[pulumi, "@no-such-list"]'));
    const g = await guard();
    const d = g.check({ command: 'terraform apply' });
    expect(d.action).toBe('deny');
    expect(d.matches.find((m) => m.rule === 'no-terraform-apply')?.action).toBe('deny');
    expect(warningsOf(g)).toMatch(/bad-list\.yaml:1: match: unknown list @no-such-list/);
    expect(rulesOf(g, 'pulumi up')).toEqual([SKIPPED_RULE]);
  });

  it('--strict-rules (and rules test) make any warning fatal', async () => {
    write(userRules, 'no-terraform-apply.yaml', TERRAFORM_DENY('maybe'));
    await expect(guard({ strictRules: true })).rejects.toThrow(RuleLoadError);
    await expect(guard({ strictRules: true })).rejects.toThrow(/no-terraform-apply\.yaml:2: action: must be one of allow, ask, deny/);
  });
});

describe('a broken project file', () => {
  it('is skipped like a user file: built-ins hold, its programs ask', async () => {
    const file = write(projectRules, 'no-terraform-apply.yaml', TERRAFORM_DENY().replace('severity: high\n', ''));
    const g = await guard();
    builtinsHold(g);
    expect(warningsOf(g)).toContain(`${file}:1: severity: missing`);
    expect(g.rules.skipped).toEqual([{ file, layer: 'project', programs: ['terraform', 'tofu'] }]);
    expect(rulesOf(g, 'terraform apply')).toEqual([SKIPPED_RULE]);
  });
});

describe('a project can only tighten', () => {
  it('a project rule that lowers a built-in action is ignored with a warning', async () => {
    const original = fs.readFileSync(path.resolve(__dirname, '../../rules/delete/delete-protected-root.yaml'), 'utf8');
    write(projectRules, 'delete-protected-root.yaml', original.replace('action: deny', 'action: allow'));
    const g = await guard();
    builtinsHold(g);
    expect(warningsOf(g)).toMatch(/a project rule cannot lower builtin rule "delete-protected-root" from deny to allow \(ignored/);
    expect(g.rules.skipped).toEqual([]);
  });

  it('a project exception (overrides:) is ignored with a warning', async () => {
    write(
      projectRules,
      'push-with-lease.yaml',
      'id: push-with-lease\naction: allow\nseverity: low\nmessage: ok\noverrides: [git-force-push]\nmatch:\n  program: git\n  flags: [--force-with-lease]\nexamples:\n  match: ["git push --force-with-lease"]\n  no_match: ["git push"]\n',
    );
    const g = await guard();
    builtinsHold(g);
    expect(rulesOf(g, 'git push --force-with-lease origin x')).toEqual(['git-force-push']);
    expect(warningsOf(g)).toMatch(/push-with-lease\.yaml:1: overrides: a project rule cannot make an exception/);
    expect(g.check({ command: 'ls' }).action).toBe('allow');
  });

  it('a project lists file that changes a list is ignored with a warning; its new lists apply', async () => {
    write(projectRules, 'lists.yaml', 'lists:\n  downloaders: [mytool]\n  our-tools: [deploy-thing]\n');
    const g = await guard();
    builtinsHold(g);
    expect(warningsOf(g)).toMatch(/lists\.yaml:2: lists\.downloaders: a project cannot change the list @downloaders/);
    expect(g.rules.lists.get('our-tools')).toEqual(['deploy-thing']);
    expect(g.rules.lists.get('downloaders')).not.toContain('mytool');
  });
});

describe("config.yaml's rules: sets any rule's action by id", () => {
  it('off, ask and deny; an unknown id is a warning and the rest applies', async () => {
    fs.mkdirSync(path.dirname(configFile), { recursive: true });
    fs.writeFileSync(
      configFile,
      '# mine\nrules:\n  git-force-push: {action: off, reason: my own forks}\n  git-reset-hard: {action: deny, reason: never}\n  delete-protected-root: {action: ask, reason: a test of lowering}\n  git-force-pusj: {action: off, reason: typo}\n',
    );
    const g = await guard();
    expect(g.check({ command: 'git push --force origin main' }).action).toBe('allow');
    expect(g.rules.off).toEqual([{ id: 'git-force-push', family: 'git', reason: 'my own forks', where: `${configFile}:3` }]);
    expect(g.check({ command: 'git reset --hard' })).toMatchObject({ action: 'deny', matches: [expect.objectContaining({ rule: 'git-reset-hard', action: 'deny' })] });
    expect(g.rules.rules.find((r) => r.rule.id === 'git-reset-hard')?.rule.actionFrom).toEqual({ where: `${configFile}:4`, reason: 'never' });
    expect(g.check({ command: 'rm -rf /' }).matches.find((m) => m.rule === 'delete-protected-root')?.action).toBe('ask');
    expect(warningsOf(g)).toMatch(/config\.yaml:6: rules\.git-force-pusj: no rule "git-force-pusj" is loaded \(ignored\).*closest: git-force-push/);
  });

  it('a config.yaml that does not validate applies nothing it would have loosened, and says so', async () => {
    fs.mkdirSync(path.dirname(configFile), { recursive: true });
    fs.writeFileSync(configFile, 'rules:\n  git-force-push: {action: off, reason: x}\nlimits:\n  large_write: 1GiB\n  colour: red\n');
    const g = await guard();
    expect(g.check({ command: 'git push --force origin main' }).action).toBe('ask');
    expect(g.rules.off).toEqual([]);
    // The default limit (10 GiB), not the broken file's 1 GiB.
    expect(g.check({ command: 'fallocate -l 5G disk.img' }).action).toBe('allow');
    expect(warningsOf(g)).toMatch(/config\.yaml:\d+: limits: unknown field colour.*config\.yaml not applied/);
    builtinsHold(g);
  });

  it('an action other than off, ask or deny is refused with what to write instead', async () => {
    fs.mkdirSync(path.dirname(configFile), { recursive: true });
    fs.writeFileSync(configFile, 'rules:\n  git-force-push: {action: allow, reason: x}\n');
    const g = await guard();
    expect(g.check({ command: 'git push -f' }).action).toBe('ask');
    expect(warningsOf(g)).toContain('overrides: [id]');
  });
});

const EXCEPTION = (extra = '') => `id: push-with-lease
action: allow
severity: low
message: This team force-pushes its own branches with a lease.
overrides: [git-force-push${extra}]
match:
  program: git
  subcommand: push
  flags: [--force-with-lease]
  not:
    flags: [-f, --force, --mirror, --delete, -d]
examples:
  match: ["git push --force-with-lease origin x"]
  no_match: ["git push --force origin x"]
`;

describe('an exception rule (action: allow, overrides:) wins over the rules it names, for what it matches', () => {
  it('git push --force-with-lease is allowed, git push --force still asks, and explain says why', async () => {
    const file = write(userRules, 'push-with-lease.yaml', EXCEPTION());
    const g = await guard();
    expect(g.warnings).toEqual([]);
    const d = g.check({ command: 'git push --force-with-lease origin x' });
    expect(d.action).toBe('allow');
    expect(d.exceptions).toEqual([{ rule: 'git-force-push', by: 'push-with-lease', file }]);
    expect(g.check({ command: 'git push --force origin x' })).toMatchObject({ action: 'ask', matches: [expect.objectContaining({ rule: 'git-force-push' })] });
    expect(g.check({ command: 'git push --force-with-lease --force origin x' }).action).toBe('ask');
  });

  it('per command, not per line: the rest of the line is still flagged', async () => {
    write(userRules, 'push-with-lease.yaml', EXCEPTION());
    const g = await guard();
    const d = g.check({ command: 'git push --force-with-lease origin x && rm -rf ~' });
    expect(d.action).toBe('deny');
    expect(rulesOf(g, 'git push --force-with-lease origin x && rm -rf ~')).toContain('delete-protected-root');
    // Another force push on the same line is not excepted by the first one's match.
    expect(rulesOf(g, 'git push --force-with-lease origin x; git push --force origin y')).toEqual(['git-force-push']);
  });

  it('a maybe-match of the exception does not drop a sure match of the rule it names', async () => {
    write(userRules, 'push-with-lease.yaml', EXCEPTION().replace('  flags: [--force-with-lease]\n', '  flags: [--force-with-lease]\n  args: [origin]\n'));
    const g = await guard();
    expect(g.check({ command: 'git push --force-with-lease origin x' }).action).toBe('allow');
    // "$R" may or may not be origin: the exception only maybe matches, the force push surely does.
    const d = g.check({ command: 'git push --force-with-lease "$R" x' });
    expect(d.action).toBe('ask');
    expect(d.matches.map((m) => m.rule)).toContain('git-force-push');
    expect(d.exceptions).toBeUndefined();
  });

  it('an unknown id in overrides is a warning; overrides on an ask rule skips the file', async () => {
    write(userRules, 'push-with-lease.yaml', EXCEPTION(', git-forse-push'));
    const g = await guard();
    expect(warningsOf(g)).toMatch(/overrides: no rule "git-forse-push" is loaded.*closest: git-force-push/);
    expect(g.check({ command: 'git push --force-with-lease origin x' }).action).toBe('allow');
    write(userRules, 'push-with-lease.yaml', EXCEPTION().replace('action: allow', 'action: ask'));
    const h = await guard();
    expect(warningsOf(h)).toMatch(/push-with-lease\.yaml:5: overrides: only an exception can override other rules/);
    expect(rulesOf(h, 'git push --force-with-lease origin x').sort()).toEqual(['git-force-push', SKIPPED_RULE]);
  });
});

describe('where the warning is shown', () => {
  it("the hook's message to the agent carries it (in-process)", async () => {
    write(userRules, 'no-terraform-apply.yaml', TERRAFORM_DENY('maybe'));
    const hook = async (command: string) => {
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      let out = '';
      stdout.on('data', (b: Buffer) => (out += b.toString()));
      stdin.end(JSON.stringify({ session_id: 's', cwd: project, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, permission_mode: 'default' }));
      const status = await runHook('claude', { stdin, stdout, stderr: new PassThrough(), env: { ...process.env, ...env, AGENTGUARD_SOCKET: undefined, CLAUDE_CODE_ENTRYPOINT: 'cli' }, cwd: project });
      return { status, answer: (JSON.parse(out) as { hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string } }).hookSpecificOutput };
    };
    const asked = await hook('terraform apply');
    expect(asked.answer.permissionDecision).toBe('ask');
    expect(asked.answer.permissionDecisionReason).toContain(SKIPPED_RULE);
    expect(asked.answer.permissionDecisionReason).toMatch(/rule file problem: .*no-terraform-apply\.yaml:2: action: must be one of allow, ask, deny/);
    const denied = await hook('rm -rf ~');
    expect(denied.answer.permissionDecision).toBe('deny');
    expect(denied.answer.permissionDecisionReason).toContain('delete-protected-root');
    expect(denied.answer.permissionDecisionReason).toContain('rule file problem:');
  });

  it("a session's prompts and denials carry it", async () => {
    write(userRules, 'no-terraform-apply.yaml', TERRAFORM_DENY('maybe'));
    const g = await guard();
    const gate = new Gate({ guard: g, ask: null });
    const req = (script: string): ShimRequest => ({ v: 1, shell: 'bash', mode: 'c', cwd: project, pid: process.pid, ppid: process.ppid, argv: ['bash', '-c', script], script });
    const denied = await gate.handle(req('rm -rf ~'));
    expect(denied).toMatch(/^DENY/);
    expect(denied).toContain('rule file problem: ');
    expect(denied).toContain('no-terraform-apply.yaml:2');
    const line = render({ command: 'terraform apply', cwd: project, decision: g.check({ command: 'terraform apply' }), ruleProblem: 'rule file problem: x.yaml:2: action: must be one of allow, ask, deny' }, 300_000, { cols: 100, rows: 30 });
    expect(line).toContain('rule file problem: x.yaml:2: action: must be one of allow, ask, deny');
    expect(line).toContain(SKIPPED_RULE);
    // Kept on a small screen too.
    expect(render({ command: 'terraform apply', cwd: project, decision: g.check({ command: 'terraform apply' }), ruleProblem: 'rule file problem: x.yaml:2' }, 300_000, { cols: 60, rows: 8 })).toContain('rule file problem: x.yaml:2');
  });
});

describe('program keywords read from what is left of a file', () => {
  it.each([
    ['match:\n  program: terraform\n', ['terraform']],
    ['match:\n  program: [terraform, "tofu"]  # infra\n  subcommand: [apply\n', ['terraform', 'tofu']],
    ['match:\n  program:\n    - kubectl\n    - helm\n  args: [delete\n', ['kubectl', 'helm']],
    // Nested programs depend on the structure YAML could not read: nothing is named.
    ['match:\n  any_of:\n    - program: "@downloaders"\n', []],
    ['match:\n  reads: "~/secret/**"\n  not:\n    program: echo\n', []],
    ['program: terraform\n', []],
    ['id: x\naction: deny\n', []],
  ])('text %j → %j', (text, words) => expect(keywordsOfText(text)).toEqual(words));

  it.each([
    [{ program: ['kubectl', 'helm'], args: ['delete'] }, ['kubectl', 'helm']],
    [{ any_of: [{ program: 'kubectl' }, { program: ['sh', 'bash'] }] }, ['kubectl', 'sh', 'bash']],
    [{ all_of: [{ args: ['x'] }, { program: 'psql' }] }, ['psql']],
    // A block that can match any program names nothing.
    [{ any_of: [{ program: 'kubectl' }, { pipeline: { to: { program: ['sh', 'bash'] } } }] }, null],
    [{ reads: '~/secret-notes/**' }, null],
    [{ args: ['*prod-db*'], not: { program: 'echo' } }, null],
  ])('from a parsed match block %j → %j', (match, pins) => expect(pinnedPrograms(match)).toEqual(pins));
});

describe('a skipped file never asks about less than it could have denied (found in review)', () => {
  const broken = (match: string, example: string) => `id: team-secret\naction: deny\nseverity: high\nmessage: Team secrets.\nmatch:\n${match}\nexamples:\n  match: ["${example}"]\n  no_match: ["ls"]\nmisspelt: true\n`;

  it('a reads rule: every command asks, not only the program of its example', async () => {
    write(userRules, 'team-secret.yaml', broken('  reads: "~/secret-notes/**"', 'cat ~/secret-notes/a'));
    const g = await guard();
    builtinsHold(g);
    for (const c of ['head ~/secret-notes/a', 'grep x ~/secret-notes/a', 'ls']) expect(rulesOf(g, c), c).toContain(SKIPPED_RULE);
    expect(warningsOf(g)).toMatch(/every command asks/);
  });

  it('a rule whose only program is under not: every command asks', async () => {
    write(userRules, 'team-secret.yaml', broken('  args: ["*prod-db*"]\n  not:\n    program: echo', 'psql prod-db.internal'));
    const g = await guard();
    for (const c of ['wc prod-db.txt', 'mongosh prod-db.internal']) expect(rulesOf(g, c), c).toContain(SKIPPED_RULE);
  });

  it('a broken lists file: every command asks (its lists may have held paths or hosts)', async () => {
    write(userRules, 'lists.yaml', 'lists:\n  credential-paths: ["~/vault/**"]\n  downloaders: [fetchit]\nbogus: 1\n');
    const g = await guard();
    expect(rulesOf(g, 'cat ~/vault/key')).toContain(SKIPPED_RULE);
  });

  it("a project cannot define a list a user rule refers to when the user's own lists file was skipped", async () => {
    write(userRules, 'lists.yaml', 'lists:\n  prod-hosts: [db.prod.example]\nbogus: 1\n');
    write(userRules, 'prod-psql.yaml', `id: prod-psql\naction: deny\nseverity: high\nmessage: Production.\nmatch:\n  program: psql\n  args: "@prod-hosts"\nexamples:\n  match: ["psql db.prod.example"]\n  no_match: ["psql localhost"]\n`);
    write(projectRules, 'lists.yaml', 'lists:\n  prod-hosts: [nothing-here]\n');
    const g = await guard();
    expect(g.check({ command: 'psql db.prod.example' }).action).not.toBe('allow');
    expect(warningsOf(g)).toMatch(/a project cannot define @prod-hosts/);
  });
});
