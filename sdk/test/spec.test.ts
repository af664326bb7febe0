import { bytesToHex, keccak256, stringToBytes } from "viem";
import { describe, expect, it } from "vitest";
import {
  CanonicalJsonError,
  MAX_PAYLOAD_BYTES,
  PayloadTooLargeError,
  SpecValidationError,
  canonicalize,
  contractCallRequest,
  decodeResult,
  decodeSpec,
  encodeResult,
  encodeSpec,
  isSpecUri,
  parseJsonPath,
  parseSpec,
  resultHash,
  selectJsonPath,
  specHash,
  type ContractCallSpec,
  type JobSpecInput,
} from "../src/index.js";

const SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

const wasm = {
  kind: "wasm",
  version: 1,
  module: { uri: "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", sha256: SHA },
  input: { encoding: "utf8", data: "the quick brown fox" },
  limits: { timeoutMs: 5_000, memoryMb: 64 },
} as const satisfies JobSpecInput;

const httpJson = {
  kind: "http.json",
  version: 1,
  url: "https://api.example.com/v1/price?pair=ETH-USD",
  method: "GET",
  path: "$.data.price",
  headers: { accept: "application/json" },
  limits: { timeoutMs: 10_000, maxBytes: 1_000_000 },
} as const satisfies JobSpecInput;

const contractCall = {
  kind: "contract.call",
  version: 1,
  chainId: 1,
  to: "0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419",
  signature: "function latestAnswer() view returns (int256)",
  args: [],
  blockTag: "finalized",
} as const satisfies JobSpecInput;

