// Agent profiles: what an agent needs to keep working inside the guard (its own state
// directories stay writable, its model API is on the egress allowlist). The built-in ones are
// in the agents' modules (src/agents/<agent>.ts); a person adds or replaces one by name in
// ~/.config/agentguard/profiles/*.yaml. Chosen by the name of the command the session runs.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { AGENTS } from '../agents/index.js';

export const ProfileSchema = z
  .object({
    name: z.string().min(1).describe('Profile name'),
    programs: z.array(z.string().min(1)).min(1).describe('Command names (basename) this profile applies to'),
    write: z.array(z.string().min(1)).default([]).describe('Paths the agent keeps writable for its own state; ~ is the home directory. An empty list adds none'),
    hosts: z.array(z.string().min(1)).default([]).describe("Hosts the agent itself talks to (its model API), added to the egress allowlist for its sessions: host, *.suffix, host:port"),
  })
  .strict();

export type Profile = z.infer<typeof ProfileSchema>;

export function loadProfiles(home: string, env: NodeJS.ProcessEnv = process.env): Profile[] {
  const byName = new Map<string, Profile>();
  for (const a of AGENTS) byName.set(a.name, { name: a.name, programs: [...a.profile.programs], write: [...a.profile.write], hosts: [...a.profile.hosts] });
  for (const dir of [path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'agentguard', 'profiles')]) {
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
