import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One Hardhat node for the run (started on a free port, stopped at the end); see test/helpers/global-setup.ts.
    globalSetup: ["test/helpers/global-setup.ts"],
    // Chain tests send from the same dev accounts: files run one after another to keep nonces in order.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