/** The message of the one problem `parseSpec` reports for `value`. */
function problems(value: unknown): string[] {
  const result = parseSpec(value);
  if (result.ok) throw new Error("expected the spec to be rejected");
  return result.error.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("jobSpecSchema", () => {
  it("accepts one spec of each kind", () => {
    for (const spec of [wasm, httpJson, contractCall]) expect(parseSpec(spec).ok).toBe(true);
  });

  it("accepts an optional name for people on every kind, part of the hashed bytes", () => {
    for (const spec of [wasm, httpJson, contractCall]) {
      expect(parseSpec({ ...spec, name: "count 1" }).ok).toBe(true);
      expect(specHash({ ...spec, name: "count 1" })).not.toBe(specHash(spec));
    }
    expect(problems({ ...wasm, name: "" })).toEqual(["name: must not be empty"]);
    expect(problems({ ...wasm, name: "x".repeat(65) })).toEqual(["name: must be at most 64 characters"]);
    expect(problems({ ...wasm, name: "a\nb" })).toEqual(["name: must not contain control characters"]);
    expect(problems({ ...wasm, name: 7 })).toHaveLength(1);
  });

  it("accepts every wasm input encoding and workflow inputs", () => {
    const variants: JobSpecInput[] = [
      { ...wasm, input: { encoding: "base64", data: "aGVsbG8=" } },
      { ...wasm, input: { encoding: "json", data: { words: ["a", "b"], n: 2, nested: { ok: true, none: null } } } },
      { ...wasm, module: { uri: "data:application/wasm;base64,AGFzbQEAAAA=", sha256: SHA } },
      { ...wasm, module: { uri: "file:///opt/modules/wordfreq.wasm", sha256: SHA }, limits: undefined },
      { ...wasm, inputs: { prices: { step: 0 }, weights: { step: 3 } } },
    ];
    for (const spec of variants) expect(parseSpec(spec), JSON.stringify(spec)).toMatchObject({ ok: true });
  });

  it("accepts the JSON path forms executors understand", () => {
    for (const path of ["$", "$.data.price", "data.items[0].id", '$["odd key"][2]', "$.a-b._c"]) {
      expect(parseSpec({ ...httpJson, path }).ok, path).toBe(true);
    }
  });

  it("checksums contract.call addresses so one call has one hash", () => {
    const result = parseSpec(contractCall);
    expect(result.ok && result.spec.kind === "contract.call" && result.spec.to).toBe(
      "0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419",
    );
    expect(specHash(contractCall)).toBe(
      specHash({ ...contractCall, to: "0x5F4EC3DF9CBD43714FE2740F5E3616155C5B8419" }),
    );
  });

  it("rejects unknown kinds and versions", () => {
    expect(problems({ ...wasm, kind: "docker" })).toEqual(['kind: must be "wasm", "http.json" or "contract.call"']);
    expect(problems({ version: 1 })).toEqual(['kind: must be "wasm", "http.json" or "contract.call"']);
    expect(problems({ ...wasm, version: 2 })).toEqual(["version: must be 1"]);
    expect(problems("wasm")).toEqual(["a job spec must be a JSON object"]);
  });

  it("rejects unknown fields, naming them", () => {
    expect(problems({ ...wasm, priority: "high" })).toEqual(['unknown field "priority"']);
    expect(problems({ ...wasm, module: { ...wasm.module, size: 1 } })).toEqual(['module: unknown field "size"']);
  });

  it("reports missing fields by path", () => {
    const noModule: Record<string, unknown> = { ...wasm };
    delete noModule.module;
    expect(problems(noModule)).toEqual(["module: is required"]);
    expect(problems({ ...httpJson, url: undefined })).toEqual(["url: is required"]);
  });

  it("rejects bad wasm modules, inputs and limits with precise messages", () => {
    expect(problems({ ...wasm, module: { uri: "ftp://example.com/m.wasm", sha256: SHA } })).toEqual([
      "module.uri: must be an http(s)://, ipfs://, data: or file: URI (without credentials: specs are public)",
    ]);
    expect(problems({ ...wasm, module: { ...wasm.module, sha256: SHA.toUpperCase() } })).toEqual([
      "module.sha256: must be 64 lowercase hex characters (SHA-256 of the module bytes)",
    ]);
    expect(problems({ ...wasm, input: { encoding: "hex", data: "00" } })).toEqual([
      'input.encoding: must be "utf8", "base64" or "json"',
    ]);
    expect(problems({ ...wasm, input: { encoding: "base64", data: "not base64!" } })).toEqual([
      "input.data: must be standard padded base64",
    ]);
    expect(problems({ ...wasm, input: { encoding: "json", data: { price: 1.5 } } })).toEqual([
      "input.data: not canonical JSON: $.price: 1.5 is not a safe integer; specs carry only integers in ±(2^53-1) (put amounts and decimals in strings)",
    ]);
    expect(problems({ ...wasm, limits: { timeoutMs: 0, memoryMb: 1024 } })).toEqual([
      "limits.timeoutMs: must be at least 1 ms",
      "limits.memoryMb: must be at most 512 MB",
    ]);
    expect(problems({ ...wasm, limits: { timeoutMs: 600_001 } })).toEqual([
      "limits.timeoutMs: must be at most 600000 ms",
    ]);
  });

  it("rejects http.json specs that are not a plain GET of an http(s) URL", () => {
    expect(problems({ ...httpJson, url: "file:///etc/passwd" })).toEqual([
      "url: must be an http:// or https:// URL (without credentials: specs are public)",
    ]);
    expect(problems({ ...httpJson, url: "https://user:secret@api.example.com/" })).toEqual([
      "url: must be an http:// or https:// URL (without credentials: specs are public)",
    ]);
    expect(problems({ ...httpJson, method: "POST" })).toEqual(['method: must be "GET"']);
    expect(problems({ ...httpJson, path: "$..price" })).toEqual([
      "path: invalid JSON path \"$..price\" at 1: expected a property name after '.'",
    ]);
    expect(problems({ ...httpJson, limits: { maxBytes: 10 * 1024 * 1024 + 1 } })).toEqual([
      "limits.maxBytes: must be at most 10485760 bytes",
    ]);
  });

  it("limits http.json headers to 16 well-formed ones", () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`x-h${i}`, "v"]));
    expect(problems({ ...httpJson, headers: many })).toEqual(["headers: at most 16 headers"]);
    expect(problems({ ...httpJson, headers: { "bad header": "v" } })).toEqual([
      'headers["bad header"]: header names must be HTTP tokens',
    ]);
    expect(problems({ ...httpJson, headers: { "x-a": "v\r\nx-b: injected" } })).toEqual([
      'headers["x-a"]: header values must not contain CR, LF or NUL',
    ]);
  });

  it("checks contract.call signatures and arguments against each other", () => {
    const transfer = { ...contractCall, signature: "function transfer(address to, uint256 amount) returns (bool)" };
    expect(problems({ ...transfer, args: [] })).toEqual(["args: transfer takes 2 arguments, got 0"]);
    expect(problems({ ...transfer, args: ["0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419", 1.5] })).toEqual([
      "args[1]: not canonical JSON: $: 1.5 is not a safe integer; specs carry only integers in ±(2^53-1) (put amounts and decimals in strings)",
    ]);
    expect(problems({ ...transfer, args: ["0x1234", "10"] })).toEqual(["args[0]: expected a 20-byte hex address"]);
    expect(problems({ ...transfer, args: ["0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419", "ten"] })).toEqual([
      "args[1]: expected a decimal string (or safe integer) for uint256",
    ]);
    expect(problems({ ...contractCall, signature: "event Transfer(address,address,uint256)" })).toEqual([
      'signature: must be a human-readable function, e.g. "function latestAnswer() view returns (int256)"',
    ]);
    expect(problems({ ...contractCall, to: "0x1234" })).toEqual(["to: must be a 20-byte hex address"]);
    expect(problems({ ...contractCall, blockTag: "pending" })).toEqual([
      'blockTag: must be "latest", "safe" or "finalized"',
    ]);
  });

  it("converts contract.call arguments by ABI type and refuses those outside it", () => {
    const f =
      "function f(uint256 a, int8 b, bool c, bytes2 d, string e, address[2] g, (uint64 x, bool y) t) view returns (bool)";
    const dead = "0x000000000000000000000000000000000000dEaD";
    const good = [
      (2n ** 256n - 1n).toString(),
      -128,
      true,
      "0xabcd",
      "hi",
      [dead, dead.toLowerCase()],
      { x: "5", y: false },
    ];
    const parsed = parseSpec({ ...contractCall, signature: f, args: good });
    if (!parsed.ok) throw parsed.error;
    expect(contractCallRequest(parsed.spec as ContractCallSpec).args).toEqual([
      2n ** 256n - 1n,
      -128n,
      true,
      "0xabcd",
      "hi",
      [dead, dead.toLowerCase()],
      { x: 5n, y: false },
    ]);
    const positional = parseSpec({ ...contractCall, signature: f, args: [...good.slice(0, 6), ["7", true]] });
    expect(positional.ok && contractCallRequest(positional.spec as ContractCallSpec).args[6]).toEqual({
      x: 7n,
      y: true,
    });

    const g = "function g(uint256 a, int8 b, address[2] c, (uint64 x, bool y) t, bytes d) view returns (bool)";
    const base = ["1", 1, [dead, dead], ["1", true], "0xab"];
    const bad: [number, unknown, string][] = [
      [0, (2n ** 256n).toString(), `args[0]: ${2n ** 256n} is out of range for uint256 (0 to ${2n ** 256n - 1n})`],
      [0, "0x10", "args[0]: expected a decimal string (or safe integer) for uint256"],
      [0, "1e3", "args[0]: expected a decimal string (or safe integer) for uint256"],
      [0, "-1", "args[0]: -1 is out of range for uint256"],
      [1, 128, "args[1]: 128 is out of range for int8 (-128 to 127)"],
      [2, [dead], "args[2]: expected 2 elements for address[2], got 1"],
      [3, { x: "1" }, "args[3][1]: expected true or false"],
      [3, ["1"], "args[3]: expected 2 tuple fields as an array or an object"],
      [4, "0xabc", "args[4]: expected 0x-prefixed hex of whole bytes (an even number of digits) for bytes"],
    ];
    for (const [i, value, message] of bad) {
      const args = base.map((v, j) => (j === i ? value : v));
      const found = problems({ ...contractCall, signature: g, args });
      expect(found, JSON.stringify(value)).toHaveLength(1);
      expect(found[0], JSON.stringify(value)).toContain(message);
    }
  });

  it("rejects malformed workflow inputs", () => {
    expect(problems({ ...wasm, inputs: { "bad-name": { step: 0 } } })).toEqual([
      'inputs["bad-name"]: input names are identifiers of at most 64 characters',
    ]);
    expect(problems({ ...wasm, inputs: { prices: { step: -1 } } })).toEqual([
      "inputs.prices.step: must be a step index (>= 0)",
    ]);
  });

  it("refuses floats in specs, with the field and the fix, however the spec arrives", () => {
    const floaty = { ...wasm, input: { encoding: "json", data: { price: 1234.56 } } } as const;
    const message =
      "invalid job spec: input.data: not canonical JSON: $.price: 1234.56 is not a safe integer; specs carry only integers in ±(2^53-1) (put amounts and decimals in strings)";
    expect(() => encodeSpec(floaty)).toThrow(SpecValidationError);
    expect(() => encodeSpec(floaty)).toThrow(message);
    const bytes = stringToBytes(
      text(encodeSpec({ ...wasm, input: { encoding: "json", data: { price: 1 } } })).replace(
        '"price":1',
        '"price":1234.56',
      ),
    );
    expect(decodeSpec(bytes)).toEqual({ ok: false, error: message });
    expect(() => canonicalize({ a: [0.5] })).toThrow("$.a[0]: 0.5 is not a safe integer");
  });

  it("encodeSpec throws SpecValidationError carrying every issue", () => {
    expect(() => encodeSpec({ ...wasm, version: 2 } as never)).toThrow(SpecValidationError);
    try {
      encodeSpec({ ...httpJson, method: "POST", path: "" } as never);
    } catch (error) {
      expect((error as SpecValidationError).issues.map((i) => i.path)).toEqual(["method", "path"]);
    }
  });
});

