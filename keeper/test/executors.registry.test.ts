import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { createPublicClient, http, parseAbiItem, type AbiFunction } from "viem";
import { afterAll, describe, expect, it } from "vitest";
import {
  canonicalJson,
  coerceArgument,
  createExecutors,
  executeSpec,
  ExecutionError,
  toJson,
  type ExecutionContext,
} from "../src/executors/index.js";

const logger = pino({ level: "silent" });
const ctx = (): ExecutionContext => ({ signal: new AbortController().signal, logger });
const tmp = mkdtempSync(path.join(tmpdir(), "baton-registry-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<ExecutionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExecutionError);
  return error as ExecutionError;
}

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

describe("canonicalJson", () => {
  it("sorts keys by UTF-16 code units at every level and drops whitespace", () => {
    expect(canonicalJson({ b: [{ z: 1, a: "x" }], a: null, "10": true, "9": false, é: 1, Z: 2 })).toBe(
      '{"10":true,"9":false,"Z":2,"a":null,"b":[{"a":"x","z":1}],"é":1}',
    );
    expect(canonicalJson('quote" and \n')).toBe('"quote\\" and \\n"');
    expect(canonicalJson(-0)).toBe("0");
  });

  it("refuses values JSON cannot carry", () => {
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson({ a: undefined } as never)).toThrow();
  });
});

describe("contract.call argument and result conversion", () => {
  const fn = (signature: string) => parseAbiItem(signature) as AbiFunction;

  it("converts JSON arguments by ABI type", () => {
    const f = fn("function f(uint256 a, int8 b, bool c, bytes2 d, string e, address[2] g, (uint64 x, bool y) t)");
    const args = [
      "115792089237316195423570985008687907853269984665640564039457584007913129639935",
      -128,
      true,
      "0xabcd",
      "hi",
      ["0x000000000000000000000000000000000000dEaD", "0x000000000000000000000000000000000000dead"],
      { x: "5", y: false },
    ];
    expect(f.inputs.map((p, i) => coerceArgument(p, args[i], `args[${i}]`))).toEqual([
      2n ** 256n - 1n,
      -128n,
      true,
      "0xabcd",
      "hi",
      ["0x000000000000000000000000000000000000dEaD", "0x000000000000000000000000000000000000dead"],
      { x: 5n, y: false },
    ]);
    expect(coerceArgument(f.inputs[6], ["7", true], "t")).toEqual([7n, true]);
  });

  it("refuses arguments outside their type", () => {
    const f = fn("function f(uint256 a, int8 b, address[2] c, (uint64 x, bool y) t, bytes d)");
    const bad: [number, unknown][] = [
      [0, (2n ** 256n).toString()],
      [0, "0x10"],
      [0, "1e3"],
      [0, 2 ** 60],
      [1, 128],
      [2, ["0x000000000000000000000000000000000000dEaD"]],
      [3, { x: "1" }],
      [3, ["1"]],
      [4, "0xabc"],
    ];
    for (const [i, value] of bad) {
      expect(() => coerceArgument(f.inputs[i], value as never, `args[${i}]`), JSON.stringify(value)).toThrow(
        ExecutionError,
      );
    }
  });

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
