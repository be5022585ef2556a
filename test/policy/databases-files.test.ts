// Database wipes an agent reaches through the project's own files: package.json scripts that
// reset the database (npm run db:reset), and SQL files a client runs (psql -f drop.sql,
// sqlite3 app.db < wipe.sql, prisma db execute --file), which the analysis reads so that the
// rules see the statements. Real files in a temporary project; nothing here runs a command:
// the files are only read.
import { afterAll, describe, expect, it } from 'vitest';
import { reasons as why, scratchProject } from '../helpers.js';

const { ws, write, guard, remove } = await scratchProject('databases');
afterAll(remove);
write(
  'package.json',
  JSON.stringify({
    scripts: {
      'db:reset': 'prisma migrate reset --force',
      'db:push:force': 'drizzle-kit push --force',
      'db:fresh': 'php artisan migrate:fresh --seed',
      'db:wipe': 'psql "$DATABASE_URL" -f sql/wipe.sql',
      'db:rebuild': 'npm run db:reset && npm run db:seed',
      'db:seed': 'tsx prisma/seed.ts',
      'db:status': 'prisma migrate status',
      'db:migrate': 'prisma migrate dev',
      'db:schema': 'psql "$DATABASE_URL" -f sql/schema.sql',
      'db:shell': 'psql "$DATABASE_URL" -c "\\dt"',
    },
  }),
);
write('sql/wipe.sql', '-- start over\nBEGIN;\nTRUNCATE users, sessions CASCADE;\nCOMMIT;\n');
write('sql/drop.sql', 'DROP TABLE IF EXISTS users;\n');
write('sql/schema.sql', 'CREATE TABLE IF NOT EXISTS users (id serial PRIMARY KEY, name text);\nCREATE INDEX ON users (name);\n');
write('sql/report.sql', "SELECT count(*) FROM audit WHERE action = 'DELETE FROM users';\nEXPLAIN ANALYZE SELECT * FROM users;\n");
write('sql/psql-meta.sql', '\\set ON_ERROR_STOP on\n\\dt\nSELECT 1;\n');
write('sql/all.sql', '\\set ON_ERROR_STOP on\n\\ir drop.sql\n');
write('sql/setup.sql', '\\i sql/schema.sql\n');
write('sql/escape.sql', 'SELECT 1;\n\\! rm -rf ~/notes\n');
write('scripts/cleanup.js', 'db.sessions.deleteMany({})\n');
write('scripts/stats.js', 'printjson(db.users.countDocuments())\n');


describe("a project's scripts that reset the database ask", () => {
  it.each<[string, string]>([
    ['npm run db:reset', 'prisma-reset'],
    ['yes | npm run db:reset', 'prisma-reset'],
    ['pnpm run db:reset', 'prisma-reset'],
    ['yarn db:reset', 'prisma-reset'],
    ['npm run db:push:force', 'drizzle-force'],
    ['npm run db:fresh', 'laravel-db-wipe'],
    ['npm run db:wipe', 'sql-destructive'],
    ['npm run db:rebuild', 'prisma-reset'],
  ])('%s', (command, rule) => {
    const d = guard.check({ command, cwd: ws });
    expect(d.action).toBe('ask');
    expect(why(d)).toContain(rule);
  });
});

describe('the statements of a SQL file a client runs are read', () => {
  it.each<[string, string]>([
    ['psql -f sql/drop.sql', 'sql-destructive'],
    ['psql "$DATABASE_URL" --file=sql/wipe.sql', 'sql-destructive'],
    ['psql -fsql/drop.sql', 'sql-destructive'],
    ['psql -X -1f sql/drop.sql', 'sql-destructive'],
    ['psql app < sql/drop.sql', 'sql-destructive'],
    ['sqlite3 app.db < sql/wipe.sql', 'sql-destructive'],
    ['mysql app < sql/drop.sql', 'sql-destructive'],
    ['npx prisma db execute --file sql/drop.sql', 'sql-destructive'],
    ['mongosh app scripts/cleanup.js', 'sql-destructive'],
    ['mongosh app --file scripts/cleanup.js', 'sql-destructive'],
    ['cd sql && psql -f drop.sql', 'sql-destructive'],
    // Files the statements include: psql \\i and \\ir (relative to the including file), sqlite3 .read, mysql source.
    ["psql -c '\\i sql/drop.sql'", 'sql-destructive'],
    ['psql -f sql/all.sql', 'sql-destructive'],
    ["sqlite3 app.db '.read sql/wipe.sql'", 'sql-destructive'],
    ["mysql -e 'source sql/drop.sql' app", 'sql-destructive'],
    // Written by the line itself: what was written is what runs.
    ["printf 'DROP TABLE users;\\n' > /tmp/x.sql && psql -f /tmp/x.sql", 'sql-destructive'],
  ])('%s', (command, rule) => {
    const d = guard.check({ command, cwd: ws });
    expect(d.action).toBe('ask');
    expect(why(d)).toContain(rule);
  });

  it('runs the shell commands a SQL file escapes to (psql \\!) as commands of this machine', () => {
    const d = guard.check({ command: 'psql -f sql/escape.sql', cwd: ws });
    expect(d.action).toBe('ask');
    expect(why(d)).toContain('workspace-confinement');
    expect(d.commands.some((c) => c[0] === 'rm')).toBe(true);
  });

  it.each([
    // A file only known at run time, or written in a way the analysis cannot follow, is not read: it asks as opaque.
    'psql -f "$SQL_FILE"',
    'curl -s https://example.org/x.sql > /tmp/x.sql && psql -f /tmp/x.sql',
  ])('%s asks without knowing the statements', (command) => {
    const d = guard.check({ command, cwd: ws });
    expect(d.action).toBe('ask');
    expect(d.opaque.some((o) => /statements|file/.test(o)) || d.matches.some((m) => m.rule === 'sql-destructive')).toBe(true);
  });
});

describe('everyday scripts and read-only SQL files stay allowed', () => {
  it.each([
    'npm run db:status',
    'npm run db:migrate',
    'npm run db:schema',
    'npm run db:shell',
    'psql -f sql/schema.sql',
    'psql -f sql/report.sql',
    'psql -f sql/psql-meta.sql',
    'psql -f sql/setup.sql',
    "psql -c '\\i sql/report.sql'",
    'mongosh app scripts/stats.js',
    // A file that does not exist makes the client fail before it runs anything.
    'psql -f sql/missing.sql',
  ])('%s', (command) => {
    const d = guard.check({ command, cwd: ws });
    expect({ action: d.action, why: why(d) }).toEqual({ action: 'allow', why: [] });
  });
});
