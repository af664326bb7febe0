import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import binaryen from "binaryen";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WasmExecutor, type WasmExecutorConfig } from "../src/executors/index.js";
import { readMemoryImport } from "../src/executors/wasm.js";
import { ctx, failure } from "./helpers/executors.js";

const buildDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../wasm/build");
const manifest = JSON.parse(readFileSync(path.join(buildDir, "manifest.json"), "utf8")) as Record<
  string,
  { file: string; sha256: string; bytes: number }
>;
const moduleBytes = (name: string) => readFileSync(path.join(buildDir, manifest[name].file));
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const dataUri = (bytes: Uint8Array) => `data:application/wasm;base64,${Buffer.from(bytes).toString("base64")}`;
const fileUri = (name: string) => pathToFileURL(path.join(buildDir, manifest[name].file)).href;

/** Assembles a module from WebAssembly text. */
function wat(text: string): Uint8Array {
  const module = binaryen.parseText(text);
  try {
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

/** A spec running `bytes` (inline as a data: URI) on UTF-8 `input`. */
function inlineSpec(bytes: Uint8Array, input = "", limits?: { timeoutMs?: number; memoryMb?: number }) {
  return {
    kind: "wasm",
    version: 1,
    module: { uri: dataUri(bytes), sha256: sha256(bytes) },
    input: { encoding: "utf8", data: input },
    ...(limits ? { limits } : {}),
  };
}

let tmp: string;
let executor: WasmExecutor;
const newExecutor = (config: Partial<WasmExecutorConfig> = {}) =>
  new WasmExecutor({
    cacheDir: path.join(tmp, "cache"),
    allowFileUris: true,
    wasmTimeoutMs: 5_000,
    wasmMemoryMb: 64,
    ...config,
  });

/** A local server for module downloads, counting requests per path. */
let server: Server;
let base: string;
const served = new Map<string, Uint8Array>();
const hits = new Map<string, number>();

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "baton-wasm-"));
  executor = newExecutor();
  server = createServer((req, res) => {
    const url = req.url ?? "/";
    hits.set(url, (hits.get(url) ?? 0) + 1);
    const body = served.get(url);
    if (!body) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": "application/wasm" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
});

describe("demo modules", () => {
  it("counts words, lowercased, with sorted keys", async () => {
    const spec = {
      kind: "wasm",
      version: 1,
      module: { uri: fileUri("wordfreq"), sha256: manifest.wordfreq.sha256 },
      input: { encoding: "utf8", data: "The cat saw the other Cat. Don't stop: don’t! Été, été" },
    };
    const { output } = await executor.execute(spec, ctx());
    expect(output).toEqual({ cat: 2, "don't": 2, été: 2, other: 1, saw: 1, stop: 1, the: 2 });
    expect(Object.keys(output as object)).toEqual(["cat", "don't", "other", "saw", "stop", "the", "été"]);
  });

  it("factorises integers up to 2^53", async () => {
    const run = (data: string) =>
      executor.execute(
        {
          kind: "wasm",
          version: 1,
          module: { uri: dataUri(moduleBytes("primes")), sha256: manifest.primes.sha256 },
          input: { encoding: "utf8", data },
        },
        ctx(),
      );
    expect((await run("600851475143")).output).toEqual({ n: 600851475143, factors: [71, 839, 1471, 6857] });
    expect((await run(" 9007199254740881\n")).output).toEqual({ n: 9007199254740881, factors: [9007199254740881] });
    expect((await run("1")).output).toEqual({ n: 1, factors: [] });
    expect((await run("9007199254740993")).output).toEqual({ error: "n must be at most 2^53" });
    expect((await run("12abc")).output).toEqual({ error: "input must be a decimal integer" });
  });

  it("takes base64 input", async () => {
    const { output } = await executor.execute(
      {
        kind: "wasm",
        version: 1,
        module: { uri: fileUri("primes"), sha256: manifest.primes.sha256 },
        input: { encoding: "base64", data: Buffer.from("360").toString("base64") },
      },
      ctx(),
    );
    expect(output).toEqual({ n: 360, factors: [2, 2, 2, 3, 3, 5] });
  });

  it("multiplies matrices given as canonical JSON input", async () => {
    const run = (data: unknown, encoding = "json") =>
      executor.execute(
        {
          kind: "wasm",
          version: 1,
          module: { uri: fileUri("matrix"), sha256: manifest.matrix.sha256 },
          input: { encoding, data },
        },
        ctx(),
      );
    const { output } = await run({
      b: [
        [7, 8],
        [9, 10],
        [11, 12],
      ],
      a: [
        [1, 2, 3],
        [4, 5, 6],
      ],
    });
    expect(output).toEqual({
      product: [
        [58, 64],
        [139, 154],
      ],
    });
    expect((await run({ a: [[1, 2]], b: [[1, 2]] })).output).toEqual({ error: "a is 1x2 but b has 1 rows" });
    expect((await run({ a: [[1], [2, 3]], b: [[1]] })).output).toMatchObject({ error: /rows differ in length/ });
    // Specs carry no floats, so "json" input never holds one; the module checks raw text itself.
    expect((await failure(run({ a: [[1.5]], b: [[1]] }))).code).toBe("BAD_INPUT");
    expect((await run('{"a":[[1.5]],"b":[[1]]}', "utf8")).output).toMatchObject({ error: /integers/ });
    expect((await run({ a: [[2 ** 40]], b: [[2 ** 40]] })).output).toMatchObject({ error: /safe integer/ });
  });

  it("gives the same output on every run", async () => {
    const spec = inlineSpec(moduleBytes("wordfreq"), "b a c b a b ".repeat(500));
    const first = await executor.execute(spec, ctx());
    const second = await executor.execute(spec, ctx());
    expect(second).toEqual(first);
    expect(first.output).toEqual({ a: 1000, b: 1500, c: 500 });
  });
});

