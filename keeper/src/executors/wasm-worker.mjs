// Runs one wasm job inside a worker thread (see wasm.ts): instantiates the module against a memory
// capped at the job's limit, writes the input through `alloc`, calls `run` and posts back the output
// bytes, or a classified failure. The parent enforces the wall-clock limit by terminating this thread.
// Plain JavaScript so that the worker starts under plain Node, tsx and vitest alike.
import { TextDecoder } from "node:util";
import { parentPort, workerData } from "node:worker_threads";

const PAGE = 65536;

/** @type {{ module: WebAssembly.Module, input: Uint8Array, initialPages: number, maximumPages: number, maxOutputBytes: number }} */
const { module, input, initialPages, maximumPages, maxOutputBytes } = workerData;
const memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages });

class Failure extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** Reads an AssemblyScript string (UTF-16LE, byte length stored just before it); "" when implausible. */
function readAsString(ptr) {
  const buffer = memory.buffer;
  if (!ptr || ptr < 4 || ptr > buffer.byteLength) return "";
  const bytes = new DataView(buffer).getUint32(ptr - 4, true);
  if (bytes % 2 !== 0 || ptr + bytes > buffer.byteLength) return "";
  return new TextDecoder("utf-16le").decode(new Uint8Array(buffer, ptr, Math.min(bytes, 2048)));
}

const env = {
  memory,
  /** AssemblyScript's abort(message, fileName, line, column); any module may call it to fail. */
  abort(message, fileName, line, column) {
    const text = readAsString(message >>> 0) || "abort";
    const file = readAsString(fileName >>> 0);
    throw new Failure("TRAP", `module aborted: ${text}${file ? ` at ${file}:${line >>> 0}:${column >>> 0}` : ""}`);
  },
};

/**
 * Whether a trap looks like running out of memory. A trap does not say why it happened; a failed
 * `memory.grow` just returns -1 and the module's allocator then traps, normally with `unreachable`
 * (AssemblyScript, Rust and most allocators do). So: any trap with the memory within 1/16 of its cap
 * (at most 1 MiB), or an `unreachable` trap with the memory grown past half of its cap. Best effort.
 */
function looksOutOfMemory(error) {
  const pages = memory.buffer.byteLength / PAGE;
  const margin = Math.max(1, Math.min(16, Math.floor(maximumPages / 16)));
  if (pages >= maximumPages - margin) return true;
  return /unreachable/.test(error.message) && pages > initialPages && pages * 2 >= maximumPages;
}

function classify(error) {
  if (error instanceof Failure) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof WebAssembly.LinkError) return { code: "BAD_INPUT", message: `cannot link module: ${message}` };
  if (error instanceof WebAssembly.RuntimeError || error instanceof RangeError) {
    if (looksOutOfMemory(error)) {
      return { code: "MEMORY", message: `module trapped at its memory limit of ${maximumPages} pages (${message})` };
    }
  }
  return { code: "TRAP", message: `module trapped: ${message}` };
}

parentPort.postMessage({ ready: true }); // the parent starts the job's clock now

try {
  const { exports } = new WebAssembly.Instance(module, { env });
  const ptr = exports.alloc(input.length) >>> 0;
  if (ptr + input.length > memory.buffer.byteLength) {
    throw new Failure("TRAP", `alloc(${input.length}) returned ${ptr}, outside memory`);
  }
  new Uint8Array(memory.buffer, ptr, input.length).set(input);
  const out = exports.run(ptr, input.length) >>> 0;
  const buffer = memory.buffer;
  if (out + 4 > buffer.byteLength) throw new Failure("TRAP", `run returned ${out}, outside memory`);
  const length = new DataView(buffer).getUint32(out, true);
  if (length > maxOutputBytes) {
    throw new Failure("SIZE_LIMIT", `output of ${length} bytes exceeds the limit of ${maxOutputBytes}`);
  }
  if (out + 4 + length > buffer.byteLength) {
    throw new Failure("TRAP", `output of ${length} bytes at ${out} runs past the end of memory`);
  }
  const output = new Uint8Array(buffer.slice(out + 4, out + 4 + length));
  parentPort.postMessage({ ok: true, output, memoryBytes: buffer.byteLength }, [output.buffer]);
} catch (error) {
  parentPort.postMessage({ ok: false, ...classify(error) });
}
