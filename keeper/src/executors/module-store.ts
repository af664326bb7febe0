// Where wasm modules come from: a URI (http(s), data:, file:, ipfs://) pinned by sha256. Bytes are
// verified before anything else looks at them, and verified modules are kept on disk under their hash,
// so a restarted keeper runs them without fetching again. The cache is re-verified on every read:
// a corrupted or tampered file is dropped and fetched again, never run.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { FetchError, httpGet } from "./http-get.js";
import { abortedError, ExecutionError } from "./types.js";

export interface ModuleStoreConfig {
  /** Directory for verified modules, one `<sha256>.wasm` file each; created when needed. */
  cacheDir: string;
  /** Serve file: URIs (local development only: a job could otherwise read the keeper's files). */
  allowFileUris: boolean;
  /** Base URL of an IPFS HTTP gateway, e.g. "https://ipfs.io"; ipfs:// URIs are refused without one. */
  ipfsGateway?: string;
  /**
   * Allow http(s) module URLs on loopback and private addresses. Safe to allow: the bytes must match
   * the spec's hash, so a download discloses nothing. The IPFS gateway is always allowed.
   */
  allowPrivateModuleUrls: boolean;
  maxModuleBytes: number;
  fetchTimeoutMs: number;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Turns a fetch failure into the executor's error vocabulary. */
function moduleFetchError(error: unknown, uri: string): ExecutionError {
  if (error instanceof ExecutionError) return error;
  if (error instanceof FetchError) {
    if (error.reason === "size") return new ExecutionError("SIZE_LIMIT", `module ${uri}: ${error.message}`);
    return new ExecutionError("MODULE_FETCH", `module ${uri}: ${error.message}`, {
      retryable: error.retryable,
      cause: error,
    });
  }
  return new ExecutionError("MODULE_FETCH", `module ${uri}: ${(error as Error).message}`, { cause: error });
}

/** Decodes an RFC 2397 data: URI. */
export function decodeDataUri(uri: string, maxBytes: number): Uint8Array {
  const comma = uri.indexOf(",");
  if (comma < 0) throw new ExecutionError("BAD_INPUT", "data: URI without a comma");
  const meta = uri.slice("data:".length, comma);
  const payload = uri.slice(comma + 1);
  const base64 = /;base64$/i.test(meta);
  const estimate = base64 ? Math.floor((payload.length * 3) / 4) : payload.length;
  if (estimate > maxBytes + 3) {
    throw new ExecutionError("SIZE_LIMIT", `data: URI module exceeds the limit of ${maxBytes} bytes`);
  }
  let bytes: Buffer;
  if (base64) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload) || payload.length % 4 === 1) {
      throw new ExecutionError("BAD_INPUT", "data: URI has invalid base64");
    }
    bytes = Buffer.from(payload, "base64");
  } else {
    try {
      bytes = Buffer.from(decodeURIComponent(payload), "latin1");
    } catch {
      throw new ExecutionError("BAD_INPUT", "data: URI has invalid percent-encoding");
    }
  }
  if (bytes.length > maxBytes) {
    throw new ExecutionError("SIZE_LIMIT", `data: URI module exceeds the limit of ${maxBytes} bytes`);
  }
  return bytes;
}

/** Maps ipfs://<cid>[/path] to the gateway's /ipfs/<cid>[/path] URL. */
export function ipfsGatewayUrl(uri: string, gateway: string | undefined): string {
  if (!gateway) throw new ExecutionError("UNSUPPORTED", "ipfs:// modules need an IPFS gateway, and none is configured");
  const rest = uri.slice("ipfs://".length);
  if (!/^[A-Za-z0-9]+(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]*)*$/.test(rest)) {
    throw new ExecutionError("BAD_INPUT", `invalid ipfs URI ${JSON.stringify(uri)}`);
  }
  return `${gateway.replace(/\/+$/, "")}/ipfs/${rest}`;
}

export class ModuleStore {
  constructor(private readonly config: ModuleStoreConfig) {}

  private cachePath(sha256: string): string {
    return path.join(this.config.cacheDir, `${sha256}.wasm`);
  }

