// JSON paths (`$.data.items[0].price`): parsing and selecting, for http.json specs and workflow inputs.
import { JSON_PATH_NAME, pathStep } from "./canonical.js";

/**
 * Splits a JSON path such as `$.data.price`, `data.items[0].id` or `$["odd key"][2]` into its
 * steps: property names (strings) and array indices (numbers). `$` alone is the whole document.
 * Grammar: optional `$`, then `.name` (letters, digits, `_`, `-`, not starting with a digit),
 * `[index]` or `["any key"]`; without `$` the first step may be a bare name. Throws on anything else.
 */
export function parseJsonPath(path: string): (string | number)[] {
  const steps: (string | number)[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`invalid JSON path ${JSON.stringify(path)} at ${i}: ${why}`);
  };
  const name = new RegExp(JSON_PATH_NAME, "y");
  const index = /\[(0|[1-9][0-9]{0,8})\]/y;
  const quoted = /\[("(?:[^"\\]|\\.)*")\]/y;
  if (path.startsWith("$")) i = 1;
  else {
    name.lastIndex = 0;
    const m = name.exec(path);
    if (!m) fail('expected "$" or a property name');
    steps.push(m![0]);
    i = m![0].length;
  }
  while (i < path.length) {
    if (path[i] === ".") {
      name.lastIndex = i + 1;
      const m = name.exec(path);
      if (!m) fail("expected a property name after '.'");
      steps.push(m![0]);
      i = name.lastIndex;
    } else if (path[i] === "[") {
      index.lastIndex = i;
      quoted.lastIndex = i;
      const n = index.exec(path);
      const q = n ? null : quoted.exec(path);
      if (n) {
        steps.push(Number(n[1]));
        i = index.lastIndex;
      } else if (q) {
        let key: unknown;
        try {
          key = JSON.parse(q[1]!);
        } catch {
          fail("invalid quoted key (it must be a JSON string)");
        }
        steps.push(key as string);
        i = quoted.lastIndex;
      } else fail('expected [index] or ["key"]');
    } else fail("expected '.' or '['");
  }
  return steps;
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * Follows a JSON path (see `parseJsonPath`) into a parsed document: the value, or why the document
 * has none there (`index 7 is out of range for an array of length 3 at $.data.items`). Only own
 * properties count, so `$.toString` finds nothing. Throws on a malformed path.
 */
export function selectJsonPath(
  document: unknown,
  path: string,
): { found: true; value: unknown } | { found: false; reason: string } {
  let current = document;
  let here = "$";
  for (const step of parseJsonPath(path)) {
    if (typeof step === "number") {
      if (!Array.isArray(current)) {
        return { found: false, reason: `expected an array but found ${describeJson(current)} at ${here}` };
      }
      if (step >= current.length) {
        return { found: false, reason: `index ${step} is out of range for ${describeJson(current)} at ${here}` };
      }
      current = current[step];
    } else {
      if (current === null || typeof current !== "object" || Array.isArray(current)) {
        return { found: false, reason: `expected an object but found ${describeJson(current)} at ${here}` };
      }
      if (!Object.prototype.hasOwnProperty.call(current, step)) {
        return { found: false, reason: `no key ${JSON.stringify(step)} at ${here}` };
      }
      current = (current as Record<string, unknown>)[step];
    }
    here = pathStep(here, step);
  }
  return { found: true, value: current };
}
