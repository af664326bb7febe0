// The README's TypeScript examples must run as written: their `ts` blocks, joined in order into
// one script, are type-checked with the sdk's compiler settings and then run with tsx against a
// fresh deployment, from a directory laid out as `npm run dev` leaves it (`.baton/state/`).
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import { deployBaton, ROOT } from "@baton/testkit/devnet";
import { serializeAddressBook } from "../src/addresses.js";

const run = promisify(execFile);
const rpcUrl = inject("rpcUrl");

const README = readFileSync(path.join(ROOT, "README.md"), "utf8");
const blocks = [...README.matchAll(/```ts\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
const script = blocks.join("\n\n");

// Inside the sdk package, so that `@baton/sdk` and viem resolve as they do for a reader in the repository.
const dir = path.join(ROOT, "sdk", "test", ".readme");
const file = path.join(dir, "example.ts");
mkdirSync(dir, { recursive: true });
writeFileSync(file, script);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("README.md's TypeScript examples", () => {
  it("are there: a job and a workflow", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(script).toContain("postJob(");
    expect(script).toContain("createWorkflow(");
  });

  it("type-check as written", { timeout: 120_000 }, async () => {
    writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({ extends: "../../tsconfig.json", include: [], files: ["example.ts"] }),
    );
    const tsc = path.join(ROOT, "node_modules", ".bin", "tsc");
    const result = await run(tsc, ["--noEmit", "-p", dir]).catch((error: { stdout: string }) => error);
    expect(result.stdout).toBe("");
  });

  it.skipIf(!rpcUrl)(
    "run as written against a deployment laid out as npm run dev leaves it",
    { timeout: 120_000 },
    async () => {
      const { book } = await deployBaton(rpcUrl!);
      const cwd = mkdtempSync(path.join(tmpdir(), "baton-readme-"));
      try {
        const state = path.join(cwd, ".baton", "state");
        mkdirSync(state, { recursive: true });
        writeFileSync(path.join(state, "addresses.json"), JSON.stringify(serializeAddressBook(book), null, 2));
        const manifest = JSON.parse(readFileSync(path.join(ROOT, "keeper", "wasm", "build", "manifest.json"), "utf8"));
        const wasmModules = Object.entries(manifest as Record<string, { sha256: string }>).map(([name, m]) => ({
          name,
          uri: `http://127.0.0.1:1/modules/${name}.wasm`,
          sha256: m.sha256,
        }));
        writeFileSync(
          path.join(state, "baton.config.json"),
          JSON.stringify({ chains: [{ chainId: 31337, wasmModules }] }),
        );
        const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
        const { stdout } = await run(tsx, [file], { cwd, env: { ...process.env, BATON_RPC_URL: rpcUrl! } });
        expect(stdout).toMatch(/^posted job \d+$/m);
        expect(stdout).toMatch(/^workflow \d+: 4 steps$/m);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    },
  );
});
