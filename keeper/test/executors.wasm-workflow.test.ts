// The split and merge modules of the demo workflow "split -> map (wordfreq) x n -> reduce (merge)",
// run through the wasm executor: their exact outputs and errors, and the property that makes the
// workflow correct: merging wordfreq of the parts that split makes gives wordfreq of the whole text.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { canonicalize } from "@baton/sdk";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WasmExecutor } from "../src/executors/index.js";
import { ctx } from "./helpers/executors.js";

const buildDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../wasm/build");
const manifest = JSON.parse(readFileSync(path.join(buildDir, "manifest.json"), "utf8")) as Record<
  string,
  { file: string; sha256: string; bytes: number }
>;

let tmp: string;
let executor: WasmExecutor;

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "baton-wasm-workflow-"));
  executor = new WasmExecutor({
    cacheDir: path.join(tmp, "cache"),
    allowFileUris: true,
    wasmTimeoutMs: 5_000,
    wasmMemoryMb: 64,
  });
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs module `name` on `input` (UTF-8 text, or raw bytes as base64) and returns its result. */
async function run(name: string, input: string | Uint8Array): Promise<unknown> {
  const { output } = await executor.execute(
    {
      kind: "wasm",
      version: 1,
      module: { uri: pathToFileURL(path.join(buildDir, manifest[name].file)).href, sha256: manifest[name].sha256 },
      input:
        typeof input === "string"
          ? { encoding: "utf8", data: input }
          : { encoding: "base64", data: Buffer.from(input).toString("base64") },
    },
    ctx(),
  );
  return output;
}

const split = (n: number | string, text: string) => run("split", `${n}\n${text}`);
const merge = (...lines: string[]) => run("merge", lines.join("\n"));

/**
 * Runs module `name` in this thread, outside the executor, and returns its output text exactly as
 * written: the executor hands back parsed JSON, which hides how strings were escaped.
 */
function outputText(name: string, input: string): string {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 256 });
  const module = new WebAssembly.Module(readFileSync(path.join(buildDir, manifest[name].file)));
  const abort = () => {
    throw new Error(`${name} aborted`);
  };
  const exports = new WebAssembly.Instance(module, { env: { memory, abort } }).exports as {
    alloc: (len: number) => number;
    run: (ptr: number, len: number) => number;
  };
  const bytes = Buffer.from(input, "utf8");
  const ptr = exports.alloc(bytes.length) >>> 0;
  new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes);
  const out = exports.run(ptr, bytes.length) >>> 0;
  const length = new DataView(memory.buffer).getUint32(out, true);
  return new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(memory.buffer, out + 4, length));
}

/** Unicode White_Space, where split may cut (JavaScript's \s less U+FEFF, plus U+0085). */
const SPACE = "[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const words = (text: string) => text.split(new RegExp(`${SPACE}+`, "u")).filter((w) => w !== "");
const trim = (text: string) => text.replace(new RegExp(`^${SPACE}+|${SPACE}+$`, "gu"), "");

