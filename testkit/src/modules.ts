// Serves the built demo wasm modules (keeper/wasm/build) over HTTP on a free port, as a module
// host would: `GET /modules/<name>.wasm`.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const BUILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "keeper", "wasm", "build");

export type ModuleServer = {
  /** `http://127.0.0.1:<port>/modules`: a module is at `${base}/<name>.wasm`. */
  base: string;
  url: (name: string) => string;
  sha256: (name: string) => string;
  stop: () => Promise<void>;
};

/** Extra documents to serve beside the modules, by path (e.g. `/corpus.json`). */
export type ExtraRoutes = Record<string, { contentType: string; body: string | Uint8Array }>;

export async function serveModules(extra: ExtraRoutes = {}): Promise<ModuleServer> {
  const manifest = JSON.parse(readFileSync(path.join(BUILD, "manifest.json"), "utf8")) as Record<
    string,
    { file: string; sha256: string }
  >;
  const server: Server = createServer((req, res) => {
    // Browsers may read the modules too (the web app checks a job's module against its hash).
    res.setHeader("access-control-allow-origin", "*");
    const route = extra[req.url ?? ""];
    if (route) {
      res.setHeader("content-type", route.contentType);
      return res.end(route.body);
    }
    const name = (req.url ?? "").replace(/^\/modules\//, "").replace(/\.wasm$/, "");
    const entry = Object.hasOwn(manifest, name) ? manifest[name] : undefined;
    if (!entry) {
      res.statusCode = 404;
      return res.end();
    }
    res.setHeader("content-type", "application/wasm");
    res.end(readFileSync(path.join(BUILD, entry.file)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}/modules`;
  return {
    base,
    url: (name) => `${base}/${name}.wasm`,
    sha256: (name) => {
      const entry = manifest[name];
      if (!entry) throw new Error(`no module named ${name} in keeper/wasm/build/manifest.json`);
      return entry.sha256;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