describe("module fetching and verification", () => {
  it("refuses a module whose hash differs from the spec and never runs it", async () => {
    // spin.wasm would run until the 4 s limit; the mismatch must stop it before any worker starts.
    const spin = moduleBytes("spin");
    const wrong = sha256(moduleBytes("primes"));
    served.set("/spin-as-primes.wasm", spin);
    const cacheDir = path.join(tmp, "mismatch-cache");
    const started = Date.now();
    const error = await failure(
      newExecutor({ cacheDir }).execute(
        {
          kind: "wasm",
          version: 1,
          module: { uri: `${base}/spin-as-primes.wasm`, sha256: wrong },
          input: { encoding: "utf8", data: "" },
          limits: { timeoutMs: 4_000 },
        },
        ctx(),
      ),
    );
    expect(error.code).toBe("MODULE_HASH_MISMATCH");
    expect(error.retryable).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(existsSync(path.join(cacheDir, `${wrong}.wasm`))).toBe(false);
    expect(existsSync(path.join(cacheDir, `${sha256(spin)}.wasm`))).toBe(false);
  });

  it("caches verified modules on disk so that a restarted keeper does not fetch again", async () => {
    const cacheDir = path.join(tmp, "restart-cache");
    const bytes = moduleBytes("primes");
    served.set("/primes.wasm", bytes);
    const spec = {
      kind: "wasm",
      version: 1,
      module: { uri: `${base}/primes.wasm`, sha256: manifest.primes.sha256 },
      input: { encoding: "utf8", data: "91" },
    };
    const before = hits.get("/primes.wasm") ?? 0;
    expect((await newExecutor({ cacheDir }).execute(spec, ctx())).output).toEqual({ n: 91, factors: [7, 13] });
    expect(hits.get("/primes.wasm")).toBe(before + 1);
    expect(readFileSync(path.join(cacheDir, `${manifest.primes.sha256}.wasm`))).toEqual(bytes);

    // A new executor (a restarted keeper) with the server gone from the picture runs from the cache.
    served.delete("/primes.wasm");
    expect((await newExecutor({ cacheDir }).execute(spec, ctx())).output).toEqual({ n: 91, factors: [7, 13] });
    expect(hits.get("/primes.wasm")).toBe(before + 1);

    // A corrupted cache entry is discarded and fetched again, never run.
    writeFileSync(path.join(cacheDir, `${manifest.primes.sha256}.wasm`), moduleBytes("spin"));
    served.set("/primes.wasm", bytes);
    expect((await newExecutor({ cacheDir }).execute(spec, ctx())).output).toEqual({ n: 91, factors: [7, 13] });
    expect(hits.get("/primes.wasm")).toBe(before + 2);
    expect(readFileSync(path.join(cacheDir, `${manifest.primes.sha256}.wasm`))).toEqual(bytes);
  });

  it("fetches ipfs:// modules through the configured gateway", async () => {
    const cid = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
    served.set(`/ipfs/${cid}/matrix.wasm`, moduleBytes("matrix"));
    const spec = {
      kind: "wasm",
      version: 1,
      module: { uri: `ipfs://${cid}/matrix.wasm`, sha256: manifest.matrix.sha256 },
      input: { encoding: "json", data: { a: [[2]], b: [[21]] } },
    };
    const gatewayed = newExecutor({ cacheDir: path.join(tmp, "ipfs-cache"), ipfsGateway: `${base}/` });
    expect((await gatewayed.execute(spec, ctx())).output).toEqual({ product: [[42]] });
    const noGateway = newExecutor({ cacheDir: path.join(tmp, "no-gateway-cache") });
    expect((await failure(noGateway.execute(spec, ctx()))).code).toBe("UNSUPPORTED");
  });

  it("refuses file: URIs unless they are allowed", async () => {
    const locked = newExecutor({ allowFileUris: false, cacheDir: path.join(tmp, "locked-cache") });
    const error = await failure(
      locked.execute(
        {
          kind: "wasm",
          version: 1,
          module: { uri: fileUri("primes"), sha256: manifest.primes.sha256 },
          input: { encoding: "utf8", data: "2" },
        },
        ctx(),
      ),
    );
    expect(error.code).toBe("UNSUPPORTED");
  });

  it("refuses module downloads over the size limit", async () => {
    served.set("/big.wasm", new Uint8Array(300_000));
    const small = newExecutor({ wasmMaxModuleBytes: 100_000, cacheDir: path.join(tmp, "small-cache") });
    const error = await failure(
      small.execute(
        {
          kind: "wasm",
          version: 1,
          module: { uri: `${base}/big.wasm`, sha256: "0".repeat(64) },
          input: { encoding: "utf8", data: "" },
        },
        ctx(),
      ),
    );
    expect(error.code).toBe("SIZE_LIMIT");
  });

  it("reports a missing module as a fetch failure", async () => {
    const error = await failure(
      executor.execute(
        {
          kind: "wasm",
          version: 1,
          module: { uri: `${base}/missing.wasm`, sha256: "0".repeat(64) },
          input: { encoding: "utf8", data: "" },
        },
        ctx(),
      ),
    );
    expect(error.code).toBe("MODULE_FETCH");
    expect(error.retryable).toBe(false);
  });

  it("refuses loopback module URLs when private module URLs are disallowed", async () => {
    served.set("/primes.wasm", moduleBytes("primes"));
    const spec = {
      kind: "wasm",
      version: 1,
      module: { uri: `${base}/primes.wasm`, sha256: manifest.primes.sha256 },
      input: { encoding: "utf8", data: "4" },
    };
    const guarded = newExecutor({ allowPrivateModuleUrls: false, cacheDir: path.join(tmp, "guarded-cache") });
    expect((await failure(guarded.execute(spec, ctx()))).code).toBe("MODULE_FETCH");
  });
});

