// Canonical JSON: one byte string per value (sorted keys, no whitespace, integers or finite
// numbers only), so every party hashes the same bytes for the same spec or result.
import { CanonicalJsonError } from "../errors.js";

/**
 * A value canonical JSON can carry. In specs numbers are safe integers only (amounts and decimals
 * travel as strings); results may hold any finite number (see `CanonicalOptions`).
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** How `canonicalize` treats numbers. */
export interface CanonicalOptions {
  /**
   * `"integers"` (the default; what specs use): safe integers only, so that amounts and decimals
   * travel as strings. `"finite"` (what results use): any finite number, written the RFC 8785
   * (JCS) way, which is ECMAScript's Number-to-String as `JSON.stringify` writes it (`1234.56`,
   * `1e+21`, `5e-324`). NaN and infinities are refused either way; -0 is written as `0`.
   */
  numbers?: "integers" | "finite";
}

/** A property name that a JSON path (see `parseJsonPath`) writes after a dot. */
export const JSON_PATH_NAME = "[A-Za-z_][A-Za-z0-9_-]*";
const plainName = new RegExp(`^${JSON_PATH_NAME}$`);

/** The JSON path of `key` inside the value at `path`: `$.a.b`, `$.a["odd key"]`, `$.a[2]`. */
export function pathStep(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return plainName.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * The canonical JSON text of `value`: object keys sorted (by UTF-16 code units, as RFC 8785)
 * at every level, no whitespace, strings escaped as `JSON.stringify` does, numbers as `options`
 * allow (by default safe integers only). Object properties whose value is `undefined` are left
 * out, as JSON does. Throws `CanonicalJsonError` (with the JSON path) for numbers not allowed,
 * NaN, infinities, bigints, `undefined` in arrays, functions, symbols, non-plain objects (Date,
 * Map, class instances) and cycles.
 */
export function canonicalize(value: unknown, options: CanonicalOptions = {}): string {
  const finite = options.numbers === "finite";
  const inProgress = new Set<object>();
  const walk = (v: unknown, path: string): string => {
    switch (typeof v) {
      case "string":
        return JSON.stringify(v);
      case "boolean":
        return v ? "true" : "false";
      case "number":
        if (!Number.isFinite(v)) {
          throw new CanonicalJsonError(path, `${v} is not a finite number; JSON cannot carry it`);
        }
        if (!finite && !Number.isSafeInteger(v)) {
          throw new CanonicalJsonError(
            path,
            `${v} is not a safe integer; specs carry only integers in ±(2^53-1) (put amounts and decimals in strings)`,
          );
        }
        // ECMAScript Number-to-String, the RFC 8785 form; String(-0) is "0".
        return String(v);
      case "bigint":
        throw new CanonicalJsonError(path, `bigint ${v}n is not JSON; encode it as the decimal string "${v}"`);
      case "object": {
        if (v === null) return "null";
        if (inProgress.has(v)) throw new CanonicalJsonError(path, "circular reference");
        inProgress.add(v);
        try {
          if (Array.isArray(v)) {
            return `[${v
              .map((item, i) => {
                if (item === undefined) throw new CanonicalJsonError(pathStep(path, i), "undefined is not JSON");
                return walk(item, pathStep(path, i));
              })
              .join(",")}]`;
          }
          const proto = Object.getPrototypeOf(v);
          if (proto !== Object.prototype && proto !== null) {
            throw new CanonicalJsonError(path, `${proto?.constructor?.name ?? "object"} is not a plain JSON object`);
          }
          const record = v as Record<string, unknown>;
          const keys = Object.keys(record)
            .filter((k) => record[k] !== undefined)
            .sort();
          return `{${keys.map((k) => `${JSON.stringify(k)}:${walk(record[k], pathStep(path, k))}`).join(",")}}`;
        } finally {
          inProgress.delete(v);
        }
      }
      default:
        throw new CanonicalJsonError(path, `${typeof v} is not JSON`);
    }
  };
  return walk(value, "$");
}

const utf8 = new TextEncoder();
export const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Canonical JSON bytes of any JSON value (see `canonicalize`). */
export function canonicalBytes(value: unknown, options: CanonicalOptions = {}): Uint8Array {
  return utf8.encode(canonicalize(value, options));
}

/** Results carry any finite number; specs only safe integers. */
export const RESULT_NUMBERS: CanonicalOptions = { numbers: "finite" };
