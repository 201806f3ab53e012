//! Dates of the data set and of filters: milliseconds since the Unix epoch (UTC), written as
//! `xs:dateTime` (`2026-01-01T00:00:10Z`) or as the service writes data extension dates
//! (`1/1/2026 12:00:10 AM`, in its own time), read from the forms a filter may use.
//!
//! Like the service, the sandbox keeps its own time as Central Standard Time (UTC-6, all year):
//! a date given without a zone (`2026-01-01`, `2026-01-01T10:00:00`, `1/1/2026 10:00 AM`) is a
//! time there, and a data extension's dates are written in it.

use std::fmt::Write as _;

use sfmc_partnerapi::CompactString;

const MS_PER_DAY: i64 = 86_400_000;

/// The service's own time: UTC-6 (Central Standard Time), all year.
pub(crate) const SERVICE_UTC_OFFSET_MS: i64 = -6 * 3_600_000;

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

struct Parts {
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
}

fn parts(ms: i64) -> Parts {
    let days = ms.div_euclid(MS_PER_DAY);
    let secs = ms.rem_euclid(MS_PER_DAY) / 1000;
    let (year, month, day) = civil_from_days(days);
    Parts {
        year,
        month,
        day,
        hour: secs / 3600,
        minute: secs / 60 % 60,
        second: secs % 60,
    }
}

/// `2026-01-01T00:00:10Z` (whole seconds).
pub(crate) fn xs_datetime(ms: i64) -> CompactString {
    let p = parts(ms);
    let mut s = CompactString::default();
    let _ = write!(
        s,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        p.year, p.month, p.day, p.hour, p.minute, p.second
    );
    s
}

