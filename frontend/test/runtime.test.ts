import { describe, expect, it } from "vitest";
import { ConfigError, loadRuntimeConfig, parseRuntimeConfig } from "../src/config/runtime.ts";
import { BOOK } from "./helpers/fakeChain.ts";

const chain = { chainId: 31337, name: "Local", rpcUrl: "http://127.0.0.1:8545", addressBook: BOOK };

function response(body: string, init: { status?: number; type?: string } = {}) {
  return new Response(body, {
    status: init.status ?? 200,
    headers: { "content-type": init.type ?? "application/json" },
  });
}

describe("runtime configuration", () => {
  it("reads chains with their address books, optional explorer and wasm modules", () => {
    const config = parseRuntimeConfig({
      chains: [
        {
          ...chain,
          explorerUrl: "https://explorer.example/",
          wasmModules: [{ name: "wordfreq", uri: "http://127.0.0.1:9/wordfreq.wasm", sha256: "b".repeat(64) }],
        },
      ],
    });
    expect(config.chains[0]!.addressBook.deploymentBlock).toBe(1n);
    expect(config.chains[0]!.explorerUrl).toBe("https://explorer.example");
    expect(config.chains[0]!.wasmModules[0]!.name).toBe("wordfreq");
  });

  it("accepts a bare array and an optional workflowOrchestrator", () => {
    const config = parseRuntimeConfig([
      { ...chain, addressBook: { ...BOOK, workflowOrchestrator: "0xdc64a140aa3e981100a9beca4e685f962f0cf6c9" } },
    ]);
    expect(config.chains[0]!.addressBook.workflowOrchestrator).toBe("0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9");
  });

  it("reads an optional indexer URL", () => {
    const config = parseRuntimeConfig([{ ...chain, indexerUrl: "http://127.0.0.1:42069/" }]);
    expect(config.chains[0]!.indexerUrl).toBe("http://127.0.0.1:42069");
    expect(parseRuntimeConfig([chain]).chains[0]).not.toHaveProperty("indexerUrl");
    expect(() => parseRuntimeConfig([{ ...chain, indexerUrl: "postgres://x" }])).toThrow(/indexerUrl must be an http/);
  });

  it("names the first problem of an invalid file", () => {
    expect(() => parseRuntimeConfig({})).toThrow(/at least one chain/);
    expect(() => parseRuntimeConfig({ chains: [{ ...chain, rpcUrl: "ws://x" }] })).toThrow(/rpcUrl must be an http/);
    expect(() => parseRuntimeConfig({ chains: [{ ...chain, addressBook: { ...BOOK, jobMarket: "0x12" } }] })).toThrow(
      /jobMarket must be an address/,
    );
    expect(() => parseRuntimeConfig({ chains: [{ ...chain, chainId: 1 }] })).toThrow(/is for chain 31337, not 1/);
    expect(() => parseRuntimeConfig({ chains: [chain, chain] })).toThrow(/listed twice/);
  });

  it("tells a missing file from an invalid one", async () => {
    const load = (r: Response) => loadRuntimeConfig("baton.config.json", async () => r);
    await expect(load(response("nope", { status: 404 }))).rejects.toMatchObject({ kind: "missing" });
    await expect(load(response("<!doctype html>", { type: "text/html" }))).rejects.toMatchObject({ kind: "missing" });
    await expect(load(response("{oops"))).rejects.toMatchObject({ kind: "invalid" });
    await expect(load(response(JSON.stringify({ chains: [chain] })))).resolves.toHaveProperty("chains");
    await expect(load(response("[]"))).rejects.toBeInstanceOf(ConfigError);
  });
});
