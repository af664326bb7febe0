// matrix: JSON {"a": [[...], ...], "b": [[...], ...]} of integers in, {"product": [[...], ...]} out.
// `a` is m x n and `b` is n x p with m, n, p >= 1 and every row of equal length. Entries and every
// entry of the product must be safe integers (|x| <= 2^53 - 1) so that JSON readers agree on them;
// anything else gives {"error": "..."}.
import { errorOutput, inputText, output } from "./lib/abi";
export { alloc } from "./lib/abi";

const MAX_SAFE: i64 = 9007199254740991; // 2^53 - 1

type Matrix = Array<Array<i64>>;

/** A strict reader for the one input shape this module accepts; records the first error. */
class Reader {
  pos: i32 = 0;
  error: string = "";

  constructor(public text: string) {}

  get failed(): bool {
    return this.error.length > 0;
  }

  fail(message: string): void {
    if (!this.failed) this.error = message + " at offset " + this.pos.toString();
  }

  skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.pos++;
    }
  }

  peek(): i32 {
    this.skipSpace();
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  /** Consumes `c` if it comes next. */
  accept(c: i32): bool {
    if (this.peek() != c) return false;
    this.pos++;
    return true;
  }

  expect(c: i32, what: string): bool {
    if (this.peek() != c) {
      this.fail("expected " + what);
      return false;
    }
    this.pos++;
    return true;
  }

  /** Reads a JSON string; only the escapes a key could need are accepted. */
  readString(): string {
    if (!this.expect(0x22, "a string")) return "";
    const parts = new Array<string>();
    let start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c == 0x22) {
        parts.push(this.text.substring(start, this.pos));
        this.pos++;
        return parts.join("");
      }
      if (c < 0x20) break;
      if (c == 0x5c) {
        parts.push(this.text.substring(start, this.pos));
        const e = this.pos + 1 < this.text.length ? this.text.charCodeAt(this.pos + 1) : -1;
        if (e == 0x22 || e == 0x5c || e == 0x2f) parts.push(String.fromCharCode(e));
        else if (e == 0x75 && this.pos + 6 <= this.text.length) {
          const code = I32.parseInt(this.text.substring(this.pos + 2, this.pos + 6), 16);
          if (isNaN(<f64>code)) break;
          parts.push(String.fromCharCode(code));
          this.pos += 4;
        } else break;
        this.pos += 2;
        start = this.pos;
        continue;
      }
      this.pos++;
    }
    this.fail("bad string");
    return "";
  }

  /** Reads an optionally negative integer of at most 2^53 - 1 in magnitude, without fraction or exponent. */
  readInteger(): i64 {
    this.skipSpace();
    let negative = false;
    if (this.pos < this.text.length && this.text.charCodeAt(this.pos) == 0x2d) {
      negative = true;
      this.pos++;
    }
    const first = this.pos;
    let value: i64 = 0;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c < 0x30 || c > 0x39) break;
      value = value * 10 + <i64>(c - 0x30);
      if (value > MAX_SAFE) {
        this.fail("entry out of the safe integer range");
        return 0;
      }
      this.pos++;
    }
    const digits = this.pos - first;
    if (digits == 0) {
      this.fail("expected an integer");
      return 0;
    }
    if (digits > 1 && this.text.charCodeAt(first) == 0x30) {
      this.fail("leading zero");
      return 0;
    }
    if (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c == 0x2e || c == 0x65 || c == 0x45) {
        this.fail("entries must be integers");
        return 0;
      }
    }
    return negative ? -value : value;
  }

  /** Reads a non-empty array of non-empty rows of equal length. */
  readMatrix(name: string): Matrix {
    const rows: Matrix = [];
    if (!this.expect(0x5b, name + " to be an array of rows")) return rows;
    do {
      if (!this.expect(0x5b, name + " rows to be arrays")) return rows;
      const row = new Array<i64>();
      do {
        row.push(this.readInteger());
        if (this.failed) return rows;
      } while (this.accept(0x2c));
      if (!this.expect(0x5d, "',' or ']' in a row of " + name)) return rows;
      if (rows.length > 0 && row.length != rows[0].length) {
        this.fail(name + " rows differ in length");
        return rows;
      }
      rows.push(row);
    } while (this.accept(0x2c));
    this.expect(0x5d, "',' or ']' after a row of " + name);
    return rows;
  }
}

function checkedMul(x: i64, y: i64): i64 {
  const r = x * y;
  // Both operands are below 2^53 in magnitude, so a wrapped product shows up as a mismatched quotient.
  if (x != 0 && r / x != y) return i64.MIN_VALUE;
  return r;
}

export function run(ptr: usize, len: i32): usize {
  if (len < 0) return errorOutput("negative input length");
  const reader = new Reader(inputText(ptr, len));
  let a: Matrix | null = null;
  let b: Matrix | null = null;
  if (reader.expect(0x7b, "a JSON object")) {
    do {
      const key = reader.readString();
      if (reader.failed || !reader.expect(0x3a, "':'")) break;
      if (key == "a" && a == null) a = reader.readMatrix("a");
      else if (key == "b" && b == null) b = reader.readMatrix("b");
      else reader.fail(key == "a" || key == "b" ? "duplicate key " + key : "unexpected key");
      if (reader.failed) break;
    } while (reader.accept(0x2c));
    if (!reader.failed) reader.expect(0x7d, "',' or '}'");
    if (!reader.failed && reader.peek() != -1) reader.fail("trailing characters");
  }
  if (reader.failed) return errorOutput(reader.error);
  if (a == null || b == null) return errorOutput('input needs both "a" and "b"');
  const left = a as Matrix;
  const right = b as Matrix;

  const m = left.length;
  const n = left[0].length;
  const p = right[0].length;
  if (right.length != n) {
    return errorOutput("a is " + m.toString() + "x" + n.toString() + " but b has " + right.length.toString() + " rows");
  }

  const rows = new Array<string>();
  for (let i = 0; i < m; i++) {
    const cells = new Array<string>();
    for (let j = 0; j < p; j++) {
      let sum: i64 = 0;
      for (let k = 0; k < n; k++) {
        const term = checkedMul(left[i][k], right[k][j]);
        if (term == i64.MIN_VALUE) return errorOutput("product entry out of the safe integer range");
        const next = sum + term;
        if ((term > 0 && next < sum) || (term < 0 && next > sum)) {
          return errorOutput("product entry out of the safe integer range");
        }
        sum = next;
      }
      if (sum > MAX_SAFE || sum < -MAX_SAFE) return errorOutput("product entry out of the safe integer range");
      cells.push(sum.toString());
    }
    rows.push("[" + cells.join(",") + "]");
  }
  return output('{"product":[' + rows.join(",") + "]}");
}
