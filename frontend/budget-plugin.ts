// Fails the build when a JavaScript chunk exceeds the gzip budget, and reports the largest one.
import { gzipSync } from "node:zlib";
import type { Plugin } from "vite";

export function chunkBudget(maxGzipKb: number): Plugin {
  return {
    name: "baton-chunk-budget",
    apply: "build",
    generateBundle(_options, bundle) {
      let largest = { name: "", kb: 0 };
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== "chunk") continue;
        const kb = gzipSync(chunk.code).length / 1000;
        if (kb > largest.kb) largest = { name: chunk.fileName, kb };
      }
      const line = `largest JS chunk: ${largest.name} ${largest.kb.toFixed(1)} kB gzip (budget ${maxGzipKb} kB)`;
      if (largest.kb > maxGzipKb) this.error(line);
      this.info(line);
    },
  };
}
