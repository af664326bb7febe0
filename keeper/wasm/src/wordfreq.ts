// wordfreq: UTF-8 text in, {"word": count, ...} out, keys lowercased and sorted by UTF-16 code units
// (the order of JavaScript's default sort and of canonical JSON).
//
// A word is a maximal run of word characters: ASCII letters and digits, and every code point from
// U+0080 up except whitespace and punctuation (see isSeparator). An apostrophe (' or U+2019) between
// two word characters belongs to the word and is written as '. Case folding is String#toLowerCase.
import { errorOutput, inputText, jsonString, output } from "./lib/abi";
export { alloc } from "./lib/abi";

const APOSTROPHE: i32 = 0x27;
const RIGHT_SINGLE_QUOTE: i32 = 0x2019;

function isSeparator(c: i32): bool {
  if (c < 0x80) {
    return !((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));
  }
  if (c <= 0xbf) return true; // C1 controls, no-break space, Latin-1 punctuation and symbols
  if (c == 0xd7 || c == 0xf7) return true; // multiplication and division signs
  if (c == 0x1680 || c == 0x3000 || c == 0xfeff) return true; // other spaces and the byte-order mark
  if (c >= 0x2000 && c <= 0x206f) return true; // general punctuation, including the Unicode spaces
  if (c >= 0x3001 && c <= 0x3003) return true; // CJK comma and full stops
  return false;
}

function isApostrophe(c: i32): bool {
  return c == APOSTROPHE || c == RIGHT_SINGLE_QUOTE;
}

export function run(ptr: usize, len: i32): usize {
  if (len < 0) return errorOutput("negative input length");
  const text = inputText(ptr, len);
  const counts = new Map<string, i32>();
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSeparator(c) && !isApostrophe(c)) {
      i++;
      continue;
    }
    if (isApostrophe(c)) {
      i++; // a leading apostrophe is a quotation mark, not part of the word
      continue;
    }
    // Collect one word; apostrophes join it only when a word character follows.
    const parts = new Array<string>();
    let start = i;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (isApostrophe(d)) {
        if (i + 1 < n && !isSeparator(text.charCodeAt(i + 1))) {
          parts.push(text.substring(start, i));
          parts.push("'");
          start = i + 1;
          i++;
          continue;
        }
        break;
      }
      if (isSeparator(d)) break;
      i++;
    }
    parts.push(text.substring(start, i));
    const word = parts.join("").toLowerCase();
    counts.set(word, counts.has(word) ? counts.get(word) + 1 : 1);
  }

  const words = counts.keys();
  words.sort();
  const out = new Array<string>();
  for (let k = 0; k < words.length; k++) {
    const word = words[k];
    out.push(jsonString(word) + ":" + counts.get(word).toString());
  }
  return output("{" + out.join(",") + "}");
}