describe("split", () => {
  it("cuts text at whitespace into n parts of about equal length", async () => {
    expect(await split(3, "the quick brown fox jumps over the lazy dog")).toEqual([
      "the quick brown",
      "fox jumps over",
      "the lazy dog",
    ]);
    expect(await split(2, "one two three four five")).toEqual(["one two three", "four five"]);
    expect(await split(1, "  keeps  inner\n\twhitespace  ")).toEqual(["keeps  inner\n\twhitespace"]);
    // Whitespace around the first line is allowed (CRLF too); whitespace at the cuts is dropped.
    expect(await run("split", " 2 \r\n  alpha  beta\n gamma \n")).toEqual(["alpha  beta", "gamma"]);
    // A long word is never cut: it makes its part long.
    expect(await split(3, "a supercalifragilisticexpialidocious b c")).toEqual([
      "a",
      "supercalifragilisticexpialidocious",
      "b c",
    ]);
  });

  it("counts lengths in code points and cuts at Unicode whitespace", async () => {
    expect(await split(3, "Été 😀😀😀😀 naïve\u3000日本語\u00a0テキスト über ß")).toEqual([
      "Été 😀😀😀😀",
      "naïve\u3000日本語",
      "テキスト über ß",
    ]);
    // U+200B (zero width space) and U+FEFF are not whitespace: no cut there.
    expect(await split(2, "a\u200bb c\ufeffd")).toEqual(["a\u200bb", "c\ufeffd"]);
  });

  it("gives each word a part of its own when there are fewer words than parts, and empty parts last", async () => {
    expect(await split(3, "hello")).toEqual(["hello", "", ""]);
    expect(await split(4, "a b")).toEqual(["a", "b", "", ""]);
    expect(await split(2, "")).toEqual(["", ""]);
    expect(await split(64, " \n ")).toEqual(Array(64).fill(""));
    expect(await split("03", "x y z")).toEqual(["x", "y", "z"]);
  });

  it("escapes quotes, backslashes and control characters", async () => {
    const parts = ['"quoted"', "back\\slash", "bell\u0007\u0000\u001f\u007f"];
    expect(await split(3, parts.join(" "))).toEqual(parts);
    expect(outputText("split", `3\n${parts.join(" ")}`)).toBe(
      '["\\"quoted\\"","back\\\\slash","bell\\u0007\\u0000\\u001f\u007f"]',
    );
    // Whitespace inside a part is kept, and escaped where JSON needs it.
    const text = "tab\there\r\nline\u2028two";
    expect(await split(1, text)).toEqual([text]);
    expect(outputText("split", `1\n${text}`)).toBe('["tab\\there\\r\\nline\u2028two"]');
  });

  it("rejects a missing or bad n and input that is not UTF-8", async () => {
    const notInteger = { error: "n (the first line) must be a decimal integer" };
    const outOfRange = { error: "n must be between 1 and 64" };
    expect(await run("split", "3")).toEqual({ error: "input must be n on the first line and the text after it" });
    expect(await run("split", "hello world")).toEqual({
      error: "input must be n on the first line and the text after it",
    });
    expect(await split("", "text")).toEqual(notInteger);
    expect(await split("three", "text")).toEqual(notInteger);
    expect(await split("2.5", "text")).toEqual(notInteger);
    expect(await split("+2", "text")).toEqual(notInteger);
    expect(await split(0, "text")).toEqual(outOfRange);
    expect(await split(65, "text")).toEqual(outOfRange);
    expect(await split(-3, "text")).toEqual(outOfRange);
    expect(await split("99999999999999999999999", "text")).toEqual(outOfRange);
    expect(await run("split", Uint8Array.from([0x32, 0x0a, 0x61, 0xff, 0x62]))).toEqual({
      error: "input is not valid UTF-8",
    });
    // An encoded surrogate (CESU-style) is not UTF-8 either.
    expect(await run("split", Uint8Array.from([0x31, 0x0a, 0xed, 0xa0, 0x80]))).toEqual({
      error: "input is not valid UTF-8",
    });
  });
});

