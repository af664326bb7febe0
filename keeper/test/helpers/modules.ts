import { createServer, type Server } from "node:http";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./devnet.js";

const BUILD = path.join(ROOT, "keeper/wasm/build");

export type ModuleServer = {
  url: (name: string) => string;
  sha256: (name: string) => string;
  stop: () => Promise<void>;
};

/** Serves the built demo wasm modules over HTTP on a free port, as a module host would. */
export async function serveModules(): Promise<ModuleServer> {
  const manifest = JSON.parse(readFileSync(path.join(BUILD, "manifest.json"), "utf8")) as Record<
    string,
    { file: string; sha256: string }
  >;
  const server: Server = createServer((req, res) => {
    const name = (req.url ?? "").replace(/^\/modules\//, "").replace(/\.wasm$/, "");
    const entry = manifest[name];
    if (!entry) {
      res.statusCode = 404;
      return res.end();
    }
    res.setHeader("content-type", "application/wasm");
    res.end(readFileSync(path.join(BUILD, entry.file)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    url: (name) => `http://127.0.0.1:${port}/modules/${name}.wasm`,
    sha256: (name) => manifest[name].sha256,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