describe("limits", () => {
  it("stops a module that runs too long with TIMEOUT and keeps working", async () => {
    const started = Date.now();
    const error = await failure(executor.execute(inlineSpec(moduleBytes("spin"), "", { timeoutMs: 500 }), ctx()));
    const elapsed = Date.now() - started;
    expect(error.code).toBe("TIMEOUT");
    expect(elapsed).toBeGreaterThanOrEqual(500);
    // The limit plus about a second for worker start-up and termination on a loaded machine.
    expect(elapsed).toBeLessThan(2_000);
    const { output } = await executor.execute(inlineSpec(moduleBytes("primes"), "10"), ctx());
    expect(output).toEqual({ n: 10, factors: [2, 5] });
  });

  it.each([8, 16, 48])("stops a module that grows memory past a %i MiB limit with MEMORY", async (memoryMb) => {
    const started = Date.now();
    const error = await failure(executor.execute(inlineSpec(moduleBytes("hog"), "", { memoryMb }), ctx()));
    expect(error.code).toBe("MEMORY");
    expect(error.message).toContain(`${memoryMb * 16} pages`);
    expect(error.retryable).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("reports other traps in a module that has used little memory as TRAP", async () => {
    const bytes = wat(`(module (import "env" "memory" (memory 1))
      (func (export "alloc") (param i32) (result i32) (i32.const 0))
      (func (export "run") (param i32 i32) (result i32)
        (drop (memory.grow (i32.const 10))) (unreachable)))`);
    const error = await failure(executor.execute(inlineSpec(bytes, "", { memoryMb: 16 }), ctx()));
    expect(error.code).toBe("TRAP");
  });

  it("refuses a module that needs more memory at start than the limit", async () => {
    const big = wat(`(module
      (import "env" "memory" (memory 300))
      (func (export "alloc") (param i32) (result i32) (i32.const 0))
      (func (export "run") (param i32 i32) (result i32) (i32.const 0)))`);
    expect(readMemoryImport(big)).toEqual({ minPages: 300, maxPages: undefined, shared: false, memory64: false });
    const error = await failure(executor.execute(inlineSpec(big, "", { memoryMb: 16 }), ctx()));
    expect(error.code).toBe("MEMORY");
  });

  it("refuses limits above the keeper's caps", async () => {
    const spec = inlineSpec(moduleBytes("primes"), "2", { timeoutMs: 60_000 });
    expect((await failure(executor.execute(spec, ctx()))).code).toBe("UNSUPPORTED");
    // Within what specs may ask for (512 MB), above this keeper's 64 MiB.
    const memory = inlineSpec(moduleBytes("primes"), "2", { memoryMb: 128 });
    expect((await failure(executor.execute(memory, ctx()))).code).toBe("UNSUPPORTED");
  });

  it("stops promptly when the caller aborts, as a retryable TIMEOUT", async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error("shutting down")), 200);
    const error = await failure(executor.execute(inlineSpec(moduleBytes("spin")), ctx(controller.signal)));
    expect(error.code).toBe("TIMEOUT");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("shutting down");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("refuses output over the size limit", async () => {
    const small = newExecutor({ wasmMaxOutputBytes: 10 });
    const error = await failure(small.execute(inlineSpec(moduleBytes("wordfreq"), "a b c d e f g"), ctx()));
    expect(error.code).toBe("SIZE_LIMIT");
  });
});

describe("module ABI", () => {
  const module = (body: string, imports = `(import "env" "memory" (memory 1))`) =>
    wat(`(module ${imports}
      (func (export "alloc") (param i32) (result i32) (i32.const 1024))
      ${body})`);

  it("refuses modules that import anything besides env.memory and env.abort", async () => {
    const bytes = module(
      `(func (export "run") (param i32 i32) (result i32) (drop (call $seed)) (i32.const 0))`,
      `(import "env" "memory" (memory 1)) (import "env" "seed" (func $seed (result f64)))`,
    );
    const error = await failure(executor.execute(inlineSpec(bytes), ctx()));
    expect(error.code).toBe("BAD_INPUT");
    expect(error.message).toContain("env.seed");
  });

  it("refuses modules that bring their own memory", async () => {
    const bytes = wat(`(module (memory 1)
      (func (export "alloc") (param i32) (result i32) (i32.const 0))
      (func (export "run") (param i32 i32) (result i32) (i32.const 0)))`);
    expect((await failure(executor.execute(inlineSpec(bytes), ctx()))).code).toBe("BAD_INPUT");
  });

  it("refuses modules without a run export", async () => {
    const bytes = module("");
    const error = await failure(executor.execute(inlineSpec(bytes), ctx()));
    expect(error.code).toBe("BAD_INPUT");
    expect(error.message).toContain("run");
  });

  it("refuses bytes that are not WebAssembly", async () => {
    const bytes = new TextEncoder().encode("definitely not wasm");
    expect((await failure(executor.execute(inlineSpec(bytes), ctx()))).code).toBe("BAD_INPUT");
  });

  it("reports output that is not JSON as TRAP", async () => {
    // Output at 2048: length 3, bytes "abc".
    const bytes = module(
      `(data (i32.const 2048) "\\03\\00\\00\\00abc")
       (func (export "run") (param i32 i32) (result i32) (i32.const 2048))`,
    );
    const error = await failure(executor.execute(inlineSpec(bytes), ctx()));
    expect(error.code).toBe("TRAP");
    expect(error.message).toContain("not valid JSON");
  });

  it("returns the JSON a hand-written module produces, and echoes input through memory", async () => {
    // run(ptr, len) writes len at ptr - 4 and returns ptr - 4: the output is the input itself.
    const bytes = module(
      `(func (export "run") (param $ptr i32) (param $len i32) (result i32)
         (i32.store (i32.sub (local.get $ptr) (i32.const 4)) (local.get $len))
         (i32.sub (local.get $ptr) (i32.const 4)))`,
    );
    const { output } = await executor.execute(inlineSpec(bytes, '{"echo":[1,"two",null]}'), ctx());
    expect(output).toEqual({ echo: [1, "two", null] });
  });

  it("reports a pointer outside memory as TRAP", async () => {
    const bytes = module(`(func (export "run") (param i32 i32) (result i32) (i32.const -16))`);
    expect((await failure(executor.execute(inlineSpec(bytes), ctx()))).code).toBe("TRAP");
  });

  it("reports unreachable and abort as TRAP", async () => {
    const unreachable = module(`(func (export "run") (param i32 i32) (result i32) (unreachable))`);
    const trapped = await failure(executor.execute(inlineSpec(unreachable), ctx()));
    expect(trapped.code).toBe("TRAP");
    expect(trapped.message).toContain("unreachable");

    const aborting = module(
      `(func (export "run") (param i32 i32) (result i32)
         (call $abort (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 2)) (i32.const 0))`,
      `(import "env" "memory" (memory 1))
       (import "env" "abort" (func $abort (param i32 i32 i32 i32)))`,
    );
    const aborted = await failure(executor.execute(inlineSpec(aborting), ctx()));
    expect(aborted.code).toBe("TRAP");
    expect(aborted.message).toContain("module aborted");
  });
});

describe("spec validation", () => {
  it("refuses malformed specs with BAD_INPUT", async () => {
    const bytes = moduleBytes("primes");
    const good = inlineSpec(bytes, "2");
    const cases: unknown[] = [
      { ...good, module: { uri: good.module.uri, sha256: "ABC" } },
      { ...good, input: { encoding: "hex", data: "00" } },
      { ...good, input: { encoding: "utf8", data: 7 } },
      { ...good, input: { encoding: "base64", data: "not base64!" } },
      { ...good, limits: { timeoutMs: -1 } },
      { ...good, module: { ...good.module, uri: "ftp://example.com/m.wasm" } },
      { ...good, input: { encoding: "json", data: { price: 1.5 } } },
      { ...good, priority: "high" },
      "a string",
    ];
    for (const spec of cases) {
      expect((await failure(executor.execute(spec, ctx()))).code, JSON.stringify(spec).slice(0, 80)).toBe("BAD_INPUT");
    }
  });

  it("refuses other kinds and versions with UNSUPPORTED", async () => {
    const good = inlineSpec(moduleBytes("primes"), "2");
    expect((await failure(executor.execute({ ...good, version: 2 }, ctx()))).code).toBe("UNSUPPORTED");
    expect((await failure(executor.execute({ ...good, kind: "http.json" }, ctx()))).code).toBe("UNSUPPORTED");
  });

  it("refuses module URIs this keeper cannot fetch even when the module is cached", async () => {
    const good = inlineSpec(moduleBytes("primes"), "2");
    await executor.execute(good, ctx());
    // A valid spec, but this keeper has no IPFS gateway: whether it runs must not depend on its cache.
    const ipfs = {
      ...good,
      module: { ...good.module, uri: "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi" },
    };
    expect((await failure(executor.execute(ipfs, ctx()))).code).toBe("UNSUPPORTED");
  });
});
