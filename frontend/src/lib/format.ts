// Display helpers: amounts, addresses, durations and times.
import { ZERO_ADDRESS } from "@baton/sdk";
import { formatUnits, type Address } from "viem";

export type TokenInfo = { address: Address; symbol: string; decimals: number };

export const ETH: TokenInfo = { address: ZERO_ADDRESS, symbol: "ETH", decimals: 18 };

/** `1.2345 ETH`: at most `digits` decimals, trailing zeros dropped. */
export function formatAmount(value: bigint, token: Pick<TokenInfo, "symbol" | "decimals"> = ETH, digits = 6): string {
  const text = formatUnits(value, token.decimals);
  const [whole, frac = ""] = text.split(".");
  const cut = frac.slice(0, digits).replace(/0+$/, "");
  const shown = cut ? `${whole}.${cut}` : whole!;
  const approx = frac.length > digits && /[1-9]/.test(frac.slice(digits)) ? "≈" : "";
  return `${approx}${shown} ${token.symbol}`;
}

export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

export function sameAddress(a: string | undefined, b: string | undefined): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}

/** The zero address, whatever its case: ETH as a token, "no arbiter". */
export const isZeroAddress = (address: string) => address.toLowerCase() === ZERO_ADDRESS;

/** A whole number of days in words: `30 days` for a limit given in seconds. */
export const inDays = (seconds: number) => `${seconds / 86_400} days`;

/** `1 h 5 min`, `42 s`, `3 d 4 h`: the two largest units of a number of seconds. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const units: [string, number][] = [
    ["d", 86_400],
    ["h", 3_600],
    ["min", 60],
    ["s", 1],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || (parts.length === 0 && size === 1)) parts.push(`${n} ${name}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

/** A Unix time as a local date and time. */
export function formatTime(unix: number): string {
  return new Date(unix * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** The explorer page of a transaction or address, on chains that have an explorer. */
export function explorerLink(explorerUrl: string | undefined, kind: "tx" | "address", value: string) {
  return explorerUrl ? `${explorerUrl}/${kind}/${value}` : undefined;
}
