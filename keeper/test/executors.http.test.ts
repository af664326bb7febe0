import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { decodeResult, encodeResult, resultHash } from "@baton/sdk";
import { keccak256, stringToBytes } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpJsonExecutor } from "../src/executors/index.js";
import { isNonPublicAddress } from "../src/executors/http-get.js";
import { ctx, failure } from "./helpers/executors.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(routes: Record<string, Handler>): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const handler = routes[(req.url ?? "/").split("?")[0]];
    if (handler) handler(req, res);
    else res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const json = (body: unknown, status = 200): Handler => {
  return (_req, res) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};

const PRICE = { data: { price: "123.45", items: [{ id: 7 }, { id: 8, "odd key": true }], empty: null } };
const QUOTE = '{"pair":"ETH-USD","price":1234.56,"ratio":1e-7,"volume":2.5e21,"change":-0.0}';

let main: { server: Server; base: string };
let other: { server: Server; base: string };
const open = new Set<ServerResponse>();

beforeAll(async () => {
  other = await listen({ "/headers": (req, res) => json(req.headers)(req, res) });
  main = await listen({
    "/price": json(PRICE),
    "/quote": (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(QUOTE),
    "/huge": (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"price":1e400}'),
    "/headers": (req, res) => json(req.headers)(req, res),
    "/r1": (_req, res) => res.writeHead(302, { location: "/price" }).end(),
    "/r2": (_req, res) => res.writeHead(301, { location: "/r1" }).end(),
    "/r3": (_req, res) => res.writeHead(307, { location: "/r2" }).end(),
    "/r4": (_req, res) => res.writeHead(308, { location: "/r3" }).end(),
    "/to-other": (_req, res) => res.writeHead(302, { location: `${other.base}/headers` }).end(),
    "/to-file": (_req, res) => res.writeHead(302, { location: "file:///etc/passwd" }).end(),
    "/big": (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(`"${"x".repeat(5000)}"`),
    "/endless": (_req, res) => {
      // Streams forever without a content-length; only the client's limit ends it.
      res.writeHead(200, { "content-type": "application/json" });
      open.add(res);
      const chunk = `[${"1,".repeat(4096)}`;
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", pump);
      };
      res.on("close", () => open.delete(res));
      pump();
    },
    "/slow": (_req, res) => {
      open.add(res);
      res.on("close", () => open.delete(res));
    },
    "/gzip": (_req, res) =>
      res.writeHead(200, { "content-encoding": "gzip" }).end(gzipSync(JSON.stringify({ zipped: [1, 2, 3] }))),
    "/bomb": (_req, res) =>
      res.writeHead(200, { "content-encoding": "gzip" }).end(gzipSync(`"${"0".repeat(10_000_000)}"`)),
    "/text": (_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("hello"),
    "/500": json({ error: "boom" }, 500),
    "/429": json({ error: "slow down" }, 429),
    "/loop": (_req, res) => res.writeHead(302, { location: "/loop" }).end(),
  });
});

afterAll(async () => {
  for (const res of open) res.destroy();
  await Promise.all([main, other].map(({ server }) => new Promise((resolve) => server.close(resolve))));
});

const executor = () => new HttpJsonExecutor({ httpTimeoutMs: 5_000, httpMaxBytes: 1_000, allowPrivateNetwork: true });
const spec = (url: string, path: string, extra: Record<string, unknown> = {}) => ({
  kind: "http.json",
  version: 1,
  url,
  method: "GET",
  path,
  ...extra,
});

describe("http.json executor", () => {
  it("extracts values by JSON path", async () => {
    const run = async (path: string) => (await executor().execute(spec(`${main.base}/price`, path), ctx())).output;
    expect(await run("$.data.price")).toBe("123.45");
    expect(await run("data.items[0].id")).toBe(7);
    expect(await run('$.data.items[1]["odd key"]')).toBe(true);
    expect(await run("$.data.empty")).toBeNull();
    expect(await run("$")).toEqual(PRICE);
  });

  it("returns non-integer numbers as results the keeper encodes and hashes the RFC 8785 way", async () => {
    const { output } = await executor().execute(spec(`${main.base}/quote`, "$.price"), ctx());
    expect(output).toBe(1234.56);
    expect(new TextDecoder().decode(encodeResult(output))).toBe("1234.56");
    expect(resultHash(output)).toBe(keccak256(stringToBytes("1234.56")));
    expect(decodeResult(encodeResult(output), { expectedHash: resultHash(output) })).toMatchObject({ value: 1234.56 });

    const whole = await executor().execute(spec(`${main.base}/quote`, "$"), ctx());
    const canonical = '{"change":0,"pair":"ETH-USD","price":1234.56,"ratio":1e-7,"volume":2.5e+21}';
    expect(new TextDecoder().decode(encodeResult(whole.output))).toBe(canonical);
    expect(resultHash(whole.output)).toBe(keccak256(stringToBytes(canonical)));
  });

  it("refuses a value with no canonical encoding (a number beyond a double) as HTTP", async () => {
    const error = await failure(executor().execute(spec(`${main.base}/huge`, "$.price"), ctx()));
    expect([error.code, error.retryable]).toEqual(["HTTP", false]);
    expect(error.message).toMatch(
      /^the value at \$\.price from http:.* has no canonical JSON encoding: .*Infinity is not a finite number/,
    );
  });

  it("reports a path the document lacks as JSON_PATH, saying where it ends", async () => {
    const cases = {
      "$.data.missing": 'no key "missing" at $.data',
      "$.data.items[5]": "index 5 is out of range for an array of length 2 at $.data.items",
      "$.data.price.inner": "expected an object but found a string at $.data.price",
      "$.data[0]": "expected an array but found an object at $.data",
      "$.data.toString": 'no key "toString" at $.data',
    };
    for (const [path, reason] of Object.entries(cases)) {
      const error = await failure(executor().execute(spec(`${main.base}/price`, path), ctx()));
      expect([error.code, error.retryable, error.message], path).toEqual(["JSON_PATH", false, `${path}: ${reason}`]);
    }
  });

  it("refuses a path outside the sdk's dialect with BAD_INPUT before any request", async () => {
    for (const path of ["$..price", "$.data.items[-1].id", "$['data']", "$.data.items.0", "$[*]"]) {
      const error = await failure(executor().execute(spec("http://192.0.2.1/never", path), ctx()));
      expect(error.code, path).toBe("BAD_INPUT");
      expect(error.message, path).toMatch(/^invalid job spec: path: invalid JSON path/);
    }
  });

  it("follows up to three redirects and no more", async () => {
    expect((await executor().execute(spec(`${main.base}/r3`, "$.data.price"), ctx())).output).toBe("123.45");
    const tooMany = await failure(executor().execute(spec(`${main.base}/r4`, "$"), ctx()));
    expect(tooMany.code).toBe("HTTP");
    expect(tooMany.message).toContain("redirects");
    expect((await failure(executor().execute(spec(`${main.base}/loop`, "$"), ctx()))).code).toBe("HTTP");
  });

  it("refuses redirects to other schemes", async () => {
    const error = await failure(executor().execute(spec(`${main.base}/to-file`, "$"), ctx()));
    expect(error.code).toBe("HTTP");
    expect(error.message).toContain("redirect refused");
  });

  it("sends the spec's headers, but not credentials to another origin", async () => {
    const headers = { authorization: "Bearer secret", "x-api-key": "k1" };
    const same = await executor().execute(spec(`${main.base}/headers`, "$", { headers }), ctx());
    expect(same.output).toMatchObject({ authorization: "Bearer secret", "x-api-key": "k1" });
    const cross = await executor().execute(spec(`${main.base}/to-other`, "$", { headers }), ctx());
    expect(cross.output).toMatchObject({ "x-api-key": "k1" });
    expect(cross.output).not.toHaveProperty("authorization");
  });

  it("refuses headers the transport owns", async () => {
    const error = await failure(
      executor().execute(spec(`${main.base}/price`, "$", { headers: { Host: "example.com" } }), ctx()),
    );
    expect(error.code).toBe("BAD_INPUT");
  });

  it("cuts off bodies over the size limit with SIZE_LIMIT", async () => {
    expect((await failure(executor().execute(spec(`${main.base}/big`, "$"), ctx()))).code).toBe("SIZE_LIMIT");
    const started = Date.now();
    expect((await failure(executor().execute(spec(`${main.base}/endless`, "$"), ctx()))).code).toBe("SIZE_LIMIT");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("honours a spec's smaller size limit", async () => {
    const error = await failure(
      executor().execute(spec(`${main.base}/price`, "$", { limits: { maxBytes: 10 } }), ctx()),
    );
    expect(error.code).toBe("SIZE_LIMIT");
  });

  it("decompresses gzip and counts the limit after decompression", async () => {
    expect((await executor().execute(spec(`${main.base}/gzip`, "$.zipped[2]"), ctx())).output).toBe(3);
    expect((await failure(executor().execute(spec(`${main.base}/bomb`, "$"), ctx()))).code).toBe("SIZE_LIMIT");
  });

  it("gives up on a silent server with TIMEOUT", async () => {
    const started = Date.now();
    const error = await failure(
      executor().execute(spec(`${main.base}/slow`, "$", { limits: { timeoutMs: 300 } }), ctx()),
    );
    expect(error.code).toBe("TIMEOUT");
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("stops when the caller aborts", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("shutting down")), 100);
    const error = await failure(executor().execute(spec(`${main.base}/slow`, "$"), ctx(controller.signal)));
    expect(error.code).toBe("TIMEOUT");
    expect(error.message).toContain("shutting down");
  });

  it("reports error statuses as HTTP, retryable for 5xx and 429 only", async () => {
    const e500 = await failure(executor().execute(spec(`${main.base}/500`, "$"), ctx()));
    expect([e500.code, e500.retryable]).toEqual(["HTTP", true]);
    const e429 = await failure(executor().execute(spec(`${main.base}/429`, "$"), ctx()));
    expect([e429.code, e429.retryable]).toEqual(["HTTP", true]);
    const e404 = await failure(executor().execute(spec(`${main.base}/nothing`, "$"), ctx()));
    expect([e404.code, e404.retryable]).toEqual(["HTTP", false]);
  });

  it("reports a body that is not JSON as HTTP", async () => {
    const error = await failure(executor().execute(spec(`${main.base}/text`, "$"), ctx()));
    expect(error.code).toBe("HTTP");
    expect(error.message).toContain("not return valid JSON");
  });

  it("reports a refused connection as a retryable HTTP error", async () => {
    const { server, base } = await listen({});
    await new Promise((resolve) => server.close(resolve));
    const error = await failure(executor().execute(spec(`${base}/price`, "$"), ctx()));
    expect([error.code, error.retryable]).toEqual(["HTTP", true]);
  });

  it("refuses URLs that are not http(s)", async () => {
    for (const url of ["file:///etc/passwd", "ftp://example.com/x.json", "not a url"]) {
      expect((await failure(executor().execute(spec(url, "$"), ctx()))).code, url).toBe("BAD_INPUT");
    }
  });

  it("refuses limits above the keeper's caps", async () => {
    const over = spec(`${main.base}/price`, "$", { limits: { timeoutMs: 60_000 } });
    expect((await failure(executor().execute(over, ctx()))).code).toBe("UNSUPPORTED");
    const bigger = spec(`${main.base}/price`, "$", { limits: { maxBytes: 1_000_000 } });
    expect((await failure(executor().execute(bigger, ctx()))).code).toBe("UNSUPPORTED");
  });

  it("refuses non-GET methods and other kinds", async () => {
    const post = spec(`${main.base}/price`, "$", { method: "POST" });
    expect((await failure(executor().execute(post, ctx()))).code).toBe("BAD_INPUT");
    const other = { ...spec(`${main.base}/price`, "$"), kind: "wasm" };
    expect((await failure(executor().execute(other, ctx()))).code).toBe("UNSUPPORTED");
  });
});

describe("private network guard", () => {
  const guarded = () => new HttpJsonExecutor({ httpTimeoutMs: 2_000, httpMaxBytes: 1_000 });

  it("refuses loopback and private IP literals by default", async () => {
    const port = new URL(main.base).port;
    for (const host of ["127.0.0.1", "[::1]", "0x7f000001", "10.1.2.3", "169.254.169.254", "[::ffff:127.0.0.1]"]) {
      const error = await failure(guarded().execute(spec(`http://${host}:${port}/price`, "$"), ctx()));
      expect([error.code, error.retryable], host).toEqual(["HTTP", false]);
      expect(error.message).toContain("not a public address");
    }
  });

  it("refuses names that resolve to non-public addresses, checked as the socket resolves them", async () => {
    const port = new URL(main.base).port;
    const error = await failure(guarded().execute(spec(`http://localhost:${port}/price`, "$"), ctx()));
    expect(error.code).toBe("HTTP");
    expect(error.message).toContain("non-public address");
  });

  it("classifies addresses outside the public internet (checked on every redirect hop too)", () => {
    expect(isNonPublicAddress("192.168.1.1")).toBe(true);
    expect(isNonPublicAddress("100.64.0.1")).toBe(true);
    expect(isNonPublicAddress("fd00::1")).toBe(true);
    expect(isNonPublicAddress("fe80::1")).toBe(true);
    expect(isNonPublicAddress("::ffff:10.0.0.1")).toBe(true);
    expect(isNonPublicAddress("8.8.8.8")).toBe(false);
    expect(isNonPublicAddress("2606:4700:4700::1111")).toBe(false);
    expect(isNonPublicAddress("example.com")).toBe(false);
  });
});
