import type { JsonValue } from "./types.js";

/**
 * Canonical JSON text of `value`: object keys sorted by UTF-16 code units, no whitespace, numbers and
 * strings as JSON.stringify writes them (the RFC 8785 rules for the values JSON.parse produces).
 * Throws on values JSON cannot carry (non-finite numbers, undefined, bigints, functions).
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`${value} has no JSON representation`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort();
    const members: string[] = [];
    for (const key of keys) {
      const member = value[key];
      if (member === undefined) throw new TypeError(`key ${JSON.stringify(key)} has no JSON value`);
      members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
    }
    return `{${members.join(",")}}`;
  }
  throw new TypeError(`a ${typeof value} has no JSON representation`);
}