describe("canonical encoding", () => {
  it("sorts keys recursively and drops whitespace", () => {
    expect(canonicalize({ b: 1, a: { d: [3, { z: null, y: true }], c: "x" } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":true,"z":null}]},"b":1}',
    );
  });

  it("gives the same bytes and hash whatever the key order of the input", () => {
    const reordered = {
      limits: { memoryMb: 64, timeoutMs: 5_000 },
      input: { data: "the quick brown fox", encoding: "utf8" },
      module: { sha256: SHA, uri: wasm.module.uri },
      version: 1,
      kind: "wasm",
    } as const;
    expect(encodeSpec(reordered)).toEqual(encodeSpec(wasm));
    expect(specHash(reordered)).toBe(specHash(wasm));
    expect(specHash(reordered)).toBe(keccak256(encodeSpec(wasm)));
  });

  it("matches a fixed vector, so every implementation can check itself", () => {
    expect(text(encodeSpec(httpJson))).toBe(
      '{"headers":{"accept":"application/json"},"kind":"http.json","limits":{"maxBytes":1000000,"timeoutMs":10000},' +
        '"method":"GET","path":"$.data.price","url":"https://api.example.com/v1/price?pair=ETH-USD","version":1}',
    );
  });

  it("sorts keys by UTF-16 code units, as RFC 8785 does", () => {
    expect(canonicalize({ b: [{ z: 1, a: "x" }], a: null, "10": true, "9": false, é: 1, Z: 2 })).toBe(
      '{"10":true,"9":false,"Z":2,"a":null,"b":[{"a":"x","z":1}],"é":1}',
    );
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FFFF by code unit (not by code point).
    expect(canonicalize({ "\uffff": 1, "\u{1f600}": 2 })).toBe('{"\u{1f600}":2,"\uffff":1}');
    expect(canonicalize('quote" and \n')).toBe('"quote\\" and \\n"');
    expect(canonicalize(-0)).toBe("0");
  });

  it("keeps non-ASCII text as UTF-8 and escapes control characters", () => {
    expect(canonicalize({ s: "Grüße\n\u0001" })).toBe('{"s":"Grüße\\n\\u0001"}');
    expect(text(encodeResult({ city: "Zürich" }))).toBe('{"city":"Zürich"}');
  });

  it("rejects what JSON cannot carry exactly, naming where", () => {
    const cases: [unknown, string][] = [
      [{ a: [1, 2.5] }, "$.a[1]"],
      [{ n: Number.NaN }, "$.n"],
      [{ n: Number.POSITIVE_INFINITY }, "$.n"],
      [{ big: 2 ** 53 }, "$.big"],
      [{ amount: 10n }, "$.amount"],
      [[undefined], "$[0]"],
      [{ when: new Date(0) }, "$.when"],
      [{ "odd key": () => 1 }, '$["odd key"]'],
    ];
    for (const [value, path] of cases) {
      expect(() => canonicalize(value)).toThrow(CanonicalJsonError);
      try {
        canonicalize(value);
      } catch (error) {
        expect((error as CanonicalJsonError).path).toBe(path);
      }
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalize(cyclic)).toThrow("circular reference");
    expect(() => canonicalize({ amount: 10n })).toThrow('encode it as the decimal string "10"');
    expect(() => canonicalize({ n: Number.NaN }, { numbers: "finite" })).toThrow("$.n: NaN is not a finite number");
    expect(() => canonicalize([Number.NEGATIVE_INFINITY], { numbers: "finite" })).toThrow(
      "$[0]: -Infinity is not a finite number",
    );
  });

  it("allows the largest inline spec and refuses one byte more", () => {
    const overhead = encodeSpec({ ...wasm, input: { encoding: "utf8", data: "" } }).length;
    const fits = { ...wasm, input: { encoding: "utf8", data: "x".repeat(MAX_PAYLOAD_BYTES - overhead) } } as const;
    expect(encodeSpec(fits).length).toBe(MAX_PAYLOAD_BYTES);
    const over = { ...wasm, input: { encoding: "utf8", data: "x".repeat(MAX_PAYLOAD_BYTES - overhead + 1) } } as const;
    expect(() => encodeSpec(over)).toThrow(PayloadTooLargeError);
    expect(() => encodeSpec(over)).toThrow("16385 bytes, more than the 16384 allowed inline");
  });
});

describe("decodeSpec", () => {
  it("round-trips every kind from bytes and from hex, with the hash posted on-chain", () => {
    for (const spec of [wasm, httpJson, contractCall]) {
      const bytes = encodeSpec(spec);
      const fromBytes = decodeSpec(bytes);
      expect(fromBytes).toEqual({
        ok: true,
        spec: parseSpec(spec).ok && (parseSpec(spec) as { spec: unknown }).spec,
        hash: specHash(spec),
      });
      expect(decodeSpec(bytesToHex(bytes))).toEqual(fromBytes);
      expect(decodeSpec(bytes, { expectedHash: specHash(spec) }).ok).toBe(true);
    }
  });

  it("rejects a non-canonical encoding of a valid spec", () => {
    const pretty = stringToBytes(JSON.stringify(wasm, null, 2));
    expect(decodeSpec(pretty)).toEqual({
      ok: false,
      error:
        "spec is not in canonical form (sorted keys, no whitespace, checksummed addresses); re-encode it with encodeSpec",
    });
    const unsorted = stringToBytes(JSON.stringify(wasm));
    expect(decodeSpec(unsorted).ok).toBe(false);
    const lowercaseAddress = stringToBytes(canonicalize(contractCall));
    expect(decodeSpec(lowercaseAddress)).toMatchObject({ ok: false, error: expect.stringContaining("canonical form") });
    const exponent = stringToBytes(text(encodeSpec(wasm)).replace('"version":1', '"version":1e0'));
    expect(decodeSpec(exponent)).toMatchObject({ ok: false, error: expect.stringContaining("canonical form") });
  });

  it("never throws, and says what is wrong", () => {
    expect(decodeSpec(new Uint8Array(MAX_PAYLOAD_BYTES + 1).fill(0x20))).toEqual({
      ok: false,
      error: "spec is 16385 bytes, more than the 16384 allowed",
    });
    expect(decodeSpec(new Uint8Array())).toEqual({ ok: false, error: "spec is empty" });
    expect(decodeSpec(new Uint8Array([0x7b, 0xff, 0x7d]))).toEqual({ ok: false, error: "spec is not valid UTF-8" });
    expect(decodeSpec(stringToBytes('{"kind":'))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^spec is not JSON: /),
    });
    expect(decodeSpec(stringToBytes('{"kind":"wasm","version":1}'))).toEqual({
      ok: false,
      error: "invalid job spec: module: is required; input: is required",
    });
    expect(decodeSpec("not hex" as never)).toEqual({
      ok: false,
      error: "spec must be bytes or a 0x-prefixed hex string",
    });
    expect(decodeSpec(encodeSpec(wasm), { expectedHash: specHash(httpJson) })).toMatchObject({
      ok: false,
      error: expect.stringContaining("not the expected"),
    });
  });

  it("asks for a fetch when the event carries a URI instead of the spec", () => {
    for (const uri of [
      "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
      "https://specs.example.com/42.json",
    ]) {
      expect(isSpecUri(stringToBytes(uri))).toBe(true);
      expect(isSpecUri(bytesToHex(stringToBytes(uri)))).toBe(true);
      expect(decodeSpec(stringToBytes(uri))).toMatchObject({ ok: false, needsFetch: uri });
    }
    expect(isSpecUri(encodeSpec(wasm))).toBe(false);
    expect(isSpecUri(stringToBytes("ftp://x"))).toBe(false);
  });
});

