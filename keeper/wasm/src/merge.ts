// merge: one or more JSON objects in, one per line (blank lines ignored), each mapping string keys to
// non-negative integers of at most 2^53, the output shape of wordfreq; one object out with the union
// of the keys and the sum of each key's values, keys sorted by UTF-16 code units, no whitespace. The
// reduce step of a split -> map -> reduce workflow.
//
// The reader is strict and accepts exactly that shape: JSON whitespace (space, tab, carriage return)
// around tokens, strings with every JSON escape (a \u escape of a surrogate must be half of a pair),
// integers without sign, leading zeros, fraction or exponent. Duplicate keys in one object, anything
// after an object on its line, other values and sums above 2^53 give {"error": "line L, column C: ..."}
// (the column counts code points from 1).
import { errorOutput, inputText, isUtf8, jsonString, output } from "./lib/abi";
export { alloc } from "./lib/abi";

const MAX_VALUE: u64 = 9007199254740992; // 2^53, the largest integer JSON readers agree on

/**
 * The keys seen so far with their sums: an open-addressing hash table over the keys' UTF-16 code
 * units, so that looking up a key seen before allocates nothing (the stub runtime never frees, and
 * a merge of many parts reads each distinct key many times).
 */
class Table {
  keys: Array<string> = new Array<string>();
  sums: Array<u64> = new Array<u64>();
  /** The last object (by number) that held each key, to find duplicates within an object. */
  objects: Array<i32> = new Array<i32>();
  hashes: Array<u32> = new Array<u32>();
  /** Index + 1 of the key in each slot, 0 for an empty slot. */
  slots: StaticArray<i32> = new StaticArray<i32>(1024);

  /** The index of the key of `len` code units at `ptr`, added with a sum of 0 if it is new. */
  index(ptr: usize, len: i32): i32 {
    const hash = hashUnits(ptr, len);
    const mask = this.slots.length - 1;
    let slot = (<i32>hash) & mask;
    for (;;) {
      const entry = this.slots[slot] - 1;
      if (entry < 0) break;
      const key = this.keys[entry];
      if (
        this.hashes[entry] == hash &&
        key.length == len &&
        memory.compare(changetype<usize>(key), ptr, (<usize>len) << 1) == 0
      ) {
        return entry;
      }
      slot = (slot + 1) & mask;
    }
    const entry = this.keys.length;
    this.keys.push(String.UTF16.decodeUnsafe(ptr, (<usize>len) << 1));
    this.sums.push(0);
    this.objects.push(0);
    this.hashes.push(hash);
    this.slots[slot] = entry + 1;
    if (this.keys.length * 2 > this.slots.length) this.grow();
    return entry;
  }

