// Container and cluster teardowns an agent reaches through the project's own scripts: an npm
// script, a Makefile recipe or a shell script that runs `docker compose down -v` asks with the
// container rule, while the everyday scripts (up, logs, ps) stay allowed. Real files in a
// temporary project; nothing here runs a command: the files are only read.
import { afterAll, describe, expect, it } from 'vitest';
import { reasons as why, scratchProject } from '../helpers.js';

const { ws, write, guard, remove } = await scratchProject('containers');
afterAll(remove);
write(
  'package.json',
  JSON.stringify({
    scripts: {
      'db:reset': 'docker compose down -v && docker compose up -d db',
      'docker:clean': 'docker system prune -af --volumes',
      'preview:teardown': 'kubectl delete ns preview-$BRANCH',
      'stack:down': 'docker-compose -f docker-compose.dev.yml down --volumes',
      up: 'docker compose up -d',
      logs: 'docker compose logs -f --tail=100',
      'k8s:status': 'kubectl get pods -n staging',
    },
  }),
);
write('Makefile', ['.PHONY: up reset nuke', 'up:', '\tdocker compose up -d', 'reset:', '\tdocker compose down -v', 'nuke:', '\tdocker rm -f $$(docker ps -aq)', ''].join('\n'));
write('scripts/reset-db.sh', '#!/bin/sh\nset -e\ndocker compose stop db\ndocker volume rm shop_pgdata\n', 0o755);
write('scripts/status.sh', '#!/bin/sh\ndocker compose ps\nkubectl get pods -n staging\n', 0o755);


describe("a project's scripts that tear containers down ask", () => {
  it.each<[string, string]>([
    ['npm run db:reset', 'compose-down-volumes'],
    ['npm run docker:clean', 'container-prune'],
    ['pnpm run docker:clean', 'container-prune'],
    ['yarn stack:down', 'compose-down-volumes'],
    ['npm run preview:teardown', 'kubernetes-delete'],
    ['make reset', 'compose-down-volumes'],
    ['make nuke', 'container-remove-all'],
    ['sh scripts/reset-db.sh', 'container-prune'],
    ['./scripts/reset-db.sh', 'container-prune'],
  ])('%s', (command, rule) => {
    const d = guard.check({ command, cwd: ws });
    expect(d.action).toBe('ask');
    expect(why(d)).toContain(rule);
  });
});

describe('everyday scripts stay allowed', () => {
  it.each(['npm run up', 'npm run logs', 'npm run k8s:status', 'make up', 'sh scripts/status.sh'])('%s', (command) => {
    const d = guard.check({ command, cwd: ws });
    expect({ action: d.action, why: why(d) }).toEqual({ action: 'allow', why: [] });
  });
});
