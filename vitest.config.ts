import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Most files wait on processes (sessions, bubblewrap, git), not on the CPU: vitest's default
    // of one worker on a 2-core machine left the second core idle (suite 8.2 min; with two, 5.0).
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    // CI reads the counts for its summary line from the JSON report.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-results.json' }]] : ['default'],
  },
});
