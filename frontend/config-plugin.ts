// Serves the runtime configuration at `/baton.config.json` from the file named by BATON_CONFIG, in
// `vite` (dev) and `vite preview` alike, so one build runs against any deployment. Without
// BATON_CONFIG, Vite serves `public/baton.config.json` (dev) or `dist/baton.config.json` (preview)
// if present, as a static host would.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Connect, Plugin } from "vite";

export const CONFIG_PATH = "/baton.config.json";

function middleware(file: string): Connect.NextHandleFunction {
  return (req, res, next) => {
    if ((req.url ?? "").split("?")[0] !== CONFIG_PATH) return next();
    let body: string;
    try {
      body = readFileSync(file, "utf8");
    } catch (error) {
      res.statusCode = 404;
      res.setHeader("content-type", "text/plain");
      res.end(`BATON_CONFIG names ${file}, which cannot be read: ${(error as Error).message}`);
      return;
    }
    res.setHeader("content-type", "application/json");
    res.setHeader("cache-control", "no-store");
    res.end(body);
  };
}

export function batonConfig(file = process.env.BATON_CONFIG): Plugin {
  const resolved = file ? path.resolve(file) : undefined;
  return {
    name: "baton-config",
    configureServer(server) {
      if (resolved) server.middlewares.use(middleware(resolved));
    },
    configurePreviewServer(server) {
      if (resolved) server.middlewares.use(middleware(resolved));
    },
  };
}
