import { describe, expect, it } from "vitest";
import { CronError, cronMatches, latestCronTick, nextCronTick, parseCron } from "../src/index.js";

// The same semantics as contracts/automation/libraries/Cron.sol; test/automation/Cron.test.ts
// compares the two on random expressions. Here: known schedules and the error rules.

const at = (iso: string) => BigInt(Date.parse(iso) / 1000);
const iso = (t: bigint | null) => (t === null ? null : new Date(Number(t) * 1000).toISOString().slice(0, 16));
const bits = (offset: number, values: number[]) => values.reduce((acc, v) => acc | (1n << BigInt(offset + v)), 0n);
const range = (lo: number, hi: number, step = 1) =>
  Array.from({ length: hi - lo + 1 }, (_, i) => lo + i).filter((v) => (v - lo) % step === 0);

function rejection(expr: string): Pick<CronError, "code" | "field" | "position" | "message"> {
  try {
    parseCron(expr);
  } catch (error) {
    expect(error).toBeInstanceOf(CronError);
    const { code, field, position, message } = error as CronError;
    return { code, field, position, message };
  }
  throw new Error(`${JSON.stringify(expr)} was accepted`);
}

describe("parseCron", () => {
  it("packs each field at its offset, with the restriction bits", () => {
    const every = bits(64, range(0, 23)) | bits(96, range(1, 31)) | bits(128, range(1, 12)) | bits(144, range(0, 6));
    expect(parseCron("* * * * *")).toBe(bits(0, range(0, 59)) | every);
    expect(parseCron("*/15 * * * *")).toBe(bits(0, [0, 15, 30, 45]) | every);
    expect(parseCron("0 9 * * 1-5")).toBe(
      bits(0, [0]) |
        bits(64, [9]) |
        bits(96, range(1, 31)) |
        bits(128, range(1, 12)) |
        bits(144, range(1, 5)) |
        (1n << 161n),
    );
    expect(parseCron("30 4 1,15 * 0")).toBe(
      bits(0, [30]) | bits(64, [4]) | bits(96, [1, 15]) | bits(128, range(1, 12)) | bits(144, [0]) | (3n << 160n),
    );
    // `a/n` runs to the field's maximum; 7 is Sunday; a day of month starting with `*` is not
    // restricted, a day of week starting with a number is; leading zeros and runs of spaces are fine.
    expect(parseCron("5/20  00-06/3 */10 2-12/5  5/2")).toBe(
      bits(0, [5, 25, 45]) |
        bits(64, [0, 3, 6]) |
        bits(96, [1, 11, 21, 31]) |
        bits(128, [2, 7, 12]) |
        bits(144, [5, 0]) |
        (1n << 161n),
    );
    expect(parseCron("0 0 * * 7")).toBe(parseCron("0 0 * * 0"));
    expect(parseCron("0 0 * * 6-7")).toBe(parseCron("0 0 * * 0,6"));
  });

  it("names the field and the byte position of each problem", () => {
    const cases: [string, number, number, RegExp][] = [
      ["", 5, 0, /empty/],
      ["0 0 * * * ".padEnd(65, "*"), 5, 64, /65 bytes, above 64/],
      [" 0 * * * *", 5, 0, /starts with a space/],
      ["0 0 * *", 5, 7, /ends after 4 of 5 fields/],
      ["0 0 * *  ", 5, 7, /ends with a space/],
      ["0 0 * * * ", 5, 9, /ends with a space/],
      ["0 0 * * *  1", 5, 9, /more than 5 fields/],
      ["60 * * * *", 0, 0, /^cron field 0 \(minute\) at position 0: 60 is above 59$/],
      ["0 24 * * *", 1, 2, /24 is above 23/],
      ["0 0 32 * *", 2, 4, /^cron field 2 \(day of month\) at position 4: 32 is above 31$/],
      ["0 0 0 * *", 2, 4, /0 is below 1/],
      ["0 0 * 13 *", 3, 6, /13 is above 12/],
      ["0 0 * 0 *", 3, 6, /0 is below 1/],
      ["0 0 * * 8", 4, 8, /8 is above 7/],
      ["5-3 * * * *", 0, 2, /range 5-3 ends below its start/],
      ["1-60 * * * *", 0, 2, /60 is above 59/],
      ["*/0 * * * *", 0, 2, /step 0 is below 1/],
      ["*/60 * * * *", 0, 2, /step 60 is above 59/],
      ["0 0 */31 * *", 2, 6, /step 31 is above 30/],
      ["0 0 * * */8", 4, 10, /step 8 is above 7/],
      ["005 * * * *", 0, 2, /at most 2 digits/],
      ["+5 * * * *", 0, 0, /expected a number, found "\+"/],
      ["-5 * * * *", 0, 0, /expected a number, found "-"/],
      ["5- * * * *", 0, 2, /expected a number, found a space/],
      ["0 0 * * 1-", 4, 10, /expected a number, found the end/],
      ["0 0 ,1 * *", 2, 4, /expected a number, found ","/],
      ["0 0 1,,2 * *", 2, 6, /expected a number/],
      ["*5 * * * *", 0, 1, /expected ",", a space or the end, found "5"/],
      ["0\t0 * * * *", 0, 1, /found byte 0x09/],
      ["0 0 * JAN *", 3, 6, /found "J"/],
      ["0 0 L * *", 2, 4, /found "L"/],
      ["0 0 ? * MON", 2, 4, /found "\?"/],
      ["0 0 * * 1#2", 4, 9, /found "#"/],
      ["0 0 1-5-7 * *", 2, 7, /found "-"/],
      ["0 0 * * é", 4, 8, /found byte 0xc3/],
    ];
    for (const [expr, field, position, message] of cases) {
      const e = rejection(expr);
      expect({ expr, code: e.code, field: e.field, position: e.position }).toEqual({
        expr,
        code: "CronInvalid",
        field,
        position,
      });
      expect(e.message).toMatch(message);
    }
  });

  it("rejects schedules that can never fire, and only those", () => {
    for (const expr of ["0 0 30 2 *", "0 0 31 2 *", "0 0 30,31 2 *", "0 0 31 4,6,9,11 *", "0 0 31 2,4,6,9,11 *"]) {
      const e = rejection(expr);
      expect(e).toMatchObject({ code: "CronNeverFires", field: 2, position: 4 });
      expect(e.message).toMatch(/never fires/);
    }
    // February 29th, a 31st in a long month, a 30th outside February, or a day of week besides.
    for (const expr of ["0 0 29 2 *", "0 0 31 4,7 *", "0 0 30 2,4 *", "0 0 30 2 1", "0 0 */30 2 *"]) {
      expect(() => parseCron(expr)).not.toThrow();
    }
  });
});

