// Five-field UTC cron schedules with exactly the semantics of `contracts/automation/libraries/Cron.sol`:
// the same grammar, the same packed spec, the same errors (field and byte position), the same
// matching and the same "next matching minute". The library's NatSpec is the reference; the
// contract tests (test/automation/Cron.test.ts) compare both sides on random expressions and times.
//
// This file imports nothing: the contract tests load it through ts-node as CommonJS (see the root
// tsconfig's `ts-node.moduleTypes`), which cannot load the rest of the (ESM) sdk. For that reason
// `CronError` extends `Error` and not `BatonError`.

/** Longest accepted expression, in bytes of UTF-8 (`Cron.MAX_LENGTH`). */
export const CRON_MAX_LENGTH = 64;

/** `CronError.field` of problems of the expression as a whole (its length or number of fields). */
export const CRON_WHOLE_EXPRESSION = 5;

/** Names of the fields by index, as `CronError` messages give them (5 is the whole expression). */
export const CRON_FIELD_NAMES = ["minute", "hour", "day of month", "month", "day of week", "expression"] as const;

/**
 * How far `nextCronTick` and `latestCronTick` search when not told: one 400-year Gregorian cycle
 * (146,097 days, a whole number of weeks), after which the calendar repeats; every expression
 * `parseCron` accepts fires within any such span.
 */
export const CRON_DEFAULT_SEARCH_SECONDS = 146_097n * 86_400n;

/**
 * An expression `parseCron` (and `Cron.parse`) rejects. `code` names the contract's error:
 * `CronInvalid(field, position)` carries the same `field` and `position`; `CronNeverFires()` carries
 * none, and here `field` is 2 (day of month) and `position` the offset of that field.
 */
export class CronError extends Error {
  override name = "CronError";
  /** The contract's error name. */
  readonly code: "CronInvalid" | "CronNeverFires";
  /** 0 minute, 1 hour, 2 day of month, 3 month, 4 day of week, 5 the expression as a whole. */
  readonly field: number;
  /** Byte offset (UTF-8) of the problem in the expression. */
  readonly position: number;
  /** What is wrong, without the field and position. */
  readonly reason: string;
  constructor(code: "CronInvalid" | "CronNeverFires", field: number, position: number, reason: string) {
    super(
      field === CRON_WHOLE_EXPRESSION
        ? `cron expression at position ${position}: ${reason}`
        : `cron field ${field} (${CRON_FIELD_NAMES[field]}) at position ${position}: ${reason}`,
    );
    this.code = code;
    this.field = field;
    this.position = position;
    this.reason = reason;
  }
}

const MAX_UINT256 = (1n << 256n) - 1n;
const DAY = 86_400n;
const MINUTE_MASK = (1n << 60n) - 1n;
const HOUR_MASK = (1n << 24n) - 1n;
const HOUR_OFFSET = 64n;
const DOM_OFFSET = 96n;
const MONTH_OFFSET = 128n;
const DOW_OFFSET = 144n;
const DOM_RESTRICTED_BIT = 160n;
const DOW_RESTRICTED_BIT = 161n;
const LONG_MONTHS = 0x15aan; // 1, 3, 5, 7, 8, 10, 12
const NOT_FEBRUARY = 0x1ffan;
const DAYS_1_TO_29 = ((1n << 30n) - 1n) ^ 1n;

const FIELDS = [
  { min: 0, max: 59, offset: 0n },
  { min: 0, max: 23, offset: HOUR_OFFSET },
  { min: 1, max: 31, offset: DOM_OFFSET },
  { min: 1, max: 12, offset: MONTH_OFFSET },
  { min: 0, max: 7, offset: DOW_OFFSET },
] as const;

const END = -1;
const SPACE = 0x20;
const STAR = 0x2a;
const COMMA = 0x2c;
const DASH = 0x2d;
const SLASH = 0x2f;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** A byte (or the end) as an error message shows it. */
function describe(c: number): string {
  if (c === END) return "the end";
  if (c === SPACE) return "a space";
  if (c > SPACE && c < 0x7f) return JSON.stringify(String.fromCharCode(c));
  return `byte 0x${c.toString(16).padStart(2, "0")}`;
}

