import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // The equality test runs a chain and the indexer: one file at a time on two cores.
    fileParallelism: false,
  },
});
