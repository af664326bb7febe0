import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { batonConfig } from "./config-plugin.ts";

export default defineConfig({
  plugins: [react(), batonConfig()],
  // Relative asset URLs: the build can be served from any path, next to its baton.config.json.
  base: "./",
  build: {
    target: "es2022",
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: true,
  },
});