  /** Returns the module bytes whose sha256 is `sha256`, from the cache or else from `uri`. */
  async load(uri: string, sha256: string, signal: AbortSignal, logger: Logger): Promise<Uint8Array> {
    // The hash names the cache file: never let anything else near a path.
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new ExecutionError("BAD_INPUT", "sha256 must be 64 lowercase hex digits");
    // Check the URI before the cache, so that whether a spec is refused never depends on what this
    // keeper happens to have cached.
    const fetchModule = this.resolve(uri);
    const cached = await this.readCache(sha256, logger);
    if (cached) {
      logger.debug({ sha256 }, "wasm module from cache");
      return cached;
    }
    const started = Date.now();
    const bytes = await fetchModule(signal);
    const actual = sha256Hex(bytes);
    if (actual !== sha256) {
      throw new ExecutionError(
        "MODULE_HASH_MISMATCH",
        `module ${uri} has sha256 ${actual}, the spec requires ${sha256}; it was not run`,
      );
    }
    logger.debug({ sha256, uri, bytes: bytes.length, ms: Date.now() - started }, "wasm module fetched");
    await this.writeCache(sha256, bytes, logger);
    return bytes;
  }

  private async readCache(sha256: string, logger: Logger): Promise<Uint8Array | undefined> {
    const file = this.cachePath(sha256);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      return undefined;
    }
    if (sha256Hex(bytes) === sha256) return bytes;
    logger.warn({ file }, "cached wasm module does not match its hash; discarding it");
    await unlink(file).catch(() => undefined);
    return undefined;
  }

  private async writeCache(sha256: string, bytes: Uint8Array, logger: Logger): Promise<void> {
    const file = this.cachePath(sha256);
    // Write then rename, so a crash never leaves a partial file under the final name.
    const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      await mkdir(this.config.cacheDir, { recursive: true });
      await writeFile(temp, bytes);
      await rename(temp, file);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      logger.warn({ err: (error as Error).message, file }, "cannot cache wasm module; it will be fetched again");
    }
  }

  /** Checks that this keeper can fetch `uri` and returns the function that does. */
  private resolve(uri: string): (signal: AbortSignal) => Promise<Uint8Array> {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
    switch (scheme) {
      case "data": {
        const bytes = decodeDataUri(uri, this.config.maxModuleBytes);
        return async () => bytes;
      }
      case "file":
        if (!this.config.allowFileUris) {
          throw new ExecutionError("UNSUPPORTED", "file: module URIs are disabled on this keeper");
        }
        return () => this.readFileUri(uri);
      case "http":
      case "https":
        return (signal) => this.download(uri, signal, this.config.allowPrivateModuleUrls);
      case "ipfs": {
        // The gateway is the operator's choice (often a local node), so private addresses are fine.
        const url = ipfsGatewayUrl(uri, this.config.ipfsGateway);
        return (signal) => this.download(url, signal, true);
      }
      default:
        throw new ExecutionError("UNSUPPORTED", `module URI scheme ${scheme ?? "(none)"} is not supported`);
    }
  }

  private async readFileUri(uri: string): Promise<Uint8Array> {
    let file: string;
    try {
      file = fileURLToPath(uri);
    } catch (error) {
      throw new ExecutionError("BAD_INPUT", `invalid file URI: ${(error as Error).message}`);
    }
    try {
      const { size } = await stat(file);
      if (size > this.config.maxModuleBytes) {
        throw new ExecutionError(
          "SIZE_LIMIT",
          `module ${uri} exceeds the limit of ${this.config.maxModuleBytes} bytes`,
        );
      }
      return await readFile(file);
    } catch (error) {
      throw moduleFetchError(error, uri);
    }
  }

  private async download(url: string, signal: AbortSignal, allowPrivateNetwork: boolean): Promise<Uint8Array> {
    const timeout = AbortSignal.timeout(this.config.fetchTimeoutMs);
    try {
      const { body } = await httpGet(url, {
        signal: AbortSignal.any([signal, timeout]),
        maxBytes: this.config.maxModuleBytes,
        maxRedirects: 3,
        allowPrivateNetwork,
      });
      return body;
    } catch (error) {
      if (signal.aborted) throw abortedError(signal);
      if (timeout.aborted) {
        throw new ExecutionError("MODULE_FETCH", `module ${url}: no answer within ${this.config.fetchTimeoutMs} ms`, {
          retryable: true,
        });
      }
      throw moduleFetchError(error, url);
    }
  }
}
