import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, http } from "viem";
import { afterAll, describe, expect, it } from "vitest";
import { createExecutors, executeSpec, ExecutionError, toJson } from "../src/executors/index.js";
import { configSchema } from "../src/config.js";
import { ctx, failure } from "./helpers/executors.js";

const tmp = mkdtempSync(path.join(tmpdir(), "baton-registry-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("createExecutors", () => {
  const client = createPublicClient({ transport: http("http://127.0.0.1:1") });

  it("builds one executor per configured capability and no others", () => {
    const all = createExecutors({
      capabilities: ["wasm", "http.json", "contract.call"],
      cacheDir: tmp,
      publicClients: new Map([[31337, client]]),
    });
    expect([...all.keys()].sort()).toEqual(["contract.call", "http.json", "wasm"]);
    for (const [kind, executor] of all) expect(executor.kind).toBe(kind);

    const httpOnly = createExecutors({ capabilities: ["http.json"] });
    expect([...httpOnly.keys()]).toEqual(["http.json"]);
  });

  it("accepts the keeper's config shape, undefined fields included", () => {
    const executors = createExecutors({
      capabilities: ["wasm", "http.json"],
      cacheDir: tmp,
      allowFileUris: false,
      ipfsGateway: undefined,
      wasmTimeoutMs: 10_000,
      wasmMemoryMb: 64,
      httpTimeoutMs: 10_000,
      httpMaxBytes: 1_000_000,
      publicClients: new Map(),
    });
    expect(executors.size).toBe(2);
  });

  it("passes the keeper config's allowPrivateNetwork through to the http.json executor", async () => {
    const server = createServer((_req, res) => res.writeHead(200).end('{"price":1234.56}'));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/price`;
    const spec = { kind: "http.json", version: 1, url, method: "GET", path: "$.price" };
    const keeperConfig = (executors: Record<string, unknown>) =>
      configSchema.parse({
        rpcUrls: ["http://127.0.0.1:8545"],
        chainId: 31337,
        market: "0x000000000000000000000000000000000000dEaD",
        dbPath: path.join(tmp, "keeper.db"),
        capabilities: ["http.json"],
        strategy: { kind: "fraction", fraction: 0.5 },
        executors,
      });
    // As the keeper builds them: `{ ...cfg.executors, capabilities, publicClients }`.
    const build = (cfg: ReturnType<typeof keeperConfig>) =>
      createExecutors({ ...cfg.executors, capabilities: cfg.capabilities, publicClients: new Map() });
    try {
      const allowed = build(keeperConfig({ allowPrivateNetwork: true }));
      expect(await executeSpec(allowed, spec, ctx())).toEqual({ output: 1234.56 });
      const guarded = build(keeperConfig({}));
      const error = await failure(executeSpec(guarded, spec, ctx()));
      expect([error.code, error.message]).toEqual([
        "HTTP",
        "127.0.0.1:" + new URL(url).port + " is not a public address",
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("fails fast on unknown capabilities and missing configuration", () => {
    expect(() => createExecutors({ capabilities: ["python"] })).toThrow(/unknown executor kind "python"/);
    expect(() => createExecutors({ capabilities: ["wasm"] })).toThrow(/cacheDir/);
    expect(() => createExecutors({ capabilities: ["contract.call"] })).toThrow(/public client/);
  });
});

describe("executeSpec", () => {
  const executors = createExecutors({ capabilities: ["http.json"] });

  it("refuses kinds this keeper does not serve with UNSUPPORTED", async () => {
    for (const spec of [{ kind: "wasm", version: 1 }, { kind: "shell", version: 1 }, { version: 1 }, null, "x"]) {
      const error = await failure(executeSpec(executors, spec, ctx()));
      expect([error.code, error.retryable], JSON.stringify(spec)).toEqual(["UNSUPPORTED", false]);
    }
  });

  it("dispatches by kind", async () => {
    // http.json is configured; a malformed spec reaches its validation.
    const error = await failure(executeSpec(executors, { kind: "http.json", version: 1 }, ctx()));
    expect(error.code).toBe("BAD_INPUT");
  });
});

describe("ExecutionError", () => {
  it("carries a code, retryability and a JSON form for records", () => {
    const error = new ExecutionError("HTTP", "503 from upstream", { retryable: true });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ExecutionError");
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: "HTTP", message: "503 from upstream", retryable: true });
    expect(new ExecutionError("TRAP", "x").retryable).toBe(false);
  });
});

describe("contract.call result conversion", () => {
  it("turns results into JSON with integers as decimal strings", () => {
    expect(toJson([1n, 2, "0xab", true, { x: 3n, y: [4n] }, undefined])).toEqual([
      "1",
      "2",
      "0xab",
      true,
      { x: "3", y: ["4"] },
      null,
    ]);
    expect(toJson(undefined)).toBeNull();
  });
});