/// `1/1/2026 12:00:10 AM`: how the service writes a data extension's Date fields (in its own
/// time, UTC-6).
pub(crate) fn us_datetime(ms: i64) -> CompactString {
    let p = parts(ms + SERVICE_UTC_OFFSET_MS);
    let (h12, half) = match p.hour {
        0 => (12, "AM"),
        h @ 1..=11 => (h, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    let mut s = CompactString::default();
    let _ = write!(
        s,
        "{}/{}/{} {}:{:02}:{:02} {half}",
        p.month, p.day, p.year, h12, p.minute, p.second
    );
    s
}

/// (month, day) of a date in the service's time, for the anniversary operators.
pub(crate) fn month_day(ms: i64) -> (u32, u32) {
    let p = parts(ms + SERVICE_UTC_OFFSET_MS);
    (p.month, p.day)
}

fn number(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 9 {
        return None;
    }
    s.parse().ok()
}

fn date_ms(year: i64, month: i64, day: i64) -> Option<i64> {
    let month = u32::try_from(month).ok().filter(|m| (1..=12).contains(m))?;
    let day = u32::try_from(day).ok().filter(|d| (1..=31).contains(d))?;
    if !(1..=9999).contains(&year) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // 31 February and the like do not round-trip.
    (civil_from_days(days) == (year, month, day)).then_some(days * MS_PER_DAY)
}

/// `HH:MM[:SS[.fff]]`: milliseconds into the day.
fn time_ms(t: &str) -> Option<i64> {
    let mut it = t.splitn(3, ':');
    let h = number(it.next()?)?;
    let m = number(it.next()?)?;
    let (s, frac) = match it.next() {
        None => (0, 0),
        Some(sec) => match sec.split_once('.') {
            Some((s, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
                let ms: String = f.chars().chain("000".chars()).take(3).collect();
                (number(s)?, number(&ms)?)
            }
            Some(_) => return None,
            None => (number(sec)?, 0),
        },
    };
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(((h * 60 + m) * 60 + s) * 1000 + frac)
}

/// A date a filter gives: `2026-01-31`, `2026-01-31T10:00[:00[.000]]` with an optional `Z` or
/// `±HH:MM` (none: the service's time, UTC-6), `2026-01-31 10:00:00`, `1/31/2026`,
/// `1/31/2026 10:00:00 [AM|PM]` (the service's time).
pub(crate) fn parse(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.contains('/') {
        return parse_us(t);
    }
    let (date, rest) = match t.find(['T', 't', ' ']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let mut d = date.splitn(3, '-');
    let day_ms = date_ms(number(d.next()?)?, number(d.next()?)?, number(d.next()?)?)?;
    let Some(rest) = rest.map(str::trim) else {
        return Some(day_ms - SERVICE_UTC_OFFSET_MS);
    };
    // The zone: Z, or +HH:MM / -HH:MM after the time.
    let (time, offset_ms) = if let Some(time) = rest.strip_suffix(['Z', 'z']) {
        (time, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (time, zone) = rest.split_at(i);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let (zh, zm) = zone[1..].split_once(':').unwrap_or((&zone[1..], "0"));
        let (zh, zm) = (number(zh)?, number(zm)?);
        if zh > 23 || zm > 59 {
            return None;
        }
        (time, sign * (zh * 60 + zm) * 60_000)
    } else {
        (rest, SERVICE_UTC_OFFSET_MS)
    };
    Some(day_ms + time_ms(time)? - offset_ms)
}

fn parse_us(t: &str) -> Option<i64> {
    let (date, rest) = match t.split_once(' ') {
        Some((d, r)) => (d, Some(r.trim())),
        None => (t, None),
    };
    let mut d = date.splitn(3, '/');
    let (month, day, year) = (number(d.next()?)?, number(d.next()?)?, number(d.next()?)?);
    let day_ms = date_ms(year, month, day)? - SERVICE_UTC_OFFSET_MS;
    let Some(rest) = rest else {
        return Some(day_ms);
    };
    let upper = rest.to_ascii_uppercase();
    let (time, half) = if let Some(t) = upper.strip_suffix("AM") {
        (t.trim(), Some(false))
    } else if let Some(t) = upper.strip_suffix("PM") {
        (t.trim(), Some(true))
    } else {
        (upper.as_str(), None)
    };
    let mut ms = time_ms(time)?;
    if let Some(pm) = half {
        let hour = ms / 3_600_000;
        if !(1..=12).contains(&hour) {
            return None;
        }
        if hour == 12 {
            ms -= 12 * 3_600_000;
        }
        if pm {
            ms += 12 * 3_600_000;
        }
    }
    Some(day_ms + ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JAN_1_2026: i64 = 1_767_225_600_000;

    #[test]
    fn formats() {
        assert_eq!(xs_datetime(JAN_1_2026 + 10_000), "2026-01-01T00:00:10Z");
        assert_eq!(xs_datetime(0), "1970-01-01T00:00:00Z");
        // In the service's time, UTC-6: midnight there is 06:00 UTC.
        let cst = JAN_1_2026 + 6 * 3_600_000;
        assert_eq!(us_datetime(cst + 10_000), "1/1/2026 12:00:10 AM");
        assert_eq!(us_datetime(cst + 13 * 3_600_000), "1/1/2026 1:00:00 PM");
        assert_eq!(us_datetime(cst + 12 * 3_600_000), "1/1/2026 12:00:00 PM");
        assert_eq!(us_datetime(JAN_1_2026), "12/31/2025 6:00:00 PM");
        assert_eq!(month_day(cst - 1), (12, 31));
        assert_eq!(month_day(cst), (1, 1));
    }

    #[test]
    fn parses_the_filter_forms() {
        let ten = JAN_1_2026 + 10 * 3_600_000;
        // Without a zone: the service's time, UTC-6.
        let six = 6 * 3_600_000;
        for (text, want) in [
            ("2026-01-01", JAN_1_2026 + six),
            (" 2026-01-01 ", JAN_1_2026 + six),
            ("2026-01-01T10:00:00", ten + six),
            ("2026-01-01T10:00", ten + six),
            ("2026-01-01 10:00:00", ten + six),
            ("2026-01-01T10:00:00Z", ten),
            ("2026-01-01T10:00:00.000Z", ten),
            ("2026-01-01T10:00:00.5", ten + six + 500),
            ("2026-01-01T04:00:00-06:00", ten),
            ("2026-01-01T11:30:00+01:30", ten),
            ("1/1/2026", JAN_1_2026 + six),
            ("1/1/2026 10:00:00 AM", ten + six),
            ("1/1/2026 10:00 am", ten + six),
            ("1/1/2026 12:00:00 AM", JAN_1_2026 + six),
            ("1/1/2026 10:00:00 PM", ten + six + 12 * 3_600_000),
            ("1/1/2026 22:00:00", ten + six + 12 * 3_600_000),
        ] {
            assert_eq!(parse(text), Some(want), "{text}");
        }
        // What the sandbox writes reads back as the same instant.
        for ms in [JAN_1_2026, JAN_1_2026 + 10 * 3_600_000 + 7_000] {
            assert_eq!(parse(&us_datetime(ms)), Some(ms));
            assert_eq!(parse(&xs_datetime(ms)), Some(ms));
        }
        for bad in [
            "",
            "yesterday",
            "2026-02-30",
            "2026-13-01",
            "2026-01-01T25:00",
            "13/1/2026",
            "1/1/2026 13:00 PM",
            "2026-01-01T10:00:00+99:00",
            "2026-1-1x",
            "99999999999-01-01",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn round_trips_across_centuries() {
        for days in [-719_162_i64, -1, 0, 59, 11_016, 20_454, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
