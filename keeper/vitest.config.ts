import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Suites start real chains and worker threads; two cores run them one file at a time.
    fileParallelism: false,
  },
});
