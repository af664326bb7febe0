// The "http.json" executor: GET a URL (oracle-style) and return the value at a JSON path of the body.
// The path is the sdk's JSON path dialect (`parseJsonPath`), checked with the rest of the spec.
import { selectJsonPath } from "@baton/sdk";
import { checkRequestHeaders, FetchError, httpGet } from "./http-get.js";
import { validateSpec } from "./schemas.js";
import {
  abortedError,
  ExecutionError,
  resultOf,
  type ExecutionContext,
  type ExecutionResult,
  type Executor,
  type JsonValue,
} from "./types.js";

export interface HttpJsonExecutorConfig {
  /** Limit per request: the default for specs that set none, and the most a spec may ask for. */
  httpTimeoutMs?: number;
  /** Body size limit in bytes (after decompression): default and most a spec may ask for. */
  httpMaxBytes?: number;
  /**
   * Allow URLs on loopback and private addresses. Default false: the extracted value is published
   * on-chain, so a job could otherwise read the keeper's internal services (cloud metadata, admin
   * endpoints) and publish them. Enable for local development only.
   */
  allowPrivateNetwork?: boolean;
}

export const HTTP_DEFAULTS = { httpTimeoutMs: 10_000, httpMaxBytes: 1_000_000 } as const;
/** Redirects followed per request. */
export const MAX_REDIRECTS = 3;

export class HttpJsonExecutor implements Executor {
  readonly kind = "http.json";
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly allowPrivateNetwork: boolean;

  constructor(config: HttpJsonExecutorConfig = {}) {
    this.timeoutMs = config.httpTimeoutMs ?? HTTP_DEFAULTS.httpTimeoutMs;
    this.maxBytes = config.httpMaxBytes ?? HTTP_DEFAULTS.httpMaxBytes;
    this.allowPrivateNetwork = config.allowPrivateNetwork ?? false;
  }

  async execute(rawSpec: unknown, ctx: ExecutionContext): Promise<ExecutionResult> {
    // A malformed spec (its path included) fails here, before any request goes out.
    const spec = validateSpec("http.json", rawSpec);
    const timeoutMs = spec.limits?.timeoutMs ?? this.timeoutMs;
    const maxBytes = spec.limits?.maxBytes ?? this.maxBytes;
    if (timeoutMs > this.timeoutMs) {
      throw new ExecutionError("UNSUPPORTED", `timeout ${timeoutMs} ms exceeds this keeper's ${this.timeoutMs} ms`);
    }
    if (maxBytes > this.maxBytes) {
      throw new ExecutionError("UNSUPPORTED", `maxBytes ${maxBytes} exceeds this keeper's ${this.maxBytes}`);
    }
    const headerProblem = checkRequestHeaders(spec.headers ?? {});
    if (headerProblem) throw new ExecutionError("BAD_INPUT", headerProblem);
    if (ctx.signal.aborted) throw abortedError(ctx.signal);

    const timeout = AbortSignal.timeout(timeoutMs);
    const started = performance.now();
    let body: Buffer;
    let url: string;
    try {
      ({ body, url } = await httpGet(spec.url, {
        signal: AbortSignal.any([ctx.signal, timeout]),
        maxBytes,
        maxRedirects: MAX_REDIRECTS,
        headers: { accept: "application/json", ...spec.headers },
        allowPrivateNetwork: this.allowPrivateNetwork,
      }));
    } catch (error) {
      if (ctx.signal.aborted) throw abortedError(ctx.signal);
      if (timeout.aborted) {
        throw new ExecutionError("TIMEOUT", `${spec.url} did not answer within ${timeoutMs} ms`, { retryable: true });
      }
      throw toExecutionError(error);
    }

    let document: JsonValue;
    try {
      document = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)) as JsonValue;
    } catch (error) {
      throw new ExecutionError("HTTP", `${url} did not return valid JSON: ${(error as Error).message}`);
    }
    const selected = selectJsonPath(document, spec.path);
    if (!selected.found) throw new ExecutionError("JSON_PATH", `${spec.path}: ${selected.reason}`);
    ctx.logger.debug({ url, bytes: body.length, ms: Math.round(performance.now() - started) }, "http.json fetched");
    return resultOf(selected.value as JsonValue, "HTTP", `the value at ${spec.path} from ${url}`);
  }
}

function toExecutionError(error: unknown): ExecutionError {
  if (error instanceof ExecutionError) return error;
  if (!(error instanceof FetchError)) {
    return new ExecutionError("HTTP", (error as Error).message, { retryable: true, cause: error });
  }
  switch (error.reason) {
    case "size":
      return new ExecutionError("SIZE_LIMIT", error.message, { cause: error });
    case "url":
      return new ExecutionError("BAD_INPUT", error.message, { cause: error });
    default:
      return new ExecutionError("HTTP", error.message, { retryable: error.retryable, cause: error });
  }
}

export function createHttpJsonExecutor(config: HttpJsonExecutorConfig = {}): HttpJsonExecutor {
  return new HttpJsonExecutor(config);
}
