// primes: a decimal integer n with 1 <= n <= 2^53 in (surrounding whitespace allowed), its prime
// factorisation out as {"n": n, "factors": [p1, p2, ...]} with the factors ascending and repeated
// by multiplicity (1 has no factors). Anything else gives {"error": "..."}.
//
// Trial division by 2, 3 and then 6k +/- 1 up to sqrt(n): at most about 3 * 10^7 divisions, well
// under a second, for any n in range.
import { errorOutput, inputText, output } from "./lib/abi";
export { alloc } from "./lib/abi";

const MAX_N: u64 = 9007199254740992; // 2^53, the largest integer JSON readers agree on

export function run(ptr: usize, len: i32): usize {
  if (len < 0) return errorOutput("negative input length");
  const text = inputText(ptr, len).trim();
  if (text.length == 0) return errorOutput("input must be a decimal integer");
  let n: u64 = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return errorOutput("input must be a decimal integer");
    n = n * 10 + <u64>(c - 0x30);
    if (n > MAX_N) return errorOutput("n must be at most 2^53");
  }
  if (n == 0) return errorOutput("n must be at least 1");

  const factors = new Array<u64>();
  let rest = n;
  while (rest % 2 == 0) {
    factors.push(2);
    rest /= 2;
  }
  while (rest % 3 == 0) {
    factors.push(3);
    rest /= 3;
  }
  for (let p: u64 = 5; p * p <= rest; p += 6) {
    while (rest % p == 0) {
      factors.push(p);
      rest /= p;
    }
    const q = p + 2;
    while (rest % q == 0) {
      factors.push(q);
      rest /= q;
    }
  }
  if (rest > 1) factors.push(rest);

  const items = new Array<string>();
  for (let i = 0; i < factors.length; i++) items.push(factors[i].toString());
  return output('{"n":' + n.toString() + ',"factors":[' + items.join(",") + "]}");
}