describe("cron times", () => {
  it("every quarter hour", () => {
    const s = parseCron("*/15 * * * *");
    expect(cronMatches(s, at("2026-12-05T10:45:00Z"))).toBe(true);
    expect(cronMatches(s, at("2026-12-05T10:45:00Z") + 1n)).toBe(false);
    expect(cronMatches(s, at("2026-12-05T10:46:00Z"))).toBe(false);
    expect(iso(nextCronTick(s, at("2026-12-05T10:45:00Z")))).toBe("2026-12-05T11:00");
    expect(iso(nextCronTick(s, at("2026-12-31T23:59:59Z")))).toBe("2027-01-01T00:00");
    expect(iso(latestCronTick(s, at("2026-12-05T10:44:59Z")))).toBe("2026-12-05T10:30");
    expect(iso(latestCronTick(s, at("2026-12-05T10:45:00Z")))).toBe("2026-12-05T10:45");
  });

  it("weekdays at nine", () => {
    const s = parseCron("0 9 * * 1-5");
    expect(cronMatches(s, at("2026-12-04T09:00:00Z"))).toBe(true); // Friday
    expect(cronMatches(s, at("2026-12-05T09:00:00Z"))).toBe(false); // Saturday
    expect(iso(nextCronTick(s, at("2026-12-04T09:00:00Z")))).toBe("2026-12-07T09:00");
    expect(iso(latestCronTick(s, at("2026-12-07T08:59:59Z")))).toBe("2026-12-04T09:00");
    expect(nextCronTick(s, at("2026-12-04T09:00:00Z"), at("2026-12-07T08:59:00Z"))).toBeNull();
    expect(latestCronTick(s, at("2026-12-07T08:59:59Z"), at("2026-12-04T09:00:00Z"))).toBeNull();
    expect(iso(latestCronTick(s, at("2026-12-07T08:59:59Z"), at("2026-12-04T08:59:59Z")))).toBe("2026-12-04T09:00");
  });

  it("February 29th fires in leap years only, skipping 2100", () => {
    const s = parseCron("0 0 29 2 *");
    expect(iso(nextCronTick(s, at("2025-01-01T00:00:00Z")))).toBe("2028-02-29T00:00");
    expect(iso(nextCronTick(s, at("2096-02-29T00:00:00Z")))).toBe("2104-02-29T00:00");
    expect(iso(latestCronTick(s, at("2103-12-31T00:00:00Z")))).toBe("2096-02-29T00:00");
    expect(iso(nextCronTick(s, at("1999-03-01T00:00:00Z")))).toBe("2000-02-29T00:00");
    expect(nextCronTick(s, at("2025-01-01T00:00:00Z"), at("2028-02-28T23:59:00Z"))).toBeNull();
  });

  it("a restricted day of month and day of week match either (Vixie cron)", () => {
    const s = parseCron("0 0 1,15 * 0");
    expect(cronMatches(s, at("2026-12-01T00:00:00Z"))).toBe(true); // Tuesday the 1st
    expect(cronMatches(s, at("2026-12-06T00:00:00Z"))).toBe(true); // Sunday the 6th
    expect(cronMatches(s, at("2026-12-07T00:00:00Z"))).toBe(false);
    expect(iso(nextCronTick(s, at("2026-12-01T00:00:00Z")))).toBe("2026-12-06T00:00");
    expect(iso(nextCronTick(s, at("2026-12-13T00:00:00Z")))).toBe("2026-12-15T00:00");
    // With `*` in the day of week, both must match: only the 1st and 15th.
    const both = parseCron("0 0 1,15 * */1");
    expect(cronMatches(both, at("2026-12-06T00:00:00Z"))).toBe(false);
  });

  it("follows months of different lengths and the epoch's first day", () => {
    const s = parseCron("59 23 31 * *");
    expect(iso(nextCronTick(s, at("2026-04-01T00:00:00Z")))).toBe("2026-05-31T23:59");
    expect(iso(latestCronTick(s, at("2026-07-30T00:00:00Z")))).toBe("2026-05-31T23:59");
    const epoch = parseCron("0 0 1 1 4"); // 1970-01-01 was a Thursday
    expect(cronMatches(epoch, 0)).toBe(true);
    expect(latestCronTick(epoch, 59)).toBe(0n);
    expect(latestCronTick(epoch, 59, 0)).toBeNull();
  });

  it("refuses times that are not uint256 values", () => {
    const s = parseCron("* * * * *");
    expect(() => cronMatches(s, -60)).toThrow(RangeError);
    expect(() => cronMatches(s, 1.5)).toThrow(RangeError);
    expect(() => nextCronTick(s, 0n, 1n << 256n)).toThrow(RangeError);
    // The last whole minute a uint256 holds is 2^256 - 16; nothing comes after it.
    expect(nextCronTick(s, (1n << 256n) - 61n)).toBe((1n << 256n) - 16n);
    expect(nextCronTick(s, (1n << 256n) - 16n)).toBeNull();
  });
});

