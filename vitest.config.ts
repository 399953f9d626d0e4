import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Forks keep tfjs backends and their global registries isolated per test file.
    pool: 'forks',
    // The native backend's recycled output arrays start as NaN in tests, so a kernel that leaves part of its output
    // unwritten fails instead of passing on zeros.
    env: { TFJS_RESTORATION_POISON: '1' },
    // In CI also write a JSON report; .ci/summary.mjs turns it into the closing "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: process.env.CI ? { json: '.tmp/vitest-report.json' } : undefined,
  },
});
