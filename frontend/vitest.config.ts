import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// One run, two projects: unit tests in happy-dom, and the browser end-to-end suite (a real chain,
// deployment, keeper and `vite preview`, driven through Chromium) on Node.
export default defineConfig({
  plugins: [react()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.{ts,tsx}"],
          environment: "happy-dom",
          setupFiles: ["test/setup.ts"],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["e2e/**/*.test.ts"],
          environment: "node",
          // Each file starts a whole stack (chain, keeper, build, browser): one at a time.
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
