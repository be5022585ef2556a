// aider: a session profile only. It has no pre-command hook, so inside a session the shims
// check every shell it starts and outside one agentguard does not see its commands.
import type { Agent } from './types.js';

export const aider = {
  name: 'aider' as const,
  title: 'aider',
  binary: 'aider',
  profile: {
    programs: ['aider'],
    write: ['~/.aider', '~/.aider.conf.yml', '~/.cache/aider'],
    // Its model APIs.
    hosts: ['api.openai.com', 'api.anthropic.com', 'openrouter.ai'],
  },
} satisfies Agent;
