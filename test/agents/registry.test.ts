// The agent registry: every agent's module is complete for what it offers, and the session
// profiles built from them (with a person's own profiles on top) carry what the agents need.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENTS, HOOK_AGENTS, isAgent } from '../../src/agents/index.js';
import { loadProfiles, profileFor } from '../../src/session/profiles.js';
import { makeWorld } from '../hooks/helpers.js';

const world = makeWorld('agents');
afterAll(() => world.remove());

describe('the registry', () => {
  it('names each agent once, and the hook agents are the four with a hook and settings', () => {
    expect(new Set(AGENTS.map((a) => a.name)).size).toBe(AGENTS.length);
    expect(HOOK_AGENTS.map((a) => a.name)).toEqual(['claude', 'gemini', 'codex', 'cursor']);
    for (const a of HOOK_AGENTS) expect(a.settings.event).toBe(a.hook.event);
    expect(isAgent('aider')).toBe(false);
    expect(isAgent('claude')).toBe(true);
  });
});

describe('session profiles', () => {
  it("Claude Code's profile has the hosts it contacts at start (its network requirements)", () => {
    const claude = profileFor(['claude'], loadProfiles(world.home, { HOME: world.home }))!;
    expect(claude.name).toBe('claude');
    expect(claude.hosts).toEqual(expect.arrayContaining(['api.anthropic.com', 'claude.ai', 'platform.claude.com', 'statsig.anthropic.com']));
  });

  it('has one profile per agent, chosen by program name, and a personal profile replaces one by name', () => {
    const dir = path.join(world.home, '.config/agentguard/profiles');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'aider.yaml'), 'name: aider\nprograms: [aider]\nhosts: [llm.internal.example]\n');
    const profiles = loadProfiles(world.home, { HOME: world.home });
    expect(profiles.map((p) => p.name)).toEqual(AGENTS.map((a) => a.name));
    expect(profileFor(['/usr/local/bin/cursor-agent'], profiles)?.name).toBe('cursor');
    expect(profileFor(['aider'], profiles)).toEqual({ name: 'aider', programs: ['aider'], write: [], hosts: ['llm.internal.example'] });
  });
});

describe("Claude's hook for one run (--settings)", () => {
  it('is added before the person’s arguments, and skipped (with the reason) when they give their own settings in either spelling', async () => {
    const { withAgentHook } = await import('../../src/hooks/inject.js');
    const added = withAgentHook(['claude', 'do it'], 'claude', '/nonexistent', {});
    expect(added.command.slice(0, 2)).toEqual(['claude', '--settings']);
    expect(added.skipped).toBeNull();
    for (const own of [['--settings', '{}'], ['--settings={}']]) {
      const r = withAgentHook(['claude', ...own], 'claude', '/nonexistent', {});
      expect(r.command).toEqual(['claude', ...own]);
      expect(r.skipped).toMatch(/its own --settings/);
    }
  });
});
