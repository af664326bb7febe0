// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Cron
/// @notice Five-field cron schedules in UTC: parsing into one packed word, matching a time, and
/// finding the next matching minute. `sdk/src/automation/cron.ts` has the same semantics, down to
/// which inputs are rejected and with which error arguments.
///
/// Grammar. An expression is 1 to 64 bytes: exactly five fields (minute, hour, day of month, month,
/// day of week) separated by one or more ASCII spaces (0x20), with no space before the first field or
/// after the last. Other whitespace (tabs, newlines) is not a separator. A field is a comma-separated
/// list of one or more items; an item is `*`, `*/n`, `a`, `a-b`, `a-b/n` or `a/n` (`a/n` runs from
/// `a` to the field's maximum). Numbers are decimal, one or two digits (leading zeros allowed, so
/// `05` is 5); no names, signs, `?`, `L`, `W` or `#`. Ranges: minute 0-59, hour 0-23, day of month
/// 1-31, month 1-12, day of week 0-7 (0 and 7 are Sunday; `*` and `a/n` run to 7). `a-b` needs
/// `a <= b`. A step `n` is 1 to the field's maximum minus its minimum (59, 23, 30, 11, 7).
///
/// Day rule (Vixie cron). The day-of-month and day-of-week fields are "restricted" when they do not
/// start with `*`. When both are restricted, a day matches when either matches; otherwise both must.
///
/// Errors. The expression is read once, left to right, and the first problem met is reported as
/// `CronInvalid(field, position)`, with `position` a byte offset:
/// - empty expression: `(5, 0)`; longer than 64 bytes: `(5, 64)`; a space at offset 0: `(5, 0)`;
/// - a number expected (at the start of an item, after `-` or `/`) and something else found, or the
///   end: `(field, offset of that byte)` (the length at the end);
/// - a third consecutive digit: `(field, offset of that digit)`;
/// - a value outside the field's range, the end of a range below its start, or a step of 0 or above
///   the field's span: `(field, offset of that number's first digit)`;
/// - after an item, a byte other than `,`, a space or the end: `(field, offset of that byte)`;
/// - the expression ends after fewer than five fields: `(5, length)`;
/// - a run of spaces that ends the expression, or anything after the fifth field: `(5, offset of the
///   first byte after the last field read)`.
/// A well-formed expression whose day of month is restricted and day of week is not, and where no
/// chosen month has a chosen day (February counting 29), reverts with `CronNeverFires()`.
///
/// Packed spec (`uint256`): bit `m` for minute m (bits 0-59); bit `64 + h` for hour h (64-87);
/// bit `96 + d` for day of month d (97-127); bit `128 + m` for month m (129-140); bit `144 + w` for
/// day of week w, 0 = Sunday (144-150; a 7 in the expression sets bit 144); bit 160 when the day of
/// month is restricted; bit 161 when the day of week is restricted. Every other bit is zero.
///
/// Times are unix seconds, UTC, proleptic Gregorian calendar; only whole minutes match.
library Cron {
    /// @notice The expression is malformed.
    /// @param field The field (0 minute, 1 hour, 2 day of month, 3 month, 4 day of week) in which
    /// the problem lies, or 5 for the expression as a whole (its length, or its number of fields).
    /// @param position Byte offset of the problem in the expression (see the library's notes).
    error CronInvalid(uint8 field, uint256 position);

    /// @notice The expression is well formed but never fires: its day of month is restricted, its
    /// day of week is not, and no chosen month has any chosen day (February counting 29 days).
    error CronNeverFires();

    /// @dev Longest accepted expression, in bytes.
    uint256 internal constant MAX_LENGTH = 64;
    /// @dev `field` of `CronInvalid` for problems of the expression as a whole.
    uint8 internal constant WHOLE_EXPRESSION = 5;

    /// @dev Bit offset of the minutes in the packed spec.
    uint256 internal constant MINUTE_OFFSET = 0;
    /// @dev Bit offset of the hours.
    uint256 internal constant HOUR_OFFSET = 64;
    /// @dev Bit offset of the days of month (bit 96 itself is never set).
    uint256 internal constant DOM_OFFSET = 96;
    /// @dev Bit offset of the months (bit 128 itself is never set).
    uint256 internal constant MONTH_OFFSET = 128;
    /// @dev Bit offset of the days of week (0 = Sunday).
    uint256 internal constant DOW_OFFSET = 144;
    /// @dev Bit set when the day-of-month field is restricted (does not start with `*`).
    uint256 internal constant DOM_RESTRICTED_BIT = 160;
    /// @dev Bit set when the day-of-week field is restricted (does not start with `*`).
    uint256 internal constant DOW_RESTRICTED_BIT = 161;

    /// @dev The 60 minute bits.
    uint256 private constant MINUTE_MASK = (1 << 60) - 1;
    /// @dev The 24 hour bits, once shifted down by `HOUR_OFFSET`.
    uint256 private constant HOUR_MASK = (1 << 24) - 1;
    /// @dev Months of 31 days (1, 3, 5, 7, 8, 10, 12) as bits.
    uint256 private constant LONG_MONTHS = 0x15AA;
    /// @dev Months other than February as bits.
    uint256 private constant NOT_FEBRUARY = 0x1ffa;
    /// @dev Days 1 to 29 as bits: days every month has (February counting 29).
    uint256 private constant DAYS_1_TO_29 = ((1 << 30) - 1) ^ 1;

    /// @dev Per field (byte i = field i): the smallest value.
    uint256 private constant FIELD_MIN = 0x0001010000;
    /// @dev Per field (byte i = field i): the largest value.
    uint256 private constant FIELD_MAX = 0x070c1f173b;
    /// @dev Per field (byte i = field i): the bit offset in the packed spec.
    uint256 private constant FIELD_OFFSET = 0x9080604000;

    /// @dev `_char`'s answer past the end of the expression.
    uint256 private constant END = 0x100;
    /// @dev ASCII space.
    uint256 private constant SPACE = 0x20;
    /// @dev ASCII `*`.
    uint256 private constant STAR = 0x2a;
    /// @dev ASCII `,`.
    uint256 private constant COMMA = 0x2c;
    /// @dev ASCII `-`.
    uint256 private constant DASH = 0x2d;
    /// @dev ASCII `/`.
    uint256 private constant SLASH = 0x2f;
    /// @dev ASCII `0`.
    uint256 private constant DIGIT_0 = 0x30;
    /// @dev ASCII `9`.
    uint256 private constant DIGIT_9 = 0x39;

    /// @dev Seconds in a day.
    uint256 private constant DAY = 86400;
    /// @dev `_firstTimeOfDay`'s answer when no time is left in the day.
    uint256 private constant NONE = type(uint256).max;

    /// @notice Parses a five-field cron expression into a packed spec.
    /// @dev Reverts with `CronInvalid` or `CronNeverFires` as the library's notes describe.
    /// @param expr The expression, e.g. `"*/15 9-17 * * 1-5"`.
    /// @return spec The packed spec (layout in the library's notes).
    function parse(string memory expr) internal pure returns (uint256 spec) {
        bytes memory b = bytes(expr);
        uint256 len = b.length;
        if (len == 0) revert CronInvalid(WHOLE_EXPRESSION, 0);
        if (len > MAX_LENGTH) revert CronInvalid(WHOLE_EXPRESSION, MAX_LENGTH);
        if (_char(b, 0) == SPACE) revert CronInvalid(WHOLE_EXPRESSION, 0);

        uint256 pos;
        for (uint256 field; ; ++field) {
            uint256 start = pos;
            uint256 bits;
            (bits, pos) = _field(b, pos, field);
            if (field == 4) bits = (bits | (bits >> 7)) & 0x7f; // 7 is Sunday, like 0
            spec |= bits << ((FIELD_OFFSET >> (field * 8)) & 0xff);
            if (_char(b, start) != STAR) {
                if (field == 2) spec |= 1 << DOM_RESTRICTED_BIT;
                else if (field == 4) spec |= 1 << DOW_RESTRICTED_BIT;
            }
            if (field == 4) break;
            // `_field` stopped at a space or at the end.
            if (pos == len) revert CronInvalid(WHOLE_EXPRESSION, len);
            uint256 run = pos;
            while (_char(b, pos) == SPACE) ++pos;
            if (pos == len) revert CronInvalid(WHOLE_EXPRESSION, run);
        }
        if (pos != len) revert CronInvalid(WHOLE_EXPRESSION, pos);

        if ((spec >> DOM_RESTRICTED_BIT) & 3 == 1) {
            uint256 days_ = spec >> DOM_OFFSET;
            uint256 months = spec >> MONTH_OFFSET;
            bool fires =
                days_ & DAYS_1_TO_29 != 0 || // every month has days 1 to 29
                    (days_ & (1 << 30) != 0 && months & NOT_FEBRUARY != 0) ||
                    (days_ & (1 << 31) != 0 && months & LONG_MONTHS != 0);
            if (!fires) revert CronNeverFires();
        }
    }

    /// @notice Whether a time matches a spec: a whole minute whose minute, hour, month and day match.
    /// @param spec A packed spec (as `parse` returns).
    /// @param t A unix time in seconds.
    /// @return result True when `t` is a multiple of 60 and matches.
    function matches(uint256 spec, uint256 t) internal pure returns (bool result) {
        // `_civil` (without the year) and `_dayMatches` inlined in assembly: the hot path of on-chain checks.
        assembly ("memory-safe") {
            // A whole minute, its minute chosen, its hour chosen …
            if iszero(mod(t, 60)) {
                let m := div(t, 60)
                if and(shr(mod(m, 60), spec), 1) {
                    if and(shr(add(64, mod(div(m, 60), 24)), spec), 1) {
                        // … then the civil date as in `_civil`: its month chosen, and the day rule.
                        let day := div(t, 86400)
                        let doe := mod(add(day, 719468), 146097)
                        let yoe := div(sub(add(sub(doe, div(doe, 1460)), div(doe, 36524)), div(doe, 146096)), 365)
                        let doy := sub(doe, sub(add(mul(365, yoe), shr(2, yoe)), div(yoe, 100)))
                        let mp := div(add(mul(5, doy), 2), 153)
                        let month := add(mp, 3)
                        if gt(month, 12) {
                            month := sub(month, 12)
                        }
                        if and(shr(add(128, month), spec), 1) {
                            let dom0 := sub(doy, div(add(mul(153, mp), 2), 5)) // day of month - 1
                            let domMatches := and(shr(add(97, dom0), spec), 1)
                            let dowMatches := and(shr(add(144, mod(add(day, 4), 7)), spec), 1)
                            switch and(shr(160, spec), 3)
                            case 3 {
                                result := or(domMatches, dowMatches)
                            }
                            default {
                                result := and(domMatches, dowMatches)
                            }
                        }
                    }
                }
            }
        }
    }

    /// @notice The first matching minute after `t`, if it is no later than `limit`.
    /// @dev Scans day by day from `t`'s day (skipping months that do not match), at most
    /// `(limit - t) / 86400 + 2` iterations; within a day, bit scans find the time. A matching tick
    /// `tick <= block.timestamp` is the latest one due iff `nextAfter(spec, tick, block.timestamp)` is 0.
    /// @param spec A packed spec (as `parse` returns).
    /// @param t A unix time in seconds; the answer is strictly later.
    /// @param limit The latest acceptable answer, in unix seconds.
    /// @return next The smallest multiple of 60 greater than `t`, no greater than `limit`, that
    /// matches `spec`; 0 when there is none.
    function nextAfter(uint256 spec, uint256 t, uint256 limit) internal pure returns (uint256 next) {
        unchecked {
            if (t >= limit) return 0;
            uint256 toMinute = 60 - (t % 60);
            if (limit - t < toMinute) return 0;
            uint256 c = t + toMinute; // the first whole minute after t, no later than limit
            uint256 minutes_ = spec & MINUTE_MASK;
            uint256 hours_ = (spec >> HOUR_OFFSET) & HOUR_MASK;
            if (minutes_ == 0 || hours_ == 0) return 0;

            uint256 day = c / DAY;
            uint256 lastDay = limit / DAY; // day <= lastDay throughout
            uint256 hour = (c % DAY) / 3600;
            uint256 minute = (c % 3600) / 60;
            (uint256 year, uint256 month, uint256 dom) = _civil(day);
            uint256 dow = (day + 4) % 7;
            while (true) {
                uint256 length = _monthLength(year, month);
                if ((spec >> (MONTH_OFFSET + month)) & 1 == 0) {
                    uint256 skip = length - dom + 1; // to the first of the next month
                    if (skip > lastDay - day) return 0;
                    day += skip;
                    dow = (dow + skip) % 7;
                    dom = 1;
                    (year, month) = _nextMonth(year, month);
                    hour = 0;
                    minute = 0;
                    continue;
                }
                if (_dayMatches(spec, dom, dow)) {
                    uint256 offset = _firstTimeOfDay(minutes_, hours_, hour, minute);
                    if (offset != NONE) {
                        uint256 dayStart = day * DAY;
                        return offset > limit - dayStart ? 0 : dayStart + offset;
                    }
                }
                if (day == lastDay) return 0;
                ++day;
                dow = dow == 6 ? 0 : dow + 1;
                hour = 0;
                minute = 0;
                if (dom == length) {
                    dom = 1;
                    (year, month) = _nextMonth(year, month);
                } else {
                    ++dom;
                }
            }
        }
    }

    /// @dev Parses one field from `pos` up to the next space or the end.
    /// @param b The expression.
    /// @param pos Offset of the field's first byte.
    /// @param field The field's index, 0 to 4.
    /// @return bits Bit v set for each chosen value v (not yet shifted into place).
    /// @return end Offset of the byte after the field (a space, or the length).
    function _field(bytes memory b, uint256 pos, uint256 field) private pure returns (uint256 bits, uint256 end) {
        uint256 min = (FIELD_MIN >> (field * 8)) & 0xff;
        uint256 max = (FIELD_MAX >> (field * 8)) & 0xff;
        while (true) {
            uint256 lo;
            uint256 hi;
            uint256 step = 1;
            if (_char(b, pos) == STAR) {
                (lo, hi) = (min, max);
                ++pos;
                if (_char(b, pos) == SLASH) (step, pos) = _step(b, pos + 1, field, max - min);
            } else {
                uint256 at = pos;
                (lo, pos) = _number(b, pos, field);
                if (lo < min || lo > max) revert CronInvalid(uint8(field), at);
                hi = lo;
                uint256 next = _char(b, pos);
                if (next == DASH) {
                    at = pos + 1;
                    (hi, pos) = _number(b, at, field);
                    if (hi < lo || hi > max) revert CronInvalid(uint8(field), at);
                    if (_char(b, pos) == SLASH) (step, pos) = _step(b, pos + 1, field, max - min);
                } else if (next == SLASH) {
                    hi = max;
                    (step, pos) = _step(b, pos + 1, field, max - min);
                }
            }
            bits |= _values(lo, hi, step);
            uint256 c = _char(b, pos);
            if (c != COMMA) {
                if (c != SPACE && c != END) revert CronInvalid(uint8(field), pos);
                return (bits, pos);
            }
            ++pos;
        }
    }

    /// @dev Reads a step: a number from 1 to `span`.
    /// @param b The expression.
    /// @param pos Offset of the step's first digit.
    /// @param field The field's index, for errors.
    /// @param span The field's maximum minus its minimum.
    /// @return step The step.
    /// @return end Offset of the byte after the step.
    function _step(
        bytes memory b,
        uint256 pos,
        uint256 field,
        uint256 span
    ) private pure returns (uint256 step, uint256 end) {
        (step, end) = _number(b, pos, field);
        if (step == 0 || step > span) revert CronInvalid(uint8(field), pos);
    }

    /// @dev Reads a decimal number of one or two digits.
    /// @param b The expression.
    /// @param pos Offset where a digit must be.
    /// @param field The field's index, for errors.
    /// @return value The number.
    /// @return end Offset of the byte after its last digit.
    function _number(bytes memory b, uint256 pos, uint256 field) private pure returns (uint256 value, uint256 end) {
        uint256 c = _char(b, pos);
        if (c < DIGIT_0 || c > DIGIT_9) revert CronInvalid(uint8(field), pos);
        value = c - DIGIT_0;
        c = _char(b, ++pos);
        if (c >= DIGIT_0 && c <= DIGIT_9) {
            value = value * 10 + c - DIGIT_0;
            c = _char(b, ++pos);
            if (c >= DIGIT_0 && c <= DIGIT_9) revert CronInvalid(uint8(field), pos);
        }
        end = pos;
    }

    /// @dev The values `lo, lo + step, …` up to `hi`, as bits.
    /// @param lo First value.
    /// @param hi Last acceptable value (`lo <= hi < 64`).
    /// @param step Distance between values (at least 1).
    /// @return bits Bit v set for each value v.
    function _values(uint256 lo, uint256 hi, uint256 step) private pure returns (uint256 bits) {
        if (step == 1) return ((2 << hi) - 1) ^ ((1 << lo) - 1);
        for (uint256 v = lo; v <= hi; v += step) bits |= 1 << v;
    }

    /// @dev The expression's byte at `pos`, or `END` past its end.
    /// @param b The expression.
    /// @param pos An offset.
    /// @return c The byte (0-255), or `END`.
    function _char(bytes memory b, uint256 pos) private pure returns (uint256 c) {
        if (pos >= b.length) return END;
        assembly ("memory-safe") {
            c := byte(0, mload(add(add(b, 0x20), pos)))
        }
    }

    /// @dev Whether a day matches the spec's day-of-month and day-of-week fields (Vixie rule).
    /// @param spec A packed spec.
    /// @param dom Day of month, 1 to 31.
    /// @param dow Day of week, 0 (Sunday) to 6.
    /// @return True when the day matches.
    function _dayMatches(uint256 spec, uint256 dom, uint256 dow) private pure returns (bool) {
        bool domMatches = (spec >> (DOM_OFFSET + dom)) & 1 != 0;
        bool dowMatches = (spec >> (DOW_OFFSET + dow)) & 1 != 0;
        if ((spec >> DOM_RESTRICTED_BIT) & 3 == 3) return domMatches || dowMatches;
        return domMatches && dowMatches;
    }

    /// @dev The earliest chosen time of day at or after `hour:minute`, in seconds since midnight.
    /// @param minutes_ The spec's minute bits (not zero).
    /// @param hours_ The spec's hour bits, shifted down (not zero).
    /// @param hour The hour to start from, 0 to 23.
    /// @param minute The minute to start from, 0 to 59.
    /// @return Seconds since midnight, or `NONE` when no chosen time is left in the day.
    function _firstTimeOfDay(
        uint256 minutes_,
        uint256 hours_,
        uint256 hour,
        uint256 minute
    ) private pure returns (uint256) {
        unchecked {
            if ((hours_ >> hour) & 1 != 0) {
                uint256 later = minutes_ >> minute;
                if (later != 0) return hour * 3600 + (minute + _lowestBit(later)) * 60;
            }
            uint256 laterHours = hours_ >> (hour + 1);
            if (laterHours == 0) return NONE;
            return (hour + 1 + _lowestBit(laterHours)) * 3600 + _lowestBit(minutes_) * 60;
        }
    }

    /// @dev Index of the lowest set bit of a non-zero value below 2^64.
    /// @param x The value.
    /// @return r The index.
    function _lowestBit(uint256 x) private pure returns (uint256 r) {
        unchecked {
            x &= ~x + 1; // only the lowest set bit is left
            if (x > 0xffffffff) (r, x) = (32, x >> 32);
            if (x > 0xffff) (r, x) = (r | 16, x >> 16);
            if (x > 0xff) (r, x) = (r | 8, x >> 8);
            if (x > 0xf) (r, x) = (r | 4, x >> 4);
            if (x > 0x3) (r, x) = (r | 2, x >> 2);
            if (x > 0x1) r |= 1;
        }
    }

    /// @dev The month after a month.
    /// @param year The year.
    /// @param month The month, 1 to 12.
    /// @return The next month's year.
    /// @return The next month, 1 to 12.
    function _nextMonth(uint256 year, uint256 month) private pure returns (uint256, uint256) {
        unchecked {
            return month == 12 ? (year + 1, 1) : (year, month + 1);
        }
    }

    /// @dev Days in a month.
    /// @param year The year (proleptic Gregorian).
    /// @param month The month, 1 to 12.
    /// @return Days in that month of that year.
    function _monthLength(uint256 year, uint256 month) private pure returns (uint256) {
        unchecked {
            if (month != 2) return 30 + ((LONG_MONTHS >> month) & 1);
            return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28;
        }
    }

    /// @dev Civil date of a day counted from 1970-01-01 (H. Hinnant's `civil_from_days`, unsigned).
    /// @param day Days since 1970-01-01.
    /// @return year The year.
    /// @return month The month, 1 to 12.
    /// @return dom The day of month, 1 to 31.
    function _civil(uint256 day) private pure returns (uint256 year, uint256 month, uint256 dom) {
        unchecked {
            uint256 z = day + 719468; // days since 0000-03-01
            uint256 era = z / 146097;
            uint256 doe = z - era * 146097; // day of the 400-year era
            uint256 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
            uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of the March-based year
            uint256 mp = (5 * doy + 2) / 153;
            dom = doy - (153 * mp + 2) / 5 + 1;
            month = mp < 10 ? mp + 3 : mp - 9;
            year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        }
    }
}
