// Agent profiles: what an agent needs to keep working inside the guard (its own state
// directories stay writable, its model API is on the egress allowlist). Profiles are data
// (profiles/*.yaml), chosen by the name of the command the session runs, and extendable in
// ~/.config/agentguard/profiles/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

export const ProfileSchema = z
  .object({
    name: z.string().min(1).describe('Profile name'),
    programs: z.array(z.string().min(1)).min(1).describe('Command names (basename) this profile applies to'),
    write: z.array(z.string().min(1)).default([]).describe('Paths the agent keeps writable for its own state; ~ is the home directory. An empty list adds none'),
    hosts: z.array(z.string().min(1)).default([]).describe("Hosts the agent itself talks to (its model API), added to the egress allowlist for its sessions: host, *.suffix, host:port"),
  })
  .strict();

export type Profile = z.infer<typeof ProfileSchema>;

const BUILTIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../profiles');

export function loadProfiles(home: string, env: NodeJS.ProcessEnv = process.env): Profile[] {
  const dirs = [BUILTIN, path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'agentguard', 'profiles')];
  const byName = new Map<string, Profile>();
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).filter((x) => /\.ya?ml$/.test(x)).sort()) {
      const file = path.join(dir, f);
      const r = ProfileSchema.safeParse(parse(fs.readFileSync(file, 'utf8')));
      if (!r.success) throw new Error(`${file}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      byName.set(r.data.name, r.data);
    }
  }
  return [...byName.values()];
}

export function profileFor(command: string[], profiles: Profile[]): Profile | null {
  const name = path.basename(command[0] ?? '');
  return profiles.find((p) => p.programs.includes(name)) ?? null;
}

export function expandHome(p: string, home: string): string {
  return p === '~' || p.startsWith('~/') ? home + p.slice(1) : p;
}
