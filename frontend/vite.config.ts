import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { chunkBudget } from "./budget-plugin.ts";
import { batonConfig } from "./config-plugin.ts";

export default defineConfig({
  // The largest JavaScript chunk must stay within 350 kB gzip; pages load as their own chunks.
  plugins: [react(), batonConfig(), chunkBudget(350)],
  // Relative asset URLs: the build can be served from any path, next to its baton.config.json.
  base: "./",
  build: {
    target: "es2022",
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: true,
  },
});
