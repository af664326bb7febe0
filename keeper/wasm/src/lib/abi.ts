// The host side of the Baton module ABI (see keeper/wasm/README.md): the keeper calls `alloc(len)`,
// writes the input bytes there, calls `run(ptr, len)` and reads a u32 little-endian length followed
// by that many bytes of UTF-8 JSON from the pointer `run` returns.

/** Reserves `len` bytes of linear memory for the host to write the input into. */
export function alloc(len: i32): usize {
  return heap.alloc(<usize>(len < 0 ? 0 : len));
}

/** Decodes the input bytes as UTF-8 (invalid sequences are decoded leniently, never trap). */
export function inputText(ptr: usize, len: i32): string {
  return String.UTF8.decodeUnsafe(ptr, <usize>len);
}

/**
 * Whether the `len` bytes at `ptr` are well-formed UTF-8: no stray continuation bytes, truncated or
 * overlong sequences, surrogates or code points above U+10FFFF. `inputText` decodes such text exactly;
 * other bytes decode to strings that may hold unpaired surrogates, which `output` cannot write as UTF-8.
 */
export function isUtf8(ptr: usize, len: i32): bool {
  let i = 0;
  while (i < len) {
    const b0 = <u32>load<u8>(ptr + <usize>i);
    if (b0 < 0x80) {
      i++;
      continue;
    }
    let more: i32;
    let min: u32;
    let cp: u32;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      more = 1;
      min = 0x80;
      cp = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      more = 2;
      min = 0x800;
      cp = b0 & 0x0f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      more = 3;
      min = 0x10000;
      cp = b0 & 0x07;
    } else return false;
    if (len - i <= more) return false;
    for (let k = 1; k <= more; k++) {
      const b = <u32>load<u8>(ptr + <usize>(i + k));
      if ((b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += more + 1;
  }
  return true;
}

/** Copies `json` into a fresh length-prefixed buffer and returns its address, ready for `run` to return. */
export function output(json: string): usize {
  const bytes = String.UTF8.encode(json);
  const len = bytes.byteLength;
  const ptr = heap.alloc(4 + <usize>len);
  store<u32>(ptr, <u32>len);
  memory.copy(ptr + 4, changetype<usize>(bytes), <usize>len);
  return ptr;
}

/** Returns the `{"error": message}` output that modules use for inputs they reject. */
export function errorOutput(message: string): usize {
  return output('{"error":' + jsonString(message) + "}");
}

const HEX = "0123456789abcdef";

/** Quotes `s` as a JSON string: `"` and `\` escaped, control characters as `\u00XX`. */
export function jsonString(s: string): string {
  const parts = new Array<string>();
  parts.push('"');
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c != 0x22 && c != 0x5c) continue;
    if (i > start) parts.push(s.substring(start, i));
    if (c == 0x22) parts.push('\\"');
    else if (c == 0x5c) parts.push("\\\\");
    else if (c == 0x0a) parts.push("\\n");
    else if (c == 0x0d) parts.push("\\r");
    else if (c == 0x09) parts.push("\\t");
    else parts.push("\\u00" + HEX.charAt(c >> 4) + HEX.charAt(c & 15));
    start = i + 1;
  }
  if (s.length > start) parts.push(s.substring(start));
  parts.push('"');
  return parts.join("");
}
