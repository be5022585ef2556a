// Multi-call binaries: busybox and toybox run the applet named by their first operand.
import type { ProgramSpec } from './types.js';

export const busybox: ProgramSpec = {
  names: ['busybox', 'toybox'],
  lists: ['shells'],
  runs: (args) => {
    // `busybox --install`, `busybox --list`: no applet runs.
    if (!args.length || (args[0].value?.startsWith('--') ?? false)) return [];
    return [{ kind: 'argv', argv: [...args] }];
  },
};

export const programs = [busybox];