/**
 * Parses a five-field cron expression (UTC) into the packed spec `Cron.parse` returns.
 *
 * Grammar: 1 to 64 bytes; five fields (minute 0-59, hour 0-23, day of month 1-31, month 1-12, day of
 * week 0-7 with 0 and 7 Sunday) separated by one or more spaces, none before the first or after the
 * last; each field a comma list of `*`, `*\/n`, `a`, `a-b`, `a-b/n`, `a/n` (a to the field's maximum);
 * numbers of one or two decimal digits; steps from 1 to the field's maximum minus its minimum.
 * When both day fields are restricted (do not start with `*`), a day matches if either matches.
 *
 * Packed spec: bit m minute, bit 64+h hour, bit 96+d day of month, bit 128+m month, bit 144+w day of
 * week (0 Sunday), bit 160 day of month restricted, bit 161 day of week restricted.
 *
 * @throws CronError for exactly the expressions the contract rejects, with its field and position.
 */
export function parseCron(expr: string): bigint {
  const b = new TextEncoder().encode(expr);
  const len = b.length;
  const at = (pos: number): number => (pos < len ? b[pos]! : END);
  const fail = (field: number, position: number, reason: string): never => {
    throw new CronError("CronInvalid", field, position, reason);
  };

  const number = (pos: number, field: number): [number, number] => {
    const c = at(pos);
    if (!isDigit(c)) fail(field, pos, `expected a number, found ${describe(c)}`);
    let value = c - 0x30;
    if (isDigit(at(pos + 1))) {
      value = value * 10 + at(pos + 1) - 0x30;
      pos += 1;
      if (isDigit(at(pos + 1))) fail(field, pos + 1, "a number has at most 2 digits");
    }
    return [value, pos + 1];
  };
  const step = (pos: number, field: number, span: number): [number, number] => {
    const [n, end] = number(pos, field);
    if (n === 0) fail(field, pos, "step 0 is below 1");
    if (n > span) fail(field, pos, `step ${n} is above ${span}`);
    return [n, end];
  };
  const parseField = (pos: number, field: number): [bigint, number] => {
    const { min, max } = FIELDS[field]!;
    let bits = 0n;
    for (;;) {
      let lo: number;
      let hi: number;
      let by = 1;
      if (at(pos) === STAR) {
        [lo, hi] = [min, max];
        pos += 1;
        if (at(pos) === SLASH) [by, pos] = step(pos + 1, field, max - min);
      } else {
        const first = pos;
        [lo, pos] = number(pos, field);
        if (lo < min) fail(field, first, `${lo} is below ${min}`);
        if (lo > max) fail(field, first, `${lo} is above ${max}`);
        hi = lo;
        if (at(pos) === DASH) {
          const second = pos + 1;
          [hi, pos] = number(second, field);
          if (hi > max) fail(field, second, `${hi} is above ${max}`);
          if (hi < lo) fail(field, second, `the range ${lo}-${hi} ends below its start`);
          if (at(pos) === SLASH) [by, pos] = step(pos + 1, field, max - min);
        } else if (at(pos) === SLASH) {
          hi = max;
          [by, pos] = step(pos + 1, field, max - min);
        }
      }
      for (let v = lo; v <= hi; v += by) bits |= 1n << BigInt(v);
      const c = at(pos);
      if (c !== COMMA) {
        if (c !== SPACE && c !== END) fail(field, pos, `expected ",", a space or the end, found ${describe(c)}`);
        return [bits, pos];
      }
      pos += 1;
    }
  };

  if (len === 0) fail(CRON_WHOLE_EXPRESSION, 0, "the expression is empty");
  if (len > CRON_MAX_LENGTH) {
    fail(CRON_WHOLE_EXPRESSION, CRON_MAX_LENGTH, `the expression is ${len} bytes, above ${CRON_MAX_LENGTH}`);
  }
  if (at(0) === SPACE) fail(CRON_WHOLE_EXPRESSION, 0, "the expression starts with a space");

  let spec = 0n;
  let pos = 0;
  let domStart = 0;
  for (let field = 0; ; field++) {
    const start = pos;
    let bits: bigint;
    [bits, pos] = parseField(pos, field);
    if (field === 4) bits = (bits | (bits >> 7n)) & 0x7fn; // 7 is Sunday, like 0
    spec |= bits << FIELDS[field]!.offset;
    if (field === 2) domStart = start;
    if (at(start) !== STAR) {
      if (field === 2) spec |= 1n << DOM_RESTRICTED_BIT;
      else if (field === 4) spec |= 1n << DOW_RESTRICTED_BIT;
    }
    if (field === 4) break;
    if (pos === len) fail(CRON_WHOLE_EXPRESSION, len, `the expression ends after ${field + 1} of 5 fields`);
    const run = pos;
    while (at(pos) === SPACE) pos += 1;
    if (pos === len) fail(CRON_WHOLE_EXPRESSION, run, "the expression ends with a space");
  }
  if (pos !== len) {
    let rest = pos;
    while (at(rest) === SPACE) rest += 1;
    fail(
      CRON_WHOLE_EXPRESSION,
      pos,
      rest === len ? "the expression ends with a space" : "the expression has more than 5 fields",
    );
  }

  if (((spec >> DOM_RESTRICTED_BIT) & 3n) === 1n) {
    const days = spec >> DOM_OFFSET;
    const months = spec >> MONTH_OFFSET;
    const fires =
      (days & DAYS_1_TO_29) !== 0n ||
      ((days & (1n << 30n)) !== 0n && (months & NOT_FEBRUARY) !== 0n) ||
      ((days & (1n << 31n)) !== 0n && (months & LONG_MONTHS) !== 0n);
    if (!fires) {
      throw new CronError(
        "CronNeverFires",
        2,
        domStart,
        "no chosen month has any of these days (February counts 29), so the schedule never fires",
      );
    }
  }
  return spec;
}