describe("merge", () => {
  it("sums counts over the union of keys, keys sorted by UTF-16 code units", async () => {
    const output = await merge('{"the":2,"cat":1}', "", '{"cat":3,"dog":1}', "  ", '{"the":1}', "");
    expect(output).toEqual({ cat: 4, dog: 1, the: 3 });
    expect(Object.keys(output as object)).toEqual(["cat", "dog", "the"]);
    expect(await merge("{}")).toEqual({});
    expect(await merge('{"a":0}', "{}")).toEqual({ a: 0 });
    // JSON whitespace inside a line, and CRLF line ends.
    expect(await run("merge", ' { "x" : 1 , "y":2 } \r\n{"x":4}\r\n')).toEqual({ x: 5, y: 2 });
    // Counts up to 2^53, and sums up to 2^53.
    expect(await merge('{"n":9007199254740991}', '{"n":1}')).toEqual({ n: 2 ** 53 });
    // U+FFFD sorts after the surrogates of U+1F600 by code unit (and before it by code point).
    expect(outputText("merge", '{"\ufffd":1,"😀":2,"é":3,"Z":4,"a":5,"10":6,"9":7}')).toBe(
      '{"10":6,"9":7,"Z":4,"a":5,"é":3,"😀":2,"\ufffd":1}',
    );
  });

  it("reads every JSON string escape and writes keys escaped", async () => {
    const input = '{"\\u00e9t\\u00C9":1,"\\"q\\\\":2,"\\ud83d\\ude00":3,"\\u0001\\b\\f\\n\\r\\t\\/":4}';
    const expected = { "\u00e9t\u00c9": 1, '"q\\': 2, "😀": 3, "\u0001\b\f\n\r\t/": 4 };
    expect(await merge(input, '{"étÉ":10,"😀":1}')).toEqual({ ...expected, étÉ: 11, "😀": 4 });
    expect(outputText("merge", input)).toBe('{"\\u0001\\u0008\\u000c\\n\\r\\t/":4,"\\"q\\\\":2,"étÉ":1,"😀":3}');
    // What canonical JSON (JSON.stringify) writes reads back.
    const odd = { "\u2028": 1, "\u0000": 2, "\u007f": 3, "a\\b": 4 };
    expect(await merge(canonicalize(odd))).toEqual(odd);
  });

  it("names what is wrong", async () => {
    const cases: [string, string][] = [
      ["", "expected at least one object, found none"],
      ["\n \n", "expected at least one object, found none"],
      ["[1]", "line 1, column 1: expected an object"],
      ['{"a":1}\n"a"', "line 2, column 1: expected an object"],
      ['{"a":1} {"b":2}', "line 1, column 9: unexpected text after the object (one object per line)"],
      ['{"a":1}x', "line 1, column 8: unexpected text after the object (one object per line)"],
      ['{"a":1,"a":2}', 'line 1, column 8: duplicate key "a"'],
      ['{"é":1,"\\u00e9":2}', 'line 1, column 8: duplicate key "é"'],
      ['{"a":{"b":1}}', 'line 1, column 6: the value of "a" is an object; expected a non-negative integer'],
      ['{"a":[1]}', 'line 1, column 6: the value of "a" is an array; expected a non-negative integer'],
      ['{"a":"1"}', 'line 1, column 6: the value of "a" is a string; expected a non-negative integer'],
      ['{"a":true}', 'line 1, column 6: the value of "a" is a boolean; expected a non-negative integer'],
      ['{"a":null}', 'line 1, column 6: the value of "a" is null; expected a non-negative integer'],
      ['{"a":}', 'line 1, column 6: the value of "a" is not a number; expected a non-negative integer'],
      ['{"a":-1}', 'line 1, column 6: the value of "a" is negative'],
      ['{"a":1.5}', 'line 1, column 7: the value of "a" is not an integer'],
      ['{"a":1.0}', 'line 1, column 7: the value of "a" is not an integer'],
      ['{"a":1e3}', 'line 1, column 7: the value of "a" is not an integer'],
      ['{"a":01}', 'line 1, column 6: the value of "a" has a leading zero'],
      ['{"a":9007199254740993}', 'line 1, column 6: the value of "a" is above 2^53'],
      ['{"a":9007199254740992}\n\n{"b":1,"a":1}', 'line 3, column 8: the sum for "a" is above 2^53'],
      ['{"a":1,}', "line 1, column 8: expected a string key"],
      ["{a:1}", "line 1, column 2: expected a string key"],
      ['{"a" 1}', "line 1, column 6: expected ':' after key \"a\""],
      ['{"a":1', "line 1, column 7: expected ',' or '}' after the value of \"a\""],
      ['{"a\n":1}', "line 1, column 4: unterminated string"],
      ['{"a\tb":1}', "line 1, column 4: control character in a string (write it as an escape)"],
      ['{"\\x":1}', "line 1, column 3: invalid escape in a string"],
      ['{"\\u12g4":1}', "line 1, column 3: \\u must be followed by four hex digits"],
      ['{"\\ud83d":1}', "line 1, column 3: unpaired surrogate escape in a string"],
      ['{"\\ud83d\\u0041":1}', "line 1, column 3: unpaired surrogate escape in a string"],
      ['{"\\ude00\\ud83d":1}', "line 1, column 3: unpaired surrogate escape in a string"],
      // Columns count code points.
      ['{"é😀":1, "x":-1}', 'line 1, column 14: the value of "x" is negative'],
    ];
    for (const [input, error] of cases) expect(await run("merge", input), input).toEqual({ error });
    expect(await run("merge", Uint8Array.from([0x7b, 0x22, 0xc0, 0x80, 0x22, 0x3a, 0x31, 0x7d]))).toEqual({
      error: "input is not valid UTF-8",
    });
  });
});

