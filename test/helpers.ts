// Shared test fixtures: a guard in the fixed example world (HOME=/home/dev, workspace
// /home/dev/project) with the built-in rules only, so a developer's own rules never leak in.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { createGuard, type Guard, type GuardOptions } from '../src/guard.js';
import type { Decision } from '../src/policy/decision.js';
import { EXAMPLE_CONTEXT } from '../src/rules/examples.js';
import { BUILTIN_RULES_DIR } from '../src/rules/load.js';
import { analyse } from '../src/shell/analyse.js';
import { realFs, tableFs } from '../src/shell/fsview.js';
import { loadParser } from '../src/shell/parser.js';
import type { Script } from '../src/shell/types.js';

let guard: Promise<Guard> | null = null;

/**
 * The files of the example project: a routine package.json, Makefile and git repository, so
 * that `npm test`, `make build` and `git commit` read what a real project would give them.
 * Everything else comes from the real file system (/, /tmp, /usr exist; /home/dev does not).
 */
export const EXAMPLE_FILES: Record<string, string> = {
  '/home/dev/project/package.json': JSON.stringify({
    name: 'example',
    scripts: { build: 'tsc -p .', typecheck: 'tsc --noEmit', lint: 'eslint .', test: 'vitest run', pretest: 'tsc --noEmit', 'test:unit': 'vitest run test/unit', 'test:integration': 'vitest run test/integration', dev: 'vite', start: 'node dist/index.js', prepare: 'husky' },
  }),
  // A workspace package whose release scripts publish (the publishing corpus runs them by name).
  '/home/dev/project/packages/lib/package.json': JSON.stringify({
    name: '@example/lib',
    scripts: { build: 'tsc -p .', test: 'vitest run', release: 'npm run build && npm publish --access public', 'release:next': 'npm publish --tag next', 'release:check': 'npm publish --dry-run', 'release:image': 'docker buildx build --push -t ghcr.io/acme/lib .', 'release:pypi': 'twine upload dist/*', 'release:changesets': 'changeset publish', semrel: 'semantic-release', postversion: 'git push --follow-tags && npm publish' },
  }),
  '/home/dev/project/Makefile': [
    '.PHONY: all build test clean lint',
    'CFLAGS ?= -O2 -Wall',
    'OBJS = $(patsubst %.c,%.o,$(wildcard src/*.c))',
    'all: build',
    'build:',
    '	npm run build',
    'test: build',
    '	@npm test',
    'lint:',
    '	npx eslint .',
    'app: $(OBJS)',
    '	$(CC) $(CFLAGS) -o $@ $^',
    'clean:',
    '	rm -rf dist build coverage',
    '	$(RM) app src/*.o',
    '',
  ].join('\n'),
  // A deployment folder whose scripts and Makefile reach production (test/corpus/evasion/cloud.yaml).
  '/home/dev/project/deploy/package.json': JSON.stringify({
    name: 'deploy',
    scripts: { ship: 'vercel deploy --prod', 'infra:reset': 'terraform state rm aws_db_instance.main', 'secrets:sync': 'gh secret set -f .env.production', preview: 'vercel deploy' },
  }),
  '/home/dev/project/deploy/Makefile': ['.PHONY: release down plan', 'release:', '\tfly deploy --remote-only', 'down:', '\theroku ps:scale web=0 -a acme-prod', 'plan:', '\tterraform plan', ''].join('\n'),
  '/home/dev/project/.git/HEAD': 'ref: refs/heads/main\n',
  '/home/dev/project/.git/config': '[core]\n\trepositoryformatversion = 0\n\tbare = false\n[remote "origin"]\n\turl = https://github.com/acme/example.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
  '/home/dev/project/.git/hooks/pre-commit.sample': '#!/bin/sh\nrm -rf .git\n',
  '/home/dev/project/docs/Makefile': [
    'SPHINXOPTS    ?=',
    'SPHINXBUILD   ?= sphinx-build',
    'SOURCEDIR     = source',
    'BUILDDIR      = build',
    'help:',
    '\t@$(SPHINXBUILD) -M help "$(SOURCEDIR)" "$(BUILDDIR)" $(SPHINXOPTS) $(O)',
    '.PHONY: help Makefile',
    '%: Makefile',
    '\t@$(SPHINXBUILD) -M $@ "$(SOURCEDIR)" "$(BUILDDIR)" $(SPHINXOPTS) $(O)',
    '',
  ].join('\n'),
  '/home/dev/project/gradlew': '#!/bin/sh\nAPP_HOME=$(cd "${0%/*}" && pwd -P) || exit\nexec java -classpath "$APP_HOME/gradle/wrapper/gradle-wrapper.jar" org.gradle.wrapper.GradleWrapperMain "$@"\n',
  '/home/dev/project/scripts/test.sh': '#!/usr/bin/env bash\nset -euo pipefail\ncd "$(dirname "$0")/.."\nnpm run lint\nnpx vitest run "$@"\n',
  '/home/dev/project/.venv/bin/python': '\x7fELF\x02\x01\x01\0\0\0',
  '/home/dev/project/.venv/bin/pip': '#!/home/dev/project/.venv/bin/python\nimport sys\nfrom pip._internal.cli.main import main\nsys.exit(main())\n',
  '/home/dev/.gitconfig': '[user]\n\tname = Dev\n[alias]\n\tco = checkout\n\tst = status -sb\n\tlg = !git log --oneline --graph -20\n',
};
export const exampleFs = tableFs(EXAMPLE_FILES, { fallback: realFs });

