import { describe, expect, it } from "vitest";
import {
  evaluateJsonPath,
  ExecutionError,
  extractJsonPath,
  formatJsonPath,
  parseJsonPath,
  type JsonValue,
} from "../src/executors/index.js";

const doc: JsonValue = {
  data: {
    price: "1.5",
    items: [{ id: 1 }, { id: 2 }, { id: 3, tags: ["a", "b"] }],
    "odd key": { "x.y": 1, 'quote"d': 2, "it's": 3 },
    "": "empty key",
    nested: [[10, 11], [12]],
  },
  top: 0,
  nothing: null,
};

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ExecutionError);
    return (error as ExecutionError).code;
  }
}

describe("parseJsonPath", () => {
  it.each([
    ["$", []],
    ["$.data", [{ key: "data" }]],
    ["data", [{ key: "data" }]],
    ["data.items[0].id", [{ key: "data" }, { key: "items" }, { index: 0 }, { key: "id" }]],
    ['$["data"]["odd key"]', [{ key: "data" }, { key: "odd key" }]],
    ["$['it\\'s']", [{ key: "it's" }]],
    ['$["a\\"b\\u0041"]', [{ key: 'a"bA' }]],
    ["$[ 2 ]", [{ index: 2 }]],
    ["$[-1]", [{ index: -1 }]],
    ["$.a-b.c_d.$e", [{ key: "a-b" }, { key: "c_d" }, { key: "$e" }]],
    ["[0][1]", [{ index: 0 }, { index: 1 }]],
    [".data", [{ key: "data" }]],
  ])("parses %s", (path, steps) => {
    expect(parseJsonPath(path)).toEqual(steps);
  });

  it.each([
    ["", "empty"],
    ["$.", "name"],
    ["$..price", "recursive descent"],
    ["$.data.*", "wildcards"],
    ["$[*]", "wildcards"],
    ["$[?(@.id)]", "filters"],
    ["$[0:2]", "slices"],
    ["$[01]", "']'"],
    ["$[1.5]", "']'"],
    ['$["unterminated]', "unterminated"],
    ["$['bad \\n escape']", "escapes"],
    ["$[abc]", "index"],
    ["$.a b", "unexpected"],
    ["$data", "unexpected"],
    ["$[99999999999999999999]", "range"],
  ])("refuses %s as BAD_INPUT", (path, problem) => {
    let error: unknown;
    try {
      parseJsonPath(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExecutionError);
    expect((error as ExecutionError).code).toBe("BAD_INPUT");
    expect((error as ExecutionError).message).toContain(problem);
  });
});

describe("evaluateJsonPath", () => {
  it.each([
    ["$.data.price", "1.5"],
    ["data.items[2].tags[1]", "b"],
    ["$.data.items[-1].id", 3],
    ["$.data.items.1.id", 2],
    ['$.data["odd key"]["x.y"]', 1],
    ['$.data["odd key"]["quote\\"d"]', 2],
    ["$.data['odd key']['it\\'s']", 3],
    ['$.data[""]', "empty key"],
    ["$.data.nested[0][1]", 11],
    ["$.top", 0],
    ["$.nothing", null],
    ["$.data.items[0]", { id: 1 }],
  ])("reads %s", (path, value) => {
    expect(extractJsonPath(doc, path)).toEqual(value);
  });

  it.each([
    "$.missing",
    "$.data.items[3]",
    "$.data.items[-4]",
    "$.data.price.length",
    "$.data.items.id",
    "$.top[0]",
    "$.nothing.x",
    "$.data.constructor",
    "$.__proto__",
    "$.data.items.01",
  ])("reports %s as JSON_PATH", (path) => {
    expect(code(() => extractJsonPath(doc, path))).toBe("JSON_PATH");
  });

  it("names the step where the document ends", () => {
    expect(() => evaluateJsonPath(doc, parseJsonPath("$.data.items[7].id"))).toThrow(
      "$.data.items[7].id: index 7 is out of range for an array of length 3 at $.data.items",
    );
  });

  it("formats steps back to a normalized path", () => {
    expect(formatJsonPath(parseJsonPath("data['odd key'][0].id"))).toBe('$.data["odd key"][0].id');
  });
});
