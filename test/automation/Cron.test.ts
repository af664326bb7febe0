import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import type { CronHarness } from "../../typechain-types";
import { coverageRun } from "../helpers/coverage";
import { CronError, cronMatches, latestCronTick, nextCronTick, parseCron } from "../../sdk/src/automation/cron";

// The Solidity cron library (contracts/automation/libraries/Cron.sol) against the sdk's TypeScript
// one (sdk/src/automation/cron.ts): random valid and broken expressions must give the same packed
// spec or the same error (field and position), and random times the same `matches` and `nextAfter`.
// CRON_RUNS sets the number of random expressions (default 500), CRON_SEED replays a run.

const runs = Number(process.env.CRON_RUNS ?? 500);
const seed =
  process.env.CRON_SEED !== undefined ? Number(process.env.CRON_SEED) : Date.now() ^ (Math.random() * 2 ** 31);
const MAX_UINT256 = (1n << 256n) - 1n;
const DAY = 86_400n;
const at = (iso: string) => BigInt(Date.parse(iso) / 1000);

type Outcome = { spec: bigint } | { error: string; field?: number; position?: number };

function tsParse(expr: string): Outcome {
  try {
    return { spec: parseCron(expr) };
  } catch (error) {
    if (!(error instanceof CronError)) throw error;
    return error.code === "CronInvalid"
      ? { error: error.code, field: error.field, position: error.position }
      : { error: error.code };
  }
}

async function solParse(harness: CronHarness, expr: string): Promise<Outcome> {
  try {
    return { spec: await harness.parse(expr) };
  } catch (error) {
    const data = (error as { data?: string }).data;
    const decoded = data ? harness.interface.parseError(data) : null;
    if (!decoded) throw error;
    return decoded.name === "CronInvalid"
      ? { error: decoded.name, field: Number(decoded.args[0]), position: Number(decoded.args[1]) }
      : { error: decoded.name };
  }
}

// ---- Expressions: items from the grammar, mostly in range, then a few byte-level mutations ----

const BOUNDS = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
] as const;

/** A number as text: usually plain; when sloppy, sometimes with a leading zero or a third digit. */
const numberText = (value: fc.Arbitrary<number>, sloppy: boolean) =>
  fc
    .tuple(value, fc.constantFrom("plain", "plain", "plain", "plain", "plain", "zero", sloppy ? "long" : "plain"))
    .map(([v, style]) =>
      style === "zero" && v < 10 ? `0${v}` : style === "long" ? `0${String(v).padStart(2, "0")}` : `${v}`,
    );

/** An item of the grammar; when sloppy, values and steps are sometimes out of range. */
function itemArb(field: number, sloppy: boolean): fc.Arbitrary<string> {
  const [min, max] = BOUNDS[field]!;
  const value = fc.oneof(
    { weight: 12, arbitrary: fc.integer({ min, max }) },
    { weight: sloppy ? 1 : 0, arbitrary: fc.constantFrom(min - 1 < 0 ? max + 1 : min - 1, max + 1, 99) },
  );
  const step = fc.oneof(
    { weight: 12, arbitrary: fc.integer({ min: 1, max: max - min }) },
    { weight: sloppy ? 1 : 0, arbitrary: fc.constantFrom(0, max - min + 1, 99) },
  );
  const num = (v: fc.Arbitrary<number>) => numberText(v, sloppy);
  const range = fc
    .tuple(value, value)
    .chain(([a, b]) => fc.tuple(num(fc.constant(Math.min(a, b))), num(fc.constant(Math.max(a, b)))));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant("*") },
    { weight: 2, arbitrary: num(step).map((n) => `*/${n}`) },
    { weight: 4, arbitrary: num(value) },
    { weight: 3, arbitrary: range.map(([a, b]) => `${a}-${b}`) },
    { weight: sloppy ? 1 : 0, arbitrary: fc.tuple(num(value), num(value)).map(([a, b]) => `${a}-${b}`) },
    { weight: 2, arbitrary: fc.tuple(range, num(step)).map(([[a, b], n]) => `${a}-${b}/${n}`) },
    { weight: 2, arbitrary: fc.tuple(num(value), num(step)).map(([a, n]) => `${a}/${n}`) },
  );
}

const fieldArb = (field: number, sloppy: boolean) =>
  fc.array(itemArb(field, sloppy), { minLength: 1, maxLength: 3 }).map((items) => items.join(","));