export function exampleGuard(): Promise<Guard> {
  guard ??= exampleGuardWith({});
  return guard;
}

/** A guard in the same example world with some options of its own (largeWriteBytes, environment …); not shared. */
export function exampleGuardWith(options: GuardOptions): Promise<Guard> {
  return createGuard({
    cwd: EXAMPLE_CONTEXT.cwd,
    home: EXAMPLE_CONTEXT.home,
    env: EXAMPLE_CONTEXT.env,
    workspaces: EXAMPLE_CONTEXT.policy.workspaces,
    ruleSources: { builtin: BUILTIN_RULES_DIR },
    fs: exampleFs,
    ...options,
  });
}

export async function analyseExample(command: string, cwd = EXAMPLE_CONTEXT.cwd): Promise<Script> {
  await loadParser();
  return analyse(command, { cwd, home: EXAMPLE_CONTEXT.home, env: EXAMPLE_CONTEXT.env, fs: exampleFs });
}

/** argv values of every command, dynamic words shown as `$?`. */
export function argvs(s: Script): string[][] {
  return s.commands.map((c) => c.argv.map((w) => w.value ?? '$?'));
}

const CORPUS = path.resolve(import.meta.dirname, 'corpus');

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(dir, f));
}

/** Routine command lines (test/corpus/routine/*.yaml, one file per area), each with its file. */
export function routineCases(): { file: string; command: string }[] {
  return yamlFiles(path.join(CORPUS, 'routine')).flatMap((f) =>
    (parse(fs.readFileSync(f, 'utf8')) as { cases: string[] }).cases.map((command) => ({ file: path.basename(f, '.yaml'), command })),
  );
}

/** Every command line of the evasion corpus (the last element of each case). */
export function evasionCommands(): string[] {
  return yamlFiles(path.join(CORPUS, 'evasion')).flatMap((f) => (parse(fs.readFileSync(f, 'utf8')) as { cases: string[][] }).cases.map((c) => c[c.length - 1]));
}

/**
 * A temporary project for tests that read a project's own files (package.json scripts, a
 * Makefile, shell or SQL files): a workspace with a .git, a HOME beside it, both under /var/tmp,
 * and a guard with the built-in rules in it. Nothing is run: the files are only read.
 */
export async function scratchProject(prefix: string) {
  const tmp = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), `agentguard-${prefix}-`));
  const home = path.join(tmp, 'home');
  const ws = path.join(tmp, 'ws');
  const write = (rel: string, content: string | object, mode = 0o644) => {
    const p = path.join(ws, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content), { mode });
  };
  fs.mkdirSync(home, { recursive: true });
  write('.git/HEAD', 'ref: refs/heads/main\n');
  const rules = (await exampleGuard()).rules;
  const guard = await createGuard({ rules, cwd: ws, workspaces: [ws], home, env: { HOME: home, USER: 'dev', TMPDIR: '/tmp' } });
  return { tmp, home, ws, write, guard, remove: () => fs.rmSync(tmp, { recursive: true, force: true }) };
}

/** The rules and opaque reasons behind a decision, each once. */
export function reasons(d: Decision): string[] {
  return [...new Set([...d.matches.map((m) => m.rule), ...d.opaque])];
}
