// A small, strict JSON path subset for http.json jobs: one value out of one document, no wildcards,
// slices, filters or recursive descent.
//
//   path  := ["$"] step*            the leading "$" may be left out: "data.items[0].id"
//   step  := "." name               name: one or more characters other than . [ ] ' " * ? and whitespace;
//                                   on an array, a name of digits indexes it ("items.0")
//          | "[" index "]"          index: an integer; a negative one counts from the end ([-1] is the last)
//          | "[" string "]"         string: "double" (JSON escapes) or 'single' (\' and \\ escapes) quoted
//
// A syntax error is BAD_INPUT (the spec is wrong); a path that the document does not have is JSON_PATH.
import { ExecutionError, type JsonValue } from "./types.js";

export type PathStep = { key: string } | { index: number };

const NAME_CHAR = /[^.[\]'"*?\s]/;
const MAX_PATH_LENGTH = 4096;

function syntaxError(path: string, at: number, problem: string): ExecutionError {
  return new ExecutionError("BAD_INPUT", `invalid JSON path ${JSON.stringify(path)} at offset ${at}: ${problem}`);
}

/** Parses `path` into steps; throws BAD_INPUT on anything outside the subset. */
export function parseJsonPath(path: string): PathStep[] {
  if (path.length === 0) throw syntaxError(path, 0, "empty path");
  if (path.length > MAX_PATH_LENGTH) throw syntaxError(path, MAX_PATH_LENGTH, "path too long");
  const steps: PathStep[] = [];
  let i = 0;
  const readName = (): string => {
    const start = i;
    while (i < path.length && NAME_CHAR.test(path[i])) i++;
    if (i === start) {
      const c = path[i];
      if (c === "*") throw syntaxError(path, i, "wildcards are not supported");
      if (c === ".") throw syntaxError(path, i, "recursive descent (..) is not supported");
      throw syntaxError(path, i, c === undefined ? "expected a name after '.'" : `unexpected ${JSON.stringify(c)}`);
    }
    return path.slice(start, i);
  };
  const skipSpace = () => {
    while (path[i] === " ") i++;
  };

  if (path[0] === "$") i = 1;
  else if (path[0] !== "." && path[0] !== "[") steps.push({ key: readName() });

  while (i < path.length) {
    const c = path[i];
    if (c === ".") {
      i++;
      steps.push({ key: readName() });
    } else if (c === "[") {
      i++;
      skipSpace();
      const q = path[i];
      if (q === '"' || q === "'") {
        steps.push({ key: readQuoted(path, i, (end) => (i = end)) });
      } else {
        const match = /^-?(0|[1-9][0-9]*)/.exec(path.slice(i));
        if (!match) {
          if (q === "*") throw syntaxError(path, i, "wildcards are not supported");
          if (q === "?") throw syntaxError(path, i, "filters are not supported");
          throw syntaxError(path, i, "expected an integer index or a quoted name");
        }
        const index = Number(match[0]);
        if (!Number.isSafeInteger(index)) throw syntaxError(path, i, "index out of range");
        i += match[0].length;
        steps.push({ index });
      }
      skipSpace();
      if (path[i] === ":") throw syntaxError(path, i, "slices are not supported");
      if (path[i] !== "]") throw syntaxError(path, i, "expected ']'");
      i++;
    } else {
      throw syntaxError(path, i, `unexpected ${JSON.stringify(c)}`);
    }
  }
  return steps;
}

/** Reads a quoted name starting at `start` (the quote), reporting the offset after the closing quote. */
function readQuoted(path: string, start: number, done: (end: number) => void): string {
  const quote = path[start];
  let i = start + 1;
  let raw = "";
  while (i < path.length && path[i] !== quote) {
    if (path[i] === "\\") {
      raw += path.slice(i, i + 2);
      i += 2;
    } else {
      raw += path[i++];
    }
  }
  if (i >= path.length) throw syntaxError(path, start, "unterminated string");
  done(i + 1);
  if (quote === "'") {
    if (/\\[^\\']/.test(raw)) throw syntaxError(path, start, "only \\' and \\\\ escapes are allowed in '...'");
    return raw.replace(/\\([\\'])/g, "$1");
  }
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    throw syntaxError(path, start, "invalid escape in string");
  }
}

/** Writes steps back as a normalized path, for messages. */
export function formatJsonPath(steps: readonly PathStep[]): string {
  let out = "$";
  for (const step of steps) {
    if ("index" in step) out += `[${step.index}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(step.key)) out += `.${step.key}`;
    else out += `[${JSON.stringify(step.key)}]`;
  }
  return out;
}

function describe(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Follows `steps` into `document`; throws JSON_PATH where the document does not have the path. */
export function evaluateJsonPath(document: JsonValue, steps: readonly PathStep[]): JsonValue {
  let current = document;
  for (let n = 0; n < steps.length; n++) {
    const step = steps[n];
    const here = formatJsonPath(steps.slice(0, n));
    const missing = (why: string) => new ExecutionError("JSON_PATH", `${formatJsonPath(steps)}: ${why} at ${here}`);
    if ("index" in step || (Array.isArray(current) && /^(0|[1-9][0-9]*)$/.test(step.key))) {
      if (!Array.isArray(current)) throw missing(`expected an array but found ${describe(current)}`);
      const index = "index" in step ? step.index : Number(step.key);
      const position = index < 0 ? current.length + index : index;
      if (position < 0 || position >= current.length) {
        throw missing(`index ${index} is out of range for ${describe(current)}`);
      }
      current = current[position];
    } else {
      if (typeof current !== "object" || current === null || Array.isArray(current)) {
        throw missing(`expected an object but found ${describe(current)}`);
      }
      if (!Object.hasOwn(current, step.key)) throw missing(`no key ${JSON.stringify(step.key)}`);
      current = current[step.key];
    }
  }
  return current;
}

/** Parses `path` and evaluates it against `document`. */
export function extractJsonPath(document: JsonValue, path: string): JsonValue {
  return evaluateJsonPath(document, parseJsonPath(path));
}