const fieldsArb = (sloppy: boolean) =>
  fc
    .tuple(
      fc.tuple(...[0, 1, 2, 3, 4].map((f) => fieldArb(f, sloppy))),
      fc.array(fc.constantFrom(" ", " ", " ", "  "), { minLength: 4, maxLength: 4 }),
    )
    .map(([fields, gaps]) => fields.reduce((acc, f, i) => (i === 0 ? f : acc + gaps[i - 1] + f), ""));

/** Late days of month in a few months, with `*` as day of week: where `CronNeverFires` lives. */
const lateDaysArb = fc
  .tuple(
    fc.constantFrom("29", "30", "31", "30,31", "31,30", "28-31/2", "30-31"),
    fc.oneof(
      fc.subarray([2, 4, 6, 9, 11], { minLength: 1, maxLength: 3 }),
      fc.subarray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], { minLength: 1, maxLength: 3 }),
    ),
    fc.constantFrom("*", "*", "*/2", "1"),
  )
  .map(([days, months, dow]) => `0 12 ${days} ${months.join(",")} ${dow}`);

const CHARS = ["0", "1", "5", "9", "*", "/", "-", ",", " ", " ", "\t", "L", "#", "?", "+", "é", "x"];
const mutationArb = fc.record({
  kind: fc.constantFrom("insert", "delete", "replace", "lead", "trail", "field", "drop", "long"),
  where: fc.nat(),
  char: fc.constantFrom(...CHARS),
});

function mutate(expr: string, m: { kind: string; where: number; char: string }): string {
  const i = expr.length === 0 ? 0 : m.where % (expr.length + 1);
  switch (m.kind) {
    case "insert":
      return expr.slice(0, i) + m.char + expr.slice(i);
    case "delete":
      return expr.slice(0, i) + expr.slice(i + 1);
    case "replace":
      return expr.slice(0, i) + m.char + expr.slice(i + 1);
    case "lead":
      return ` ${expr}`;
    case "trail":
      return `${expr} `;
    case "field":
      return `${expr} ${m.where % 60}`;
    case "drop":
      return expr.replace(/ +\S+$/, "");
    default:
      return expr + ",1".repeat(1 + (m.where % 40));
  }
}

const exprArb = fc.oneof(
  { weight: 4, arbitrary: fieldsArb(false) },
  { weight: 2, arbitrary: fieldsArb(true) },
  { weight: 2, arbitrary: lateDaysArb },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fieldsArb(false), fc.array(mutationArb, { minLength: 1, maxLength: 2 }))
      .map(([expr, mutations]) => mutations.reduce(mutate, expr)),
  },
);

// ---- Times: a calendar day (month ends, February 29th, 2100 …), a chosen hour and minute ----

const yearArb = fc.oneof(
  fc.constantFrom(1970, 2000, 2023, 2024, 2096, 2100, 2104, 2400),
  fc.integer({ min: 1970, max: 2600 }),
  fc.integer({ min: 1970, max: 200_000 }),
);

/** The `k`-th set bit of `mask` (cyclically), or `fallback` when `mask` is empty. */
function pickBit(mask: bigint, k: number, fallback: number): number {
  const set: number[] = [];
  for (let i = 0; mask >> BigInt(i) !== 0n; i++) if ((mask >> BigInt(i)) & 1n) set.push(i);
  return set.length ? set[k % set.length]! : fallback;
}

const timeArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      year: yearArb,
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.oneof(fc.constantFrom(1, 28, 29, 30, 31, 32), fc.integer({ min: 1, max: 31 })),
      hour: fc.nat(),
      minute: fc.nat(),
      chosen: fc.boolean(),
      second: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 59 })),
    }),
  },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: MAX_UINT256 }) },
);

function toTime(
  spec: bigint,
  t:
    | bigint
    | { year: number; month: number; day: number; hour: number; minute: number; chosen: boolean; second: number },
): bigint {
  if (typeof t === "bigint") return t;
  const hour = t.chosen ? pickBit((spec >> 64n) & 0xffffffn, t.hour, 0) : t.hour % 24;
  const minute = t.chosen ? pickBit(spec & ((1n << 60n) - 1n), t.minute, 0) : t.minute % 60;
  // Date.UTC rolls a day past the month's end into the next month, which is fine.
  return BigInt(Date.UTC(t.year, t.month - 1, t.day, hour, minute, t.second) / 1000);
}

