// The "wasm" executor: fetch a module pinned by sha256, check it keeps to the module ABI
// (keeper/wasm/README.md), and run it on the input in a worker thread under a wall-clock limit and a
// memory cap. The module imports its memory; the memory we hand in has the job's limit as its
// maximum, so growth past the limit fails inside the module (the module then traps).
import { Worker } from "node:worker_threads";
import { canonicalize, composeWasmInput } from "@baton/sdk";
import { ModuleStore } from "./module-store.js";
import { validateSpec } from "./schemas.js";
import {
  abortedError,
  ExecutionError,
  resultOf,
  type ExecutionContext,
  type ExecutionErrorCode,
  type ExecutionResult,
  type Executor,
  type JsonValue,
  type WasmSpec,
} from "./types.js";

export interface WasmExecutorConfig {
  /** Directory for verified modules, one `<sha256>.wasm` each; a restarted keeper runs them from here. */
  cacheDir: string;
  /** Serve file: module URIs. Local development only: a job could otherwise probe the keeper's files. */
  allowFileUris?: boolean;
  /** Base URL of an IPFS HTTP gateway, e.g. "https://ipfs.io"; without one, ipfs:// is UNSUPPORTED. */
  ipfsGateway?: string;
  /** Default true: module bytes are pinned by hash, so fetching from a private address leaks nothing. */
  allowPrivateModuleUrls?: boolean;
  /** Wall-clock limit per run: the default for specs that set none, and the most a spec may ask for. */
  wasmTimeoutMs?: number;
  /** Memory limit per run in MiB: the default for specs that set none, and the most a spec may ask for. */
  wasmMemoryMb?: number;
  /** Largest module accepted, in bytes. */
  wasmMaxModuleBytes?: number;
  /** Largest output a module may return, in bytes. */
  wasmMaxOutputBytes?: number;
  /** Limit for downloading a module. */
  moduleFetchTimeoutMs?: number;
  /** Compiled modules kept in memory, by hash. */
  compiledCacheSize?: number;
}

export const WASM_DEFAULTS = {
  allowFileUris: false,
  allowPrivateModuleUrls: true,
  wasmTimeoutMs: 10_000,
  wasmMemoryMb: 64,
  wasmMaxModuleBytes: 8 << 20,
  wasmMaxOutputBytes: 1 << 20,
  moduleFetchTimeoutMs: 30_000,
  compiledCacheSize: 32,
} as const;

const PAGE_BYTES = 65536;
const PAGES_PER_MB = (1 << 20) / PAGE_BYTES;
/** wasm32 addresses at most 4 GiB. */
const MAX_MEMORY_MB = 4096;

/** Limits of the memory a module imports, read from its import section. */
export interface MemoryImport {
  minPages: number;
  maxPages?: number;
  shared: boolean;
  memory64: boolean;
}

/** Reads the limits of the first imported memory from a (valid) module's bytes. */
export function readMemoryImport(bytes: Uint8Array): MemoryImport | undefined {
  let pos = 8; // magic and version
  const u32 = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[pos++];
      if (byte === undefined) throw new Error("truncated module");
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) return result;
    }
  };
  const skipName = () => {
    const length = u32();
    pos += length;
  };
  const limits = () => {
    const flags = bytes[pos++];
    const min = u32();
    const max = flags & 1 ? u32() : undefined;
    return { flags, min, max };
  };
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = u32();
    const end = pos + size;
    if (id !== 2) {
      pos = end;
      continue;
    }
    const count = u32();
    for (let i = 0; i < count; i++) {
      skipName();
      skipName();
      const kind = bytes[pos++];
      if (kind === 0) u32();
      else if (kind === 1) {
        pos++; // reference type
        limits();
      } else if (kind === 2) {
        const { flags, min, max } = limits();
        return { minPages: min, maxPages: max, shared: (flags & 2) !== 0, memory64: (flags & 4) !== 0 };
      } else if (kind === 3)
        pos += 2; // value type, mutability
      else if (kind === 4) {
        pos++; // tag attribute
        u32();
      } else throw new Error(`unknown import kind ${kind}`);
    }
    return undefined;
  }
  return undefined;
}