describe("results", () => {
  it("encodes results canonically and hashes them like specs", () => {
    const a = { words: { fox: 1, the: 2 }, total: 3 };
    const b = { total: 3, words: { the: 2, fox: 1 } };
    expect(encodeResult(a)).toEqual(encodeResult(b));
    expect(resultHash(a)).toBe(keccak256(stringToBytes('{"total":3,"words":{"fox":1,"the":2}}')));
    expect(decodeResult(encodeResult(a))).toEqual({ ok: true, value: b, hash: resultHash(a) });
    expect(decodeResult(encodeResult("42.17"), { expectedHash: resultHash("42.17") })).toMatchObject({
      ok: true,
      value: "42.17",
    });
  });

  it("carries finite non-integer numbers in their RFC 8785 form, round trip and hash", () => {
    const quote = { pair: "ETH-USD", price: 1234.56, change: -0.0125 };
    const bytes = encodeResult(quote);
    expect(text(bytes)).toBe('{"change":-0.0125,"pair":"ETH-USD","price":1234.56}');
    expect(resultHash(quote)).toBe(keccak256(stringToBytes('{"change":-0.0125,"pair":"ETH-USD","price":1234.56}')));
    expect(resultHash({ price: 1234.56, change: -0.0125, pair: "ETH-USD" })).toBe(resultHash(quote));
    expect(decodeResult(bytes, { expectedHash: resultHash(quote) })).toEqual({
      ok: true,
      value: quote,
      hash: resultHash(quote),
    });
    expect(resultHash(1234.56)).toBe(keccak256(stringToBytes("1234.56")));
  });

  it("writes numbers as ECMAScript Number-to-String (the RFC 8785 vectors)", () => {
    const cases: [number, string][] = [
      [0.1 + 0.2, "0.30000000000000004"],
      [1e21, "1e+21"],
      [1e-7, "1e-7"],
      [123e-20, "1.23e-18"],
      [5e-324, "5e-324"],
      [1.7976931348623157e308, "1.7976931348623157e+308"],
      [2 ** 53, "9007199254740992"],
      [-0, "0"],
      [333333333.3333333, "333333333.3333333"],
    ];
    for (const [value, written] of cases) {
      expect(text(encodeResult(value)), written).toBe(written);
      expect(decodeResult(encodeResult([value]))).toMatchObject({
        ok: true,
        value: [Object.is(value, -0) ? 0 : value],
      });
    }
  });

  it("still refuses NaN and infinities in results", () => {
    expect(() => encodeResult({ price: Number.NaN })).toThrow(CanonicalJsonError);
    expect(() => encodeResult({ price: Number.NaN })).toThrow("$.price: NaN is not a finite number");
    expect(() => resultHash([Number.POSITIVE_INFINITY])).toThrow("$[0]: Infinity is not a finite number");
  });

  it("refuses results too large to submit inline, but still hashes them for a URI", () => {
    const big = "x".repeat(MAX_PAYLOAD_BYTES);
    expect(() => encodeResult(big)).toThrow(PayloadTooLargeError);
    expect(resultHash(big)).toBe(keccak256(stringToBytes(JSON.stringify(big))));
    expect(encodeResult(big, { maxBytes: Infinity }).length).toBe(MAX_PAYLOAD_BYTES + 2);
  });

  it("rejects non-canonical result bytes and points at URIs", () => {
    expect(decodeResult(stringToBytes('{"b":1,"a":2}'))).toMatchObject({
      ok: false,
      error: expect.stringContaining("canonical form"),
    });
    for (const number of ["1.50", "15e-1", "1E2", "-0", "9007199254740993", "1e400"]) {
      expect(decodeResult(stringToBytes(`{"n":${number}}`)), number).toMatchObject({
        ok: false,
        error: expect.stringMatching(/canonical/),
      });
    }
    expect(decodeResult(stringToBytes("ipfs://bafyresult"))).toMatchObject({
      ok: false,
      needsFetch: "ipfs://bafyresult",
    });
  });
});

