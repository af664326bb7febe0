// The committed modules in keeper/wasm/build must be exactly what the sources compile to: rebuild
// them into a temporary directory and compare hashes with the committed manifest and files.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const keeperDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const buildDir = path.join(keeperDir, "wasm/build");
type Manifest = Record<string, { file: string; sha256: string; bytes: number }>;
const committed = JSON.parse(readFileSync(path.join(buildDir, "manifest.json"), "utf8")) as Manifest;
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

const out = mkdtempSync(path.join(tmpdir(), "baton-wasm-build-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("committed wasm modules", () => {
  it("match their manifest", () => {
    const sources = readdirSync(path.join(keeperDir, "wasm/src"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => f.slice(0, -3));
    expect(Object.keys(committed).sort()).toEqual(sources.sort());
    for (const [name, entry] of Object.entries(committed)) {
      const file = path.join(buildDir, entry.file);
      expect(sha256(file), name).toBe(entry.sha256);
      expect(readFileSync(file).length, name).toBe(entry.bytes);
    }
  });

  it("are reproduced byte for byte by scripts/build-wasm.mjs", async () => {
    await promisify(execFile)(process.execPath, [path.join(keeperDir, "scripts/build-wasm.mjs"), "--out", out], {
      timeout: 120_000,
    });
    const rebuilt = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")) as Manifest;
    expect(rebuilt).toEqual(committed);
    for (const [name, entry] of Object.entries(rebuilt)) {
      expect(sha256(path.join(out, entry.file)), name).toBe(committed[name].sha256);
    }
  }, 120_000);
});