/** A time or spec argument as a uint256, or a RangeError. */
function toUint256(value: number | bigint, name: string): bigint {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`${name} must be a whole number ≥ 0, got ${value}`);
    return BigInt(value);
  }
  if (value < 0n || value > MAX_UINT256) throw new RangeError(`${name} must fit a uint256, got ${value}`);
  return value;
}

/** Civil date of a day counted from 1970-01-01 (proleptic Gregorian). */
function civil(day: bigint): { year: bigint; month: bigint; dom: bigint } {
  const z = day + 719_468n;
  const era = z / 146_097n;
  const doe = z - era * 146_097n;
  const yoe = (doe - doe / 1460n + doe / 36_524n - doe / 146_096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const dom = doy - (153n * mp + 2n) / 5n + 1n;
  const month = mp < 10n ? mp + 3n : mp - 9n;
  return { year: yoe + era * 400n + (month <= 2n ? 1n : 0n), month, dom };
}

function monthLength(year: bigint, month: bigint): bigint {
  if (month !== 2n) return 30n + ((LONG_MONTHS >> month) & 1n);
  return year % 4n === 0n && (year % 100n !== 0n || year % 400n === 0n) ? 29n : 28n;
}

const bit = (spec: bigint, index: bigint) => ((spec >> index) & 1n) !== 0n;

function dayMatches(spec: bigint, dom: bigint, dow: bigint): boolean {
  const domMatches = bit(spec, DOM_OFFSET + dom);
  const dowMatches = bit(spec, DOW_OFFSET + dow);
  if (((spec >> DOM_RESTRICTED_BIT) & 3n) === 3n) return domMatches || dowMatches;
  return domMatches && dowMatches;
}

const lowestBit = (x: bigint) => BigInt((x & -x).toString(2).length - 1);
const highestBit = (x: bigint) => BigInt(x.toString(2).length - 1);

/** Whether `t` (unix seconds, UTC) is a whole minute that `spec` matches, as `Cron.matches`. */
export function cronMatches(spec: bigint, t: number | bigint): boolean {
  spec = toUint256(spec, "spec");
  const time = toUint256(t, "t");
  if (time % 60n !== 0n) return false;
  const m = time / 60n;
  if (!bit(spec, m % 60n)) return false;
  const h = m / 60n;
  if (!bit(spec, HOUR_OFFSET + (h % 24n))) return false;
  const day = h / 24n;
  const { month, dom } = civil(day);
  if (!bit(spec, MONTH_OFFSET + month)) return false;
  return dayMatches(spec, dom, (day + 4n) % 7n);
}

/**
 * The first whole minute after `after` that `spec` matches, if it is no later than `limit`; null
 * otherwise. Equals `Cron.nextAfter(spec, after, limit)`, with null for its 0. Without `limit`, the
 * search covers `CRON_DEFAULT_SEARCH_SECONDS` (400 years), enough for any parsed expression.
 */
export function nextCronTick(spec: bigint, after: number | bigint, limit?: number | bigint): bigint | null {
  spec = toUint256(spec, "spec");
  const t = toUint256(after, "after");
  let lim = limit === undefined ? t + CRON_DEFAULT_SEARCH_SECONDS : toUint256(limit, "limit");
  if (lim > MAX_UINT256) lim = MAX_UINT256;

  if (t >= lim) return null;
  const c = t + 60n - (t % 60n);
  if (c > lim) return null;
  const minutes = spec & MINUTE_MASK;
  const hours = (spec >> HOUR_OFFSET) & HOUR_MASK;
  if (minutes === 0n || hours === 0n) return null;

  let day = c / DAY;
  const lastDay = lim / DAY;
  let hour = (c % DAY) / 3600n;
  let minute = (c % 3600n) / 60n;
  let { year, month, dom } = civil(day);
  let dow = (day + 4n) % 7n;
  const nextMonth = () => {
    if (month === 12n) [year, month] = [year + 1n, 1n];
    else month += 1n;
  };
  for (;;) {
    const length = monthLength(year, month);
    if (!bit(spec, MONTH_OFFSET + month)) {
      const skip = length - dom + 1n; // to the first of the next month
      if (skip > lastDay - day) return null;
      day += skip;
      dow = (dow + skip) % 7n;
      dom = 1n;
      nextMonth();
      hour = 0n;
      minute = 0n;
      continue;
    }
    if (dayMatches(spec, dom, dow)) {
      let offset: bigint | null = null;
      const later = minutes >> minute;
      if (bit(hours, hour) && later !== 0n) offset = hour * 3600n + (minute + lowestBit(later)) * 60n;
      else if (hours >> (hour + 1n) !== 0n) {
        offset = (hour + 1n + lowestBit(hours >> (hour + 1n))) * 3600n + lowestBit(minutes) * 60n;
      }
      if (offset !== null) {
        const tick = day * DAY + offset;
        return tick > lim ? null : tick;
      }
    }
    if (day === lastDay) return null;
    day += 1n;
    dow = (dow + 1n) % 7n;
    hour = 0n;
    minute = 0n;
    if (dom === length) {
      dom = 1n;
      nextMonth();
    } else dom += 1n;
  }
}

/**
 * The latest whole minute at or before `now` that `spec` matches and that is later than `after`;
 * null if there is none. This is the one tick a keeper performs: on chain, `tick` is the latest due
 * at `block.timestamp` iff `Cron.matches(spec, tick)` and `Cron.nextAfter(spec, tick, block.timestamp)`
 * is 0. Without `after`, the search covers `CRON_DEFAULT_SEARCH_SECONDS` (400 years) back from `now`,
 * and never before 0.
 */
export function latestCronTick(spec: bigint, now: number | bigint, after?: number | bigint): bigint | null {
  spec = toUint256(spec, "spec");
  const n = toUint256(now, "now");
  let earliest: bigint; // inclusive
  if (after === undefined) earliest = n > CRON_DEFAULT_SEARCH_SECONDS ? n - CRON_DEFAULT_SEARCH_SECONDS : 0n;
  else earliest = toUint256(after, "after") + 1n;

  const c = n - (n % 60n);
  if (c < earliest) return null;
  const minutes = spec & MINUTE_MASK;
  const hours = (spec >> HOUR_OFFSET) & HOUR_MASK;
  if (minutes === 0n || hours === 0n) return null;

  let day = c / DAY;
  const firstDay = earliest / DAY;
  let hour = (c % DAY) / 3600n;
  let minute = (c % 3600n) / 60n;
  let { year, month, dom } = civil(day);
  let dow = (day + 4n) % 7n;
  const previousMonth = () => {
    if (month === 1n) [year, month] = [year - 1n, 12n];
    else month -= 1n;
  };
  for (;;) {
    if (!bit(spec, MONTH_OFFSET + month)) {
      // to the last day of the previous month
      if (day - firstDay < dom) return null;
      day -= dom;
      dow = (dow + 7n * 5n - dom) % 7n;
      previousMonth();
      dom = monthLength(year, month);
      hour = 23n;
      minute = 59n;
      continue;
    }
    if (dayMatches(spec, dom, dow)) {
      let offset: bigint | null = null;
      const earlier = minutes & ((2n << minute) - 1n);
      if (bit(hours, hour) && earlier !== 0n) offset = hour * 3600n + highestBit(earlier) * 60n;
      else if ((hours & ((1n << hour) - 1n)) !== 0n) {
        offset = highestBit(hours & ((1n << hour) - 1n)) * 3600n + highestBit(minutes) * 60n;
      }
      if (offset !== null) {
        const tick = day * DAY + offset;
        return tick < earliest ? null : tick;
      }
    }
    if (day === firstDay) return null;
    day -= 1n;
    dow = (dow + 6n) % 7n;
    hour = 23n;
    minute = 59n;
    if (dom === 1n) {
      previousMonth();
      dom = monthLength(year, month);
    } else dom -= 1n;
  }
}
