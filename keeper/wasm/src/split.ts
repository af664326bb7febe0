// split: "<n>\n<text>" in, with n a decimal integer from 1 to 64 on the first line; a JSON array of
// exactly n strings out: the text cut at whitespace into n consecutive parts of about equal length,
// the first step of a split -> map -> reduce workflow.
//
// A word is a maximal run of characters other than whitespace (Unicode White_Space: JavaScript's \s
// less U+FEFF, plus U+0085), so a word is never cut in two, and every whitespace character separates
// words for wordfreq too: wordfreq of the text equals the merged wordfreq of the parts. A part is the
// text from its first word's start to its last word's end, so whitespace at the cuts and around the
// text is dropped and whitespace inside a part is kept. Lengths are counted in code points.
//
// Parts are filled in order. Each takes one word and then adds the next while that brings its length
// closer to the length of the rest of the text (from this part's first word) divided by the number of
// parts left, and while a word remains for each later part. So no part is empty when there are at
// least n words; with m < n words, each word is a part of its own and the last n - m parts are "".
import { errorOutput, inputText, isUtf8, jsonString, output } from "./lib/abi";
export { alloc } from "./lib/abi";

const MAX_PARTS = 64;

/** Unicode White_Space. All of these separate words for wordfreq as well. */
function isSpace(c: i32): bool {
  if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c == 0x85 ||
    c == 0xa0 ||
    c == 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c == 0x2028 ||
    c == 0x2029 ||
    c == 0x202f ||
    c == 0x205f ||
    c == 0x3000
  );
}

function isLowSurrogate(c: i32): bool {
  return (c & 0xfc00) == 0xdc00;
}

function abs64(x: i64): i64 {
  return x < 0 ? -x : x;
}

/** Reads n from the first line (surrounding whitespace allowed); -1 if it is not a decimal integer, 0 if out of range. */
function parseCount(line: string): i32 {
  let text = line.trim();
  let negative = false;
  if (text.length > 1 && text.charCodeAt(0) == 0x2d) {
    negative = true;
    text = text.substring(1);
  }
  if (text.length == 0) return -1;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    if (n <= MAX_PARTS) n = n * 10 + (c - 0x30);
  }
  return negative || n > MAX_PARTS ? 0 : n;
}

export function run(ptr: usize, len: i32): usize {
  if (len < 0) return errorOutput("negative input length");
  if (!isUtf8(ptr, len)) return errorOutput("input is not valid UTF-8");
  const input = inputText(ptr, len);
  const newline = input.indexOf("\n");
  if (newline < 0) return errorOutput("input must be n on the first line and the text after it");
  const n = parseCount(input.substring(0, newline));
  if (n < 0) return errorOutput("n (the first line) must be a decimal integer");
  if (n == 0) return errorOutput("n must be between 1 and " + MAX_PARTS.toString());
  const text = input.substring(newline + 1);

  // Words, as offsets into `text` in UTF-16 code units (for cutting) and in code points (for lengths).
  const starts = new Array<i32>();
  const ends = new Array<i32>();
  const cpStarts = new Array<i32>();
  const cpEnds = new Array<i32>();
  const size = text.length;
  let cp = 0;
  let i = 0;
  while (i < size) {
    if (isSpace(text.charCodeAt(i))) {
      i++;
      cp++;
      continue;
    }
    starts.push(i);
    cpStarts.push(cp);
    while (i < size) {
      const c = text.charCodeAt(i);
      if (isSpace(c)) break;
      if (!isLowSurrogate(c)) cp++;
      i++;
    }
    ends.push(i);
    cpEnds.push(cp);
  }

  const m = starts.length;
  const parts = new Array<string>();
  let w = 0; // the next word to place
  for (let k = 0; k < n; k++) {
    if (w >= m) {
      parts.push('""');
      continue;
    }
    const first = w;
    const left: i64 = n - k; // parts still to fill, this one included
    if (left == 1) {
      w = m;
    } else {
      const rest = <i64>(cpEnds[m - 1] - cpStarts[first]);
      w++;
      // Take word w while a word stays for each later part and the part gets closer to rest / left.
      while (w < m && m - w - 1 >= left - 1) {
        const current = <i64>(cpEnds[w - 1] - cpStarts[first]);
        const extended = <i64>(cpEnds[w] - cpStarts[first]);
        if (abs64(extended * left - rest) >= abs64(current * left - rest)) break;
        w++;
      }
    }
    parts.push(jsonString(text.substring(starts[first], ends[w - 1])));
  }
  return output("[" + parts.join(",") + "]");
}