/** Rejects modules that import anything besides env.memory and env.abort or lack the ABI exports. */
export function checkModuleAbi(module: WebAssembly.Module): void {
  let hasMemory = false;
  for (const entry of WebAssembly.Module.imports(module)) {
    const name = `${entry.module}.${entry.name}`;
    if (name === "env.memory" && entry.kind === "memory") hasMemory = true;
    else if (!(name === "env.abort" && entry.kind === "function")) {
      throw new ExecutionError(
        "BAD_INPUT",
        `module imports ${name} (${entry.kind}); only env.memory and env.abort are provided`,
      );
    }
  }
  if (!hasMemory) throw new ExecutionError("BAD_INPUT", "module must import its memory as env.memory");
  const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  for (const name of ["alloc", "run"]) {
    if (exports.get(name) !== "function")
      throw new ExecutionError("BAD_INPUT", `module must export a function ${name}`);
  }
}

/** The input bytes a (validated) spec describes; "json" input is the sdk's canonical JSON of `data`. */
export function inputBytes(input: WasmSpec["input"]): Uint8Array {
  switch (input.encoding) {
    case "utf8":
      return Buffer.from(input.data, "utf8");
    case "base64":
      return Buffer.from(input.data, "base64");
    case "json":
      return Buffer.from(canonicalize(input.data), "utf8");
  }
}

interface WorkerReply {
  /** Sent once, just before the module is instantiated. */
  ready?: boolean;
  ok?: boolean;
  output?: Uint8Array;
  code?: ExecutionErrorCode;
  message?: string;
}

const WORKER_URL = new URL("./wasm-worker.mjs", import.meta.url);
const WORKER_STARTUP_MS = 10_000;

export class WasmExecutor implements Executor {
  readonly kind = "wasm";
  private readonly store: ModuleStore;
  private readonly compiled = new Map<string, WebAssembly.Module>();
  private readonly config: Required<Omit<WasmExecutorConfig, "ipfsGateway">> & { ipfsGateway?: string };

  constructor(config: WasmExecutorConfig) {
    // Fields set to undefined fall back to the defaults too.
    const given = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
    this.config = { ...WASM_DEFAULTS, ...given } as WasmExecutor["config"];
    if (this.config.wasmMemoryMb > MAX_MEMORY_MB) throw new RangeError(`wasmMemoryMb may be at most ${MAX_MEMORY_MB}`);
    this.store = new ModuleStore({
      cacheDir: this.config.cacheDir,
      allowFileUris: this.config.allowFileUris,
      ipfsGateway: this.config.ipfsGateway,
      allowPrivateModuleUrls: this.config.allowPrivateModuleUrls,
      maxModuleBytes: this.config.wasmMaxModuleBytes,
      fetchTimeoutMs: this.config.moduleFetchTimeoutMs,
    });
  }

