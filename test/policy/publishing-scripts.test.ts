// Releases hidden behind a package manager or make, read from real files in a temporary
// project: `npm run release`, `pnpm release`, `yarn release:beta`, a workspace package's script,
// the lifecycle scripts npm runs for version, pack and publish, and a make target each ask with
// the publishing rule of the command inside; the project's build, test and dry runs stay allowed.
// Nothing here runs a command: the files are only read.
import { afterAll, describe, expect, it } from 'vitest';
import { reasons as why, scratchProject } from '../helpers.js';

const { write, guard, remove } = await scratchProject('publishing');
afterAll(remove);
write('package.json', {
  name: 'root',
  workspaces: ['packages/*'],
  scripts: {
    build: 'tsc -p .',
    test: 'vitest run',
    release: 'npm run build && npm publish --access public',
    'release:beta': 'changeset publish --tag beta',
    'release:check': 'npm publish --dry-run && cargo publish --dry-run',
    ship: 'np --no-tests',
    'image:push': 'docker push ghcr.io/acme/app:latest',
    'pypi:upload': 'python3 -m twine upload dist/*',
    crate: 'cargo publish',
    prerelease: 'npm test',
  },
});
write('packages/web/package.json', { name: 'web', scripts: { build: 'vite build', deploy: 'pnpm publish --no-git-checks' } });
write('packages/tagged/package.json', { name: 'tagged', scripts: { postversion: 'git push --follow-tags && npm publish' } });
write('packages/packed/package.json', { name: 'packed', scripts: { prepack: 'npm run build', build: 'tsc' } });
write('Makefile', ['.PHONY: build release snapshot', 'build:', '\tnpm run build', 'release: build', '\tgoreleaser release --clean', 'snapshot:', '\tgoreleaser release --snapshot --clean', ''].join('\n'));


describe('with real files: a script that publishes asks with its publishing rule', () => {
  it.each<[string, string]>([
    ['npm run release', 'npm-publish'],
    ['npm run-script release', 'npm-publish'],
    ['pnpm release', 'npm-publish'],
    ['pnpm run release', 'npm-publish'],
    ['yarn release', 'npm-publish'],
    ['bun run release', 'npm-publish'],
    ['yarn release:beta', 'release-tool-publish'],
    ['npm run ship', 'release-tool-publish'],
    ['npm run image:push', 'image-push'],
    ['npm run pypi:upload', 'python-publish'],
    ['npm run crate', 'cargo-publish'],
    ['npm run deploy -w packages/web', 'npm-publish'],
    ['cd packages/web && npm run deploy', 'npm-publish'],
    ['npm --prefix packages/web run deploy', 'npm-publish'],
    // npm version runs postversion, which pushes and publishes here.
    ['cd packages/tagged && npm version patch', 'npm-publish'],
    ['npm --prefix packages/tagged version minor', 'npm-publish'],
    [`bash -c 'npm run release'`, 'npm-publish'],
    ['make release', 'release-tool-publish'],
  ])('%s', (command, rule) => {
    const d = guard.check({ command });
    expect({ action: d.action, has: why(d).includes(rule) }).toEqual({ action: 'ask', has: true });
  });

  it.each(['npm run build', 'npm test', 'npm run release:check', 'npm run build -w packages/web', 'cd packages/packed && npm pack', 'npm publish --dry-run', 'npm --prefix packages/tagged version patch --ignore-scripts', 'make snapshot', 'make build'])('routine: %s', (command) => {
    const d = guard.check({ command });
    expect({ action: d.action, why: why(d) }).toEqual({ action: 'allow', why: [] });
  });

  it('npm version without --ignore-scripts runs postversion even when it makes no git tag', () => {
    const d = guard.check({ command: 'npm --prefix packages/tagged version patch --no-git-tag-version' });
    expect({ action: d.action, has: why(d).includes('npm-publish') }).toEqual({ action: 'ask', has: true });
  });
});