const spanArb = fc.oneof(
  fc.constantFrom(0n, 1n, 59n, 60n, 61n, 3600n, DAY, 31n * DAY),
  fc.bigInt({ min: 0n, max: 800n * DAY }),
);

describe("Cron library: Solidity and TypeScript agree", function () {
  let harness: CronHarness;

  before(async function () {
    harness = await ethers.deployContract("CronHarness");
  });

  it("on known schedules", async function () {
    const cases = ["*/15 * * * *", "0 9 * * 1-5", "0 0 29 2 *", "0 0 1,15 * 0"];
    for (const expr of cases) expect(await harness.parse(expr)).to.equal(parseCron(expr));

    const quarter = await harness.parse("*/15 * * * *");
    expect(await harness.matches(quarter, at("2026-12-05T10:45:00Z"))).to.equal(true);
    expect(await harness.matches(quarter, at("2026-12-05T10:45:00Z") + 1n)).to.equal(false);
    expect(await harness.nextAfter(quarter, at("2026-12-31T23:59:00Z"), MAX_UINT256)).to.equal(
      at("2027-01-01T00:00:00Z"),
    );

    const weekdays = await harness.parse("0 9 * * 1-5");
    expect(await harness.matches(weekdays, at("2026-12-04T09:00:00Z"))).to.equal(true); // Friday
    expect(await harness.matches(weekdays, at("2026-12-05T09:00:00Z"))).to.equal(false); // Saturday
    expect(await harness.nextAfter(weekdays, at("2026-12-04T09:00:00Z"), at("2026-12-07T09:00:00Z"))).to.equal(
      at("2026-12-07T09:00:00Z"),
    );
    expect(await harness.nextAfter(weekdays, at("2026-12-04T09:00:00Z"), at("2026-12-07T08:59:59Z"))).to.equal(0n);

    const leap = await harness.parse("0 0 29 2 *");
    expect(await harness.nextAfter(leap, at("2025-01-01T00:00:00Z"), MAX_UINT256)).to.equal(at("2028-02-29T00:00:00Z"));
    expect(await harness.nextAfter(leap, at("2096-02-29T00:00:00Z"), MAX_UINT256)).to.equal(at("2104-02-29T00:00:00Z"));
    expect(await harness.matches(leap, at("2100-03-01T00:00:00Z"))).to.equal(false);

    const either = await harness.parse("0 0 1,15 * 0");
    expect(await harness.matches(either, at("2026-12-01T00:00:00Z"))).to.equal(true); // Tuesday the 1st
    expect(await harness.matches(either, at("2026-12-06T00:00:00Z"))).to.equal(true); // a Sunday
    expect(await harness.matches(either, at("2026-12-07T00:00:00Z"))).to.equal(false);
    expect(await harness.nextAfter(either, at("2026-12-01T00:00:00Z"), MAX_UINT256)).to.equal(
      at("2026-12-06T00:00:00Z"),
    );

    await expect(harness.parse("0 0 30 2 *")).to.be.revertedWithCustomError(harness, "CronNeverFires");
    await expect(harness.parse("0 0 31 4,6,9,11 *")).to.be.revertedWithCustomError(harness, "CronNeverFires");
    await expect(harness.parse("0 0 32 * *")).to.be.revertedWithCustomError(harness, "CronInvalid").withArgs(2, 4);
    await expect(harness.parse("0 0 * * * 1")).to.be.revertedWithCustomError(harness, "CronInvalid").withArgs(5, 9);
  });

  it(`on ${runs} random expressions, and on times and limits for each`, async function () {
    this.timeout(0);
    const counts = { valid: 0, invalid: 0, neverFires: 0, matched: 0, next: 0 };
    const property = fc.asyncProperty(
      exprArb,
      fc.array(timeArb, { minLength: 6, maxLength: 6 }),
      fc.array(spanArb, { minLength: 6, maxLength: 6 }),
      async (expr, rawTimes, spans) => {
        const ts = tsParse(expr);
        const sol = await solParse(harness, expr);
        expect(sol, JSON.stringify(expr)).to.deep.equal(ts);
        if (!("spec" in ts)) {
          if (ts.error === "CronNeverFires") counts.neverFires++;
          else counts.invalid++;
          return;
        }
        counts.valid++;
        const spec = ts.spec;
        const times = rawTimes.map((t) => toTime(spec, t));

        const matched = await harness.matchesMany(spec, times);
        expect(matched, `${expr} matches`).to.deep.equal(times.map((t) => cronMatches(spec, t)));
        counts.matched += matched.filter(Boolean).length;

        // nextAfter from each time, and the latest tick before each time checked with nextAfter as
        // the chain does: the tick matches and nothing matches after it up to now.
        const starts: bigint[] = [];
        const limits: bigint[] = [];
        const expected: bigint[] = [];
        times.forEach((t, i) => {
          const limit = t + spans[i]! > MAX_UINT256 ? MAX_UINT256 : t + spans[i]!;
          starts.push(t);
          limits.push(limit);
          expected.push(nextCronTick(spec, t, limit) ?? 0n);
          const since = t > 800n * DAY ? t - 800n * DAY : 0n;
          const latest = latestCronTick(spec, t, since);
          if (latest !== null) {
            expect(cronMatches(spec, latest)).to.equal(true);
            expect(latest > since && latest <= t).to.equal(true);
          }
          starts.push(latest ?? since);
          limits.push(t);
          expected.push(0n);
        });
        const next = await harness.nextAfterMany(spec, starts, limits);
        expect(next, `${expr} nextAfter`).to.deep.equal(expected);
        counts.next += expected.filter((n) => n !== 0n).length;
        for (const n of next) if (n !== 0n) expect(await harness.matches(spec, n)).to.equal(true);
      },
    );
    const out = await fc.check(property, { numRuns: runs, seed });
    console.log(
      `      cron differential: ${runs} expressions (CRON_SEED=${seed}): ${counts.valid} valid, ` +
        `${counts.invalid} invalid, ${counts.neverFires} never fire; ${counts.matched} matching times, ${counts.next} next ticks`,
    );
    if (out.failed) {
      console.log(
        `      counterexample: ${JSON.stringify(out.counterexample, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))}`,
      );
      throw out.errorInstance;
    }
    // Both halves of the grammar were exercised.
    expect(counts.valid).to.be.greaterThan(runs / 5);
    expect(counts.invalid).to.be.greaterThan(runs / 10);
    expect(counts.neverFires).to.be.greaterThan(0);
  });

  it("on raw specs that parse never returns (any bits)", async function () {
    this.timeout(0);
    const property = fc.asyncProperty(
      fc.bigInt({ min: 0n, max: MAX_UINT256 }),
      fc.array(fc.bigInt({ min: 0n, max: 1n << 40n }), { minLength: 4, maxLength: 4 }),
      fc.array(spanArb, { minLength: 4, maxLength: 4 }),
      async (spec, times, spans) => {
        const limits = times.map((t, i) => t + spans[i]!);
        expect(await harness.matchesMany(spec, times)).to.deep.equal(times.map((t) => cronMatches(spec, t)));
        expect(await harness.nextAfterMany(spec, times, limits)).to.deep.equal(
          times.map((t, i) => nextCronTick(spec, t, limits[i]) ?? 0n),
        );
      },
    );
    await fc.assert(property, { numRuns: Math.ceil(runs / 5), seed });
  });

  it("costs little gas", async function () {
    const spec = await harness.parse("*/15 9-17 * * 1-5");
    const [matched, matchGas] = await harness.matchesGas(spec, at("2026-12-04T09:15:00Z"));
    const [, earlyGas] = await harness.matchesGas(spec, at("2026-12-04T09:16:00Z"));
    const everyMinute = await harness.parse("* * * * *");
    const [nextMinute, minuteGas] = await harness.nextAfterGas(everyMinute, at("2026-12-04T09:15:00Z"), MAX_UINT256);
    const daily = await harness.parse("0 9 * * *");
    const [nextDay, dayGas] = await harness.nextAfterGas(daily, at("2026-12-04T09:00:00Z"), MAX_UINT256);
    const [, parseGas] = await harness.parseGas("*/15 9-17 * * 1-5");
    expect(matched).to.equal(true);
    expect(nextMinute).to.equal(at("2026-12-04T09:16:00Z"));
    expect(nextDay).to.equal(at("2026-12-05T09:00:00Z"));
    console.log(
      `      gas: matches ${matchGas} (full), ${earlyGas} (minute differs); nextAfter ${minuteGas} (1 minute ahead), ` +
        `${dayGas} (1 day ahead); parse ${parseGas}`,
    );
    // Ceilings against regressions; instrumented code (npm run coverage) costs more.
    if (!coverageRun) {
      expect(matchGas).to.be.lessThan(1_000n);
      expect(minuteGas).to.be.lessThan(2_000n);
      expect(dayGas).to.be.lessThan(3_000n);
    }
  });
});