// An independent reference: fields split with a regular expression, days from JavaScript's Date, the
// next and latest ticks found minute by minute. The generated expressions are valid by construction.
describe("cron against a straightforward reference", () => {
  const BOUNDS = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 7],
  ] as const;

  function referenceParse(expr: string): bigint {
    const fields = expr.split(/ +/);
    let spec = 0n;
    fields.forEach((text, f) => {
      const [min, max] = BOUNDS[f]!;
      for (const item of text.split(",")) {
        const m = /^(?:(\*)|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item)!;
        const lo = m[1] ? min : Number(m[2]);
        const hi = m[1] || (m[4] && !m[3]) ? max : Number(m[3] ?? m[2]);
        for (let v = lo; v <= hi; v += Number(m[4] ?? 1)) {
          spec |= 1n << BigInt([0, 64, 96, 128, 144][f]! + (f === 4 ? v % 7 : v));
        }
      }
      if (f === 2 && !text.startsWith("*")) spec |= 1n << 160n;
      if (f === 4 && !text.startsWith("*")) spec |= 1n << 161n;
    });
    return spec;
  }

  function referenceMatches(spec: bigint, t: number): boolean {
    const on = (i: number) => ((spec >> BigInt(i)) & 1n) === 1n;
    if (t % 60 !== 0) return false;
    const d = new Date(t * 1000);
    if (!on(d.getUTCMinutes()) || !on(64 + d.getUTCHours()) || !on(128 + d.getUTCMonth() + 1)) return false;
    const dom = on(96 + d.getUTCDate());
    const dow = on(144 + d.getUTCDay());
    return on(160) && on(161) ? dom || dow : dom && dow;
  }

  // A small deterministic generator (no seed to chase: the same cases every run).
  let state = 0x2545f491;
  const rand = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  function item(f: number): string {
    const [min, max] = BOUNDS[f]!;
    const v = () => min + rand(max - min + 1);
    const step = () => 1 + rand(Math.min(max - min, 12));
    const [a, b] = [v(), v()].sort((x, y) => x - y) as [number, number];
    return [`*`, `*/${step()}`, `${a}`, `${a}-${b}`, `${a}-${b}/${step()}`, `${a}/${step()}`][rand(6)]!;
  }
  function expression(): string {
    // Dense fields often enough that minute-by-minute scans over two days find ticks.
    const field = (f: number) => (rand(3) === 0 ? "*" : Array.from({ length: 1 + rand(3) }, () => item(f)).join(","));
    for (;;) {
      const expr = [0, 1, 2, 3, 4].map(field).join(" ".repeat(1 + rand(2)));
      if (expr.length <= 64) return expr;
    }
  }

  it("gives the same spec, matches, next and latest ticks", () => {
    let checked = 0;
    for (let i = 0; i < 300; i++) {
      const expr = expression();
      let spec: bigint;
      try {
        spec = parseCron(expr);
      } catch (error) {
        expect(error).toMatchObject({ code: "CronNeverFires" });
        continue;
      }
      expect(spec, expr).toBe(referenceParse(expr));

      // Any minute from 1970 to 2399, with days near month ends more likely.
      const year = 1970 + rand(430);
      const day = [1, 28, 29, 30, 31][rand(5)]! + (rand(2) ? 0 : rand(28));
      const start = Date.UTC(year, rand(12), day, rand(24), rand(60), rand(4) === 0 ? rand(60) : 0) / 1000;
      for (let t = start; t < start + 600; t += 60) {
        expect(cronMatches(spec, t), `${expr} at ${t}`).toBe(referenceMatches(spec, t));
      }

      const limit = start + 2 * 86_400;
      let next: number | null = null;
      for (let t = start - (start % 60) + 60; t <= limit; t += 60) {
        if (referenceMatches(spec, t)) {
          next = t;
          break;
        }
      }
      expect(nextCronTick(spec, start, limit), `${expr} after ${start}`).toBe(next === null ? null : BigInt(next));
      let latest: number | null = null;
      for (let t = limit - (limit % 60); t > start; t -= 60) {
        if (referenceMatches(spec, t)) {
          latest = t;
          break;
        }
      }
      expect(latestCronTick(spec, limit, start), `${expr} before ${limit}`).toBe(
        latest === null ? null : BigInt(latest),
      );
      checked++;
    }
    expect(checked).toBeGreaterThan(250);
  });
});