describe("split -> wordfreq x n -> merge", () => {
  /** The workflow: split, wordfreq on every part, merge of the parts' results as canonical JSON lines. */
  async function workflow(text: string, n: number) {
    const parts = (await split(n, text)) as string[];
    const counts = await Promise.all(parts.map((part) => run("wordfreq", part)));
    return { parts, merged: await merge(...counts.map((c) => canonicalize(c))) };
  }

  it("gives wordfreq of the whole text", async () => {
    const text =
      "It was the best of times, it was the worst of times; it was the age of wisdom, it was the age of " +
      "foolishness. Don't panic: don’t! ÉTÉ été Été. 'Quoted' words' ends. Σίσυφος ΣΊΣΥΦΟΣ. İstanbul 😀 😀";
    for (const n of [1, 2, 3, 7, 64]) {
      const { parts, merged } = await workflow(text, n);
      expect(parts).toHaveLength(n);
      expect(parts.flatMap(words)).toEqual(words(text));
      expect(merged).toEqual(await run("wordfreq", text));
    }
  });

  it("holds for generated texts", async () => {
    const word = fc.oneof(
      fc.constantFrom("the", "The", "THE", "don't", "don’t", "'tis", "dogs'", "Été", "ß", "Σας", "İ", "😀", "日本語"),
      fc.string({
        unit: fc.constantFrom(
          "a",
          "B",
          "z",
          "é",
          "É",
          "'",
          "’",
          "-",
          ".",
          ",",
          "!",
          "7",
          "😀",
          "\u200b",
          "\ufeff",
          "\u0001",
        ),
        minLength: 1,
        maxLength: 8,
      }),
    );
    const space = fc.constantFrom(" ", " ", " ", "  ", "\n", "\t", "\r\n", "\u00a0", "\u3000", "\u2028", "\u0085");
    const text = fc
      .tuple(fc.array(fc.tuple(word, space), { maxLength: 40 }), fc.boolean())
      .map(([pairs, lead]) => (lead ? " " : "") + pairs.map(([w, s]) => w + s).join(""));
    await fc.assert(
      fc.asyncProperty(text, fc.integer({ min: 1, max: 5 }), async (text, n) => {
        const { parts, merged } = await workflow(text, n);
        expect(parts).toHaveLength(n);
        expect(parts.flatMap(words)).toEqual(words(text));
        for (const part of parts) expect(part).toBe(trim(part));
        // Parts are empty only when there are fewer words than parts, and then last.
        const filled = parts.filter((p) => p !== "").length;
        expect(filled).toBe(Math.min(n, words(text).length));
        expect(parts.slice(filled).every((p) => p === "")).toBe(true);
        expect(merged).toEqual(await run("wordfreq", text));
      }),
      { numRuns: 30 },
    );
  });
});