  grow(): void {
    const slots = new StaticArray<i32>(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.keys.length; entry++) {
      let slot = (<i32>this.hashes[entry]) & mask;
      while (slots[slot] != 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}

/** FNV-1a over UTF-16 code units. */
function hashUnits(ptr: usize, len: i32): u32 {
  let hash: u32 = 0x811c9dc5;
  for (let i = 0; i < len; i++) hash = (hash ^ (<u32>load<u16>(ptr + ((<usize>i) << 1)))) * 0x01000193;
  return hash;
}

function isSpace(c: i32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0d;
}

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Reads the objects line by line into `table`; stops at the first error. */
class Reader {
  pos: i32 = 0;
  lineStart: i32 = 0;
  lineEnd: i32 = 0;
  line: i32 = 0;
  objects: i32 = 0;
  error: string = "";
  table: Table = new Table();
  /** The last key read: `keyLength` code units at `keyPtr`, in the input or in a decoded copy. */
  keyPtr: usize = 0;
  keyLength: i32 = 0;

  constructor(public text: string) {}

  /** The last key read, quoted for a message. */
  get key(): string {
    return jsonString(String.UTF16.decodeUnsafe(this.keyPtr, (<usize>this.keyLength) << 1));
  }

  get failed(): bool {
    return this.error.length > 0;
  }

  /** Records `message` at the current position, unless an error came first. */
  fail(message: string): void {
    if (this.failed) return;
    let column = 1;
    for (let i = this.lineStart; i < this.pos && i < this.lineEnd; i++) {
      if ((this.text.charCodeAt(i) & 0xfc00) != 0xdc00) column++;
    }
    this.error = "line " + this.line.toString() + ", column " + column.toString() + ": " + message;
  }

  /** The code unit at the current position, or -1 at the end of the line. */
  peek(): i32 {
    return this.pos < this.lineEnd ? this.text.charCodeAt(this.pos) : -1;
  }

  skipSpace(): void {
    while (this.pos < this.lineEnd && isSpace(this.text.charCodeAt(this.pos))) this.pos++;
  }

  readAll(): void {
    const size = this.text.length;
    let start = 0;
    while (start <= size && !this.failed) {
      let end = this.text.indexOf("\n", start);
      if (end < 0) end = size;
      this.line++;
      this.lineStart = start;
      this.lineEnd = end;
      this.pos = start;
      this.skipSpace();
      if (this.pos < end) this.readLine();
      start = end + 1;
    }
    if (!this.failed && this.objects == 0) this.error = "expected at least one object, found none";
  }

  /** Reads one object and makes sure nothing but whitespace follows it on the line. */
  readLine(): void {
    if (this.peek() != 0x7b) {
      this.fail("expected an object");
      return;
    }
    this.objects++;
    this.pos++;
    this.skipSpace();
    if (this.peek() == 0x7d) {
      this.pos++;
    } else {
      for (;;) {
        this.skipSpace();
        if (this.peek() != 0x22) {
          this.fail("expected a string key");
          return;
        }
        const keyAt = this.pos;
        this.readString();
        if (this.failed) return;
        this.skipSpace();
        if (this.peek() != 0x3a) {
          this.fail("expected ':' after key " + this.key);
          return;
        }
        this.pos++;
        this.skipSpace();
        const value = this.readValue();
        if (this.failed) return;
        this.add(value, keyAt);
        if (this.failed) return;
        this.skipSpace();
        const c = this.peek();
        this.pos++;
        if (c == 0x7d) break;
        if (c != 0x2c) {
          this.pos--;
          this.fail("expected ',' or '}' after the value of " + this.key);
          return;
        }
      }
    }
    this.skipSpace();
    if (this.pos < this.lineEnd) this.fail("unexpected text after the object (one object per line)");
  }

  /** Adds `value` to the sum of the last key read, which starts at `keyAt`. */
  add(value: u64, keyAt: i32): void {
    const table = this.table;
    const entry = table.index(this.keyPtr, this.keyLength);
    if (table.objects[entry] == this.objects) {
      this.pos = keyAt;
      this.fail("duplicate key " + this.key);
      return;
    }
    table.objects[entry] = this.objects;
    const sum = table.sums[entry] + value; // both at most 2^53: no overflow
    if (sum > MAX_VALUE) {
      this.pos = keyAt;
      this.fail("the sum for " + this.key + " is above 2^53");
      return;
    }
    table.sums[entry] = sum;
  }

  /**
   * Reads a string at the current position (on its opening quote) into `keyPtr` and `keyLength`:
   * a string without escapes is left where it is in the input, one with escapes is decoded.
   */
  readString(): void {
    const text = this.text;
    this.pos++;
    let start = this.pos;
    while (this.pos < this.lineEnd) {
      const c = text.charCodeAt(this.pos);
      if (c == 0x22) {
        this.keyPtr = changetype<usize>(text) + ((<usize>start) << 1);
        this.keyLength = this.pos - start;
        this.pos++;
        return;
      }
      if (c < 0x20) {
        this.fail("control character in a string (write it as an escape)");
        return;
      }
      if (c == 0x5c) break;
      this.pos++;
    }
    const parts = new Array<string>();
    while (this.pos < this.lineEnd) {
      const c = text.charCodeAt(this.pos);
      if (c == 0x22) {
        parts.push(text.substring(start, this.pos));
        this.pos++;
        const decoded = parts.join("");
        this.keyPtr = changetype<usize>(decoded);
        this.keyLength = decoded.length;
        return;
      }
      if (c < 0x20) {
        this.fail("control character in a string (write it as an escape)");
        return;
      }
      if (c != 0x5c) {
        this.pos++;
        continue;
      }
      parts.push(text.substring(start, this.pos));
      const e = this.pos + 1 < this.lineEnd ? text.charCodeAt(this.pos + 1) : -1;
      if (e == 0x75) {
        const code = this.hexAt(this.pos + 2);
        if (code < 0) return;
        if ((code & 0xfc00) == 0xdc00) {
          this.fail("unpaired surrogate escape in a string");
          return;
        }
        if ((code & 0xfc00) == 0xd800) {
          const low = this.pos + 6 <= this.lineEnd && text.charCodeAt(this.pos + 6) == 0x5c ? this.readLow() : -1;
          if (low < 0) {
            if (!this.failed) this.fail("unpaired surrogate escape in a string");
            return;
          }
          parts.push(String.fromCharCode(code));
          parts.push(String.fromCharCode(low));
          this.pos += 12;
        } else {
          parts.push(String.fromCharCode(code));
          this.pos += 6;
        }
      } else {
        let decoded = -1;
        if (e == 0x22 || e == 0x5c || e == 0x2f) decoded = e;
        else if (e == 0x62) decoded = 0x08;
        else if (e == 0x66) decoded = 0x0c;
        else if (e == 0x6e) decoded = 0x0a;
        else if (e == 0x72) decoded = 0x0d;
        else if (e == 0x74) decoded = 0x09;
        if (decoded < 0) {
          this.fail("invalid escape in a string");
          return;
        }
        parts.push(String.fromCharCode(decoded));
        this.pos += 2;
      }
      start = this.pos;
    }
    this.fail("unterminated string");
    return;
  }

  /** The low surrogate of a \uXXXX escape at `pos + 6`, or -1 if there is none there. */
  readLow(): i32 {
    if (this.pos + 7 >= this.lineEnd || this.text.charCodeAt(this.pos + 7) != 0x75) return -1;
    const low = this.hexAt(this.pos + 8);
    return low >= 0 && (low & 0xfc00) == 0xdc00 ? low : -1;
  }

  /** Four hex digits at `at`, or -1 (with an error) if they are not. */
  hexAt(at: i32): i32 {
    let code = 0;
    for (let i = 0; i < 4; i++) {
      const d = at + i < this.lineEnd ? hexValue(this.text.charCodeAt(at + i)) : -1;
      if (d < 0) {
        this.fail("\\u must be followed by four hex digits");
        return -1;
      }
      code = (code << 4) | d;
    }
    return code;
  }

  /** Reads a value that must be a non-negative integer of at most 2^53. */
  readValue(): u64 {
    const c = this.peek();
    if (c == 0x2d) {
      this.fail("the value of " + this.key + " is negative");
      return 0;
    }
    if (!isDigit(c)) {
      let what = "is not a number";
      if (c == 0x7b) what = "is an object";
      else if (c == 0x5b) what = "is an array";
      else if (c == 0x22) what = "is a string";
      else if (c == 0x74 || c == 0x66) what = "is a boolean";
      else if (c == 0x6e) what = "is null";
      else if (c < 0) what = "is missing";
      this.fail("the value of " + this.key + " " + what + "; expected a non-negative integer");
      return 0;
    }
    const start = this.pos;
    let value: u64 = 0;
    let tooBig = false;
    while (isDigit(this.peek())) {
      if (!tooBig) {
        value = value * 10 + <u64>(this.peek() - 0x30);
        if (value > MAX_VALUE) tooBig = true;
      }
      this.pos++;
    }
    const next = this.peek();
    if (next == 0x2e || next == 0x65 || next == 0x45) {
      this.fail("the value of " + this.key + " is not an integer");
      return 0;
    }
    if (this.text.charCodeAt(start) == 0x30 && this.pos - start > 1) {
      this.pos = start;
      this.fail("the value of " + this.key + " has a leading zero");
      return 0;
    }
    if (tooBig) {
      this.pos = start;
      this.fail("the value of " + this.key + " is above 2^53");
      return 0;
    }
    return value;
  }
}

export function run(ptr: usize, len: i32): usize {
  if (len < 0) return errorOutput("negative input length");
  if (!isUtf8(ptr, len)) return errorOutput("input is not valid UTF-8");
  const reader = new Reader(inputText(ptr, len));
  reader.readAll();
  if (reader.failed) return errorOutput(reader.error);

  const table = reader.table;
  const keys = table.keys.slice();
  keys.sort(); // by UTF-16 code units
  const out = new Array<string>();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const entry = table.index(changetype<usize>(key), key.length);
    out.push(jsonString(key) + ":" + table.sums[entry].toString());
  }
  return output("{" + out.join(",") + "}");
}