describe("JSON paths", () => {
  it("parses the documented forms into steps", () => {
    expect(parseJsonPath("$")).toEqual([]);
    expect(parseJsonPath("$.data.price")).toEqual(["data", "price"]);
    expect(parseJsonPath("data.items[0].id")).toEqual(["data", "items", 0, "id"]);
    expect(parseJsonPath('$["a.b"][10]')).toEqual(["a.b", 10]);
    expect(parseJsonPath('$["data"]["odd key"]')).toEqual(["data", "odd key"]);
    expect(parseJsonPath('$["a\\"b\\u0041"]')).toEqual(['a"bA']);
    expect(parseJsonPath('$[""]')).toEqual([""]);
    expect(parseJsonPath("$.a-b.c_d._e9")).toEqual(["a-b", "c_d", "_e9"]);
    expect(parseJsonPath("$[999999999]")).toEqual([999_999_999]);
  });

  it.each([
    ["", 'expected "$" or a property name'],
    [".a", 'expected "$" or a property name'],
    ["[0][1]", 'expected "$" or a property name'],
    ["$.", "expected a property name after '.'"],
    ["a..b", "expected a property name after '.'"],
    ["$..price", "expected a property name after '.'"],
    ["$.1a", "expected a property name after '.'"],
    ["$.$e", "expected a property name after '.'"],
    ["$.data.*", "expected a property name after '.'"],
    ["$[*]", 'expected [index] or ["key"]'],
    ["$[?(@.id)]", 'expected [index] or ["key"]'],
    ["$[0:2]", 'expected [index] or ["key"]'],
    ["$[01]", 'expected [index] or ["key"]'],
    ["$[-1]", 'expected [index] or ["key"]'],
    ["$[1.5]", 'expected [index] or ["key"]'],
    ["$[ 2 ]", 'expected [index] or ["key"]'],
    ["$[abc]", 'expected [index] or ["key"]'],
    ["$['a']", 'expected [index] or ["key"]'],
    ['$["unterminated]', 'expected [index] or ["key"]'],
    ["$[9999999999]", 'expected [index] or ["key"]'],
    ['$["bad \\x escape"]', "invalid quoted key (it must be a JSON string)"],
    ["$.a b", "expected '.' or '['"],
    ["$data", "expected '.' or '['"],
  ])("refuses %j: %s", (path, problem) => {
    expect(() => parseJsonPath(path)).toThrow(/^invalid JSON path .* at \d+: /);
    expect(() => parseJsonPath(path)).toThrow(problem);
  });

  const doc = {
    data: {
      price: "3012.55",
      zero: 0,
      items: [{ id: "x" }, { id: 2, tags: ["a", "b"] }],
      "odd key": { "x.y": 1, 'quote"d': 2 },
      "": "empty key",
      nested: [[10, 11], [12]],
      nothing: null,
    },
  };

  it.each([
    ["data.items[0].id", "x"],
    ["$.data.zero", 0],
    ["$.data.nothing", null],
    ["$.data.items[1].tags[1]", "b"],
    ['$.data["odd key"]["x.y"]', 1],
    ['$.data["odd key"]["quote\\"d"]', 2],
    ['$.data[""]', "empty key"],
    ["$.data.nested[0][1]", 11],
    ["$.data.items[0]", { id: "x" }],
    ["$", doc],
  ])("selects %s", (path, value) => {
    expect(selectJsonPath(doc, path)).toEqual({ found: true, value });
  });

  it.each([
    ["$.missing", 'no key "missing" at $'],
    ["$.data.items[2]", "index 2 is out of range for an array of length 2 at $.data.items"],
    ["$.data.items[7].id", "index 7 is out of range for an array of length 2 at $.data.items"],
    ["$.data.price.cents", "expected an object but found a string at $.data.price"],
    ["$.data.items.id", "expected an object but found an array of length 2 at $.data.items"],
    ["$.data.zero[0]", "expected an array but found a number at $.data.zero"],
    ["$.data.nothing.x", "expected an object but found null at $.data.nothing"],
    ['$.data["odd key"].z', 'no key "z" at $.data["odd key"]'],
    ["$.toString", 'no key "toString" at $'],
    ["$.data.constructor", 'no key "constructor" at $.data'],
    ["$.__proto__", 'no key "__proto__" at $'],
  ])("reports %s as not found, saying where", (path, reason) => {
    expect(selectJsonPath(doc, path)).toEqual({ found: false, reason });
  });
});

describe("contractCallRequest", () => {
  it("turns a contract.call spec into calldata, with decimal-string integers as uint256", () => {
    const parsed = parseSpec({
      ...contractCall,
      signature: "function transfer(address to, uint256 amount) returns (bool)",
      args: ["0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419", "1000000000000000000000"],
    });
    if (!parsed.ok) throw parsed.error;
    const request = contractCallRequest(parsed.spec as ContractCallSpec);
    expect(request.functionName).toBe("transfer");
    expect(request.args).toEqual(["0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419", 10n ** 21n]);
    expect(request.data.slice(0, 10)).toBe("0xa9059cbb");
    expect(request.blockTag).toBe("finalized");
  });
});
