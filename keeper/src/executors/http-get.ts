// A guarded HTTP GET for URLs that come from job specs: http(s) only, a bounded number of redirects
// (each hop checked again), the body counted while it streams (after decompression) so a large or
// endless body is cut off at the limit, and by default no connections to loopback, private,
// link-local or other non-public addresses. The check happens in the socket's DNS lookup, so a name
// that resolves differently the second time (DNS rebinding) is caught too.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import { BlockList, isIP } from "node:net";
import type { Readable } from "node:stream";
import zlib from "node:zlib";

export type FetchFailure = "url" | "blocked" | "redirects" | "status" | "size" | "network" | "encoding" | "aborted";

export class FetchError extends Error {
  constructor(
    readonly reason: FetchFailure,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "FetchError";
  }
}

export interface HttpGetOptions {
  /** Aborts the whole exchange, redirects and body included. */
  signal: AbortSignal;
  maxBytes: number;
  maxRedirects: number;
  headers?: Record<string, string>;
  /** Allow loopback and private addresses (local development and tests). */
  allowPrivateNetwork: boolean;
}

export interface HttpGetResult {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this" network
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata services
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved and broadcast
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96], // NAT64 can reach IPv4 private ranges
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, "ipv6");
}

/** Whether `address` (an IP literal) is outside the public internet. IPv4-mapped IPv6 counts as IPv4. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return NON_PUBLIC.check(address, family === 4 ? "ipv4" : "ipv6");
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that refuses names resolving to any non-public address. */
export function publicOnlyLookup(
  hostname: string,
  options: { all?: boolean; family?: number },
  callback: LookupCallback,
) {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const blocked = addresses.find((a) => isNonPublicAddress(a.address));
    if (blocked) {
      const refusal: NodeJS.ErrnoException = new Error(`${hostname} resolves to non-public address ${blocked.address}`);
      refusal.code = "EBATONBLOCKED";
      return callback(refusal, []);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers a spec may not set: the transport owns them. */
const RESERVED_HEADERS = new Set([
  "host",
  "connection",
  "keep-alive",
  "content-length",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "accept-encoding",
  "proxy-authorization",
  "proxy-connection",
]);
/** Headers not carried to another origin on redirect, as fetch does. */
const CREDENTIAL_HEADERS = new Set(["authorization", "cookie"]);

/** Checks spec-provided headers; returns a message describing the first problem, or undefined. */
export function checkRequestHeaders(headers: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return `invalid header name ${JSON.stringify(name)}`;
    if (RESERVED_HEADERS.has(name.toLowerCase())) return `header ${name} may not be set by a job`;
    if (/[\r\n\0]/.test(value)) return `invalid value for header ${name}`;
  }
  return undefined;
}

function parseTarget(raw: string | URL, allowPrivateNetwork: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchError("url", `invalid URL ${JSON.stringify(String(raw))}`, false);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new FetchError("url", `only http and https URLs are fetched, not ${url.protocol}`, false);
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // IP literals never reach the DNS lookup, so they are checked here; names are checked as they resolve.
  if (!allowPrivateNetwork && isNonPublicAddress(host)) {
    throw new FetchError("blocked", `${url.host} is not a public address`, false);
  }
  return url;
}

function request(url: URL, headers: Record<string, string>, options: HttpGetOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const req = client.request(url, {
      method: "GET",
      headers,
      signal: options.signal,
      lookup: options.allowPrivateNetwork ? undefined : (publicOnlyLookup as never),
    });
    req.on("response", resolve);
    req.on("error", reject);
    req.end();
  });
}

function decoderFor(encoding: string | undefined): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  switch ((encoding ?? "identity").trim().toLowerCase()) {
    case "identity":
    case "":
      return undefined;
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip();
    case "deflate":
      return zlib.createInflate();
    case "br":
      return zlib.createBrotliDecompress();
    default:
      throw new FetchError("encoding", `unsupported content-encoding ${encoding}`, false);
  }
}

async function readBody(res: IncomingMessage, options: HttpGetOptions): Promise<Buffer> {
  const declared = Number(res.headers["content-length"]);
  const decoder = decoderFor(res.headers["content-encoding"]);
  if (!decoder && Number.isFinite(declared) && declared > options.maxBytes) {
    res.destroy();
    throw new FetchError("size", `body of ${declared} bytes exceeds the limit of ${options.maxBytes}`, false);
  }
  let source: Readable = res;
  if (decoder) {
    res.on("error", (error) => decoder.destroy(error));
    source = res.pipe(decoder);
  }
  const stop = () => source.destroy(options.signal.reason as Error);
  options.signal.addEventListener("abort", stop, { once: true });
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of source) {
      total += (chunk as Buffer).length;
      if (total > options.maxBytes) {
        throw new FetchError("size", `body exceeds the limit of ${options.maxBytes} bytes`, false);
      }
      chunks.push(chunk as Buffer);
    }
  } finally {
    options.signal.removeEventListener("abort", stop);
    res.destroy();
    decoder?.destroy();
  }
  return Buffer.concat(chunks, total);
}

/** GETs `url`, following up to `maxRedirects` redirects, and returns the 2xx response with its body. */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpGetResult> {
  const given = options.headers ?? {};
  let target = parseTarget(url, options.allowPrivateNetwork);
  const origin = target.origin;
  try {
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { "user-agent": "baton-keeper", "accept-encoding": "gzip, deflate, br" };
      for (const [name, value] of Object.entries(given)) {
        if (target.origin !== origin && CREDENTIAL_HEADERS.has(name.toLowerCase())) continue;
        headers[name.toLowerCase()] = value;
      }
      const res = await request(target, headers, options);
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status) && res.headers.location) {
        res.resume();
        if (hop >= options.maxRedirects) {
          throw new FetchError("redirects", `more than ${options.maxRedirects} redirects`, false, status);
        }
        try {
          target = parseTarget(new URL(res.headers.location, target), options.allowPrivateNetwork);
        } catch (error) {
          // The server chose the target, so a bad one is the server's failure, not the spec's.
          const reason = (error as FetchError).reason === "blocked" ? "blocked" : "redirects";
          throw new FetchError(reason, `redirect refused: ${(error as Error).message}`, false, status);
        }
        continue;
      }
      if (status < 200 || status > 299) {
        res.resume();
        const retryable = status >= 500 || status === 429 || status === 408;
        throw new FetchError(
          "status",
          `${target.href} answered ${status} ${res.statusMessage ?? ""}`.trim(),
          retryable,
          status,
        );
      }
      const body = await readBody(res, options);
      return { url: target.href, status, headers: res.headers, body };
    }
  } catch (error) {
    if (options.signal.aborted) {
      throw new FetchError("aborted", `request to ${target.href} was aborted`, true, undefined, options.signal.reason);
    }
    if (error instanceof FetchError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EBATONBLOCKED") throw new FetchError("blocked", (error as Error).message, false);
    if (code === "ERR_INVALID_CHAR" || code === "ERR_INVALID_HTTP_TOKEN") {
      throw new FetchError("url", `invalid request header: ${(error as Error).message}`, false);
    }
    // zlib reports Z_* codes, brotli ERR__* codes.
    if (code?.startsWith("Z_") || code?.startsWith("ERR__")) {
      throw new FetchError("encoding", `cannot decode the body: ${(error as Error).message}`, false, undefined, error);
    }
    throw new FetchError("network", `GET ${target.href} failed: ${(error as Error).message}`, true, undefined, error);
  }
}