  async execute(rawSpec: unknown, ctx: ExecutionContext): Promise<ExecutionResult> {
    const spec = validateSpec("wasm", rawSpec);
    const timeoutMs = spec.limits?.timeoutMs ?? this.config.wasmTimeoutMs;
    const memoryMb = spec.limits?.memoryMb ?? this.config.wasmMemoryMb;
    if (timeoutMs > this.config.wasmTimeoutMs) {
      throw new ExecutionError(
        "UNSUPPORTED",
        `timeout ${timeoutMs} ms exceeds this keeper's ${this.config.wasmTimeoutMs} ms`,
      );
    }
    if (memoryMb > this.config.wasmMemoryMb) {
      throw new ExecutionError(
        "UNSUPPORTED",
        `memory ${memoryMb} MiB exceeds this keeper's ${this.config.wasmMemoryMb} MiB`,
      );
    }
    const wanted = Object.keys(spec.inputs ?? {});
    const missing = wanted.filter((name) => ctx.inputs?.[name] === undefined);
    if (missing.length > 0) {
      throw new ExecutionError("BAD_INPUT", `workflow inputs not resolved: ${missing.join(", ")}`);
    }
    const input = composeWasmInput(inputBytes(spec.input), ctx.inputs ?? {});
    if (ctx.signal.aborted) throw abortedError(ctx.signal);

    const { sha256, uri } = spec.module;
    const bytes = await this.store.load(uri, sha256, ctx.signal, ctx.logger);
    const module = await this.compile(sha256, bytes);
    checkModuleAbi(module);

    const maximumPages = memoryMb * PAGES_PER_MB;
    const declared = readMemoryImport(bytes);
    if (!declared) throw new ExecutionError("BAD_INPUT", "module must import its memory as env.memory");
    if (declared.shared || declared.memory64) {
      throw new ExecutionError("BAD_INPUT", "module memory must be unshared 32-bit memory");
    }
    if (declared.minPages > maximumPages) {
      throw new ExecutionError(
        "MEMORY",
        `module needs ${declared.minPages} pages at start, the limit is ${maximumPages} (${memoryMb} MiB)`,
      );
    }
    const limitPages = Math.min(maximumPages, declared.maxPages ?? maximumPages);
    if (input.length > limitPages * PAGE_BYTES) {
      throw new ExecutionError("MEMORY", `input of ${input.length} bytes does not fit in ${memoryMb} MiB`);
    }

    const started = performance.now();
    const output = await this.runInWorker(module, input, declared.minPages, limitPages, timeoutMs, ctx);
    const ms = Math.round(performance.now() - started);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(output);
    } catch {
      throw new ExecutionError("TRAP", "module output is not valid UTF-8");
    }
    let value: JsonValue;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch (error) {
      throw new ExecutionError("TRAP", `module output is not valid JSON: ${(error as Error).message}`);
    }
    ctx.logger.debug({ sha256, ms, outputBytes: output.length }, "wasm run finished");
    return resultOf(value, "TRAP", "module output");
  }

  private async compile(sha256: string, bytes: Uint8Array): Promise<WebAssembly.Module> {
    const hit = this.compiled.get(sha256);
    if (hit) {
      // Re-insert to keep the map in least-recently-used order.
      this.compiled.delete(sha256);
      this.compiled.set(sha256, hit);
      return hit;
    }
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
    } catch (error) {
      throw new ExecutionError("BAD_INPUT", `not a valid WebAssembly module: ${(error as Error).message}`);
    }
    this.compiled.set(sha256, module);
    if (this.compiled.size > this.config.compiledCacheSize) {
      this.compiled.delete(this.compiled.keys().next().value as string);
    }
    return module;
  }

  private runInWorker(
    module: WebAssembly.Module,
    input: Uint8Array,
    initialPages: number,
    maximumPages: number,
    timeoutMs: number,
    ctx: ExecutionContext,
  ): Promise<Uint8Array> {
    if (ctx.signal.aborted) return Promise.reject(abortedError(ctx.signal));
    return new Promise<Uint8Array>((resolve, reject) => {
      const worker = new Worker(WORKER_URL, {
        workerData: { module, input, initialPages, maximumPages, maxOutputBytes: this.config.wasmMaxOutputBytes },
        // The wasm memory lives outside the JS heap and is capped above; these bound the glue code.
        resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
        stdout: true,
        stderr: true,
      });
      let settled = false;
      const finish = (outcome: { output: Uint8Array } | { error: ExecutionError }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ctx.signal.removeEventListener("abort", onAbort);
        void worker.terminate();
        if ("output" in outcome) resolve(outcome.output);
        else reject(outcome.error);
      };
      // The job's clock starts when the worker is up, so thread start-up on a busy machine does not
      // eat into the module's time; start-up itself gets a generous bound of its own.
      let timer = setTimeout(() => {
        finish({
          error: new ExecutionError("TIMEOUT", `worker did not start within ${WORKER_STARTUP_MS} ms`, {
            retryable: true,
          }),
        });
      }, WORKER_STARTUP_MS);
      const onAbort = () => finish({ error: abortedError(ctx.signal) });
      ctx.signal.addEventListener("abort", onAbort, { once: true });

      worker.on("message", (reply: WorkerReply) => {
        if (reply.ready) {
          clearTimeout(timer);
          timer = setTimeout(() => {
            finish({ error: new ExecutionError("TIMEOUT", `module ran longer than ${timeoutMs} ms and was stopped`) });
          }, timeoutMs);
          return;
        }
        if (reply.ok && reply.output) finish({ output: reply.output });
        else finish({ error: new ExecutionError(reply.code ?? "TRAP", reply.message ?? "module failed") });
      });
      worker.on("error", (error: Error & { code?: string }) => {
        if (error.code === "ERR_WORKER_OUT_OF_MEMORY") {
          finish({ error: new ExecutionError("MEMORY", `worker ran out of memory: ${error.message}`) });
        } else {
          finish({ error: new ExecutionError("TRAP", `worker failed: ${error.message}`, { cause: error }) });
        }
      });
      worker.on("exit", (code) => {
        finish({ error: new ExecutionError("TRAP", `worker exited (code ${code}) without a result`) });
      });
    });
  }
}

export function createWasmExecutor(config: WasmExecutorConfig): WasmExecutor {
  return new WasmExecutor(config);
}
