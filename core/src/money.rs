//! Money and quantities as integers: amounts in euro cents, rates in basis points (1/100 of a
//! percent), quantities in thousandths. Parsing refuses what is not a whole number of cents;
//! rounding (line amounts, VAT) is half away from zero, once per amount (`docs/decisions.md`).

use std::fmt::Write;

/// Why an amount, rate or quantity was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not {what}: {reason}")]
pub struct BadAmount {
    pub value: String,
    pub what: &'static str,
    pub reason: &'static str,
}

/// A decimal with at most `places` decimals (`.` or `,`; spaces as thousands separators) as an
/// integer scaled by 10^places.
fn scaled(raw: &str, places: u32, what: &'static str, too_fine: &'static str) -> Result<i64, BadAmount> {
    let bad = |reason| BadAmount { value: raw.to_string(), what, reason };
    let s: String =
        raw.trim().trim_end_matches('€').chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, s),
    };
    let (whole, frac) = match s.split_once(['.', ',']) {
        Some((w, f)) => (w, f),
        None => (s.as_str(), ""),
    };
    if whole.is_empty() && frac.is_empty() || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad("expected a number such as 1234.56"));
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > places as usize {
        return Err(bad(too_fine));
    }
    let scale = 10i64.pow(places);
    let w: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad("too large"))? };
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<width$}", width = places as usize).parse().map_err(|_| bad("too large"))?
    };
    let v = w.checked_mul(scale).and_then(|v| v.checked_add(f)).ok_or_else(|| bad("too large"))?;
    Ok(if neg { -v } else { v })
}

/// Euros (`1234.56`, `1 234,56 €`) as cents; a fraction of a cent is refused.
pub fn parse_cents(raw: &str) -> Result<i64, BadAmount> {
    scaled(raw, 2, "an amount in euros", "amounts are whole cents: at most two decimals")
}

/// A percentage (`20`, `5.5`, `20 %`) as basis points, 0 to 100 %.
pub fn parse_rate(raw: &str) -> Result<i64, BadAmount> {
    let v = scaled(raw.trim().trim_end_matches('%'), 2, "a rate in percent", "rates have at most two decimals")?;
    if !(0..=10_000).contains(&v) {
        return Err(BadAmount { value: raw.to_string(), what: "a rate in percent", reason: "expected 0 to 100" });
    }
    Ok(v)
}

/// A quantity (`3`, `0.5`, `1,25`) in thousandths, above zero.
pub fn parse_quantity(raw: &str) -> Result<i64, BadAmount> {
    let v = scaled(raw, 3, "a quantity", "quantities have at most three decimals")?;
    if v <= 0 {
        return Err(BadAmount { value: raw.to_string(), what: "a quantity", reason: "expected more than zero" });
    }
    Ok(v)
}

/// `a × b / d`, rounded half away from zero (in 128 bits: no overflow for real amounts).
pub fn mul_div(a: i64, b: i64, d: i64) -> i64 {
    let n = i128::from(a) * i128::from(b);
    let d = i128::from(d.max(1));
    let q = n / d;
    let r = n % d;
    let q = if 2 * r.abs() >= d { q + n.signum() } else { q };
    q.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// The amount of `quantity_milli` units at `price_cents`, to the cent.
pub fn line_amount(quantity_milli: i64, price_cents: i64) -> i64 {
    mul_div(quantity_milli, price_cents, 1000)
}

/// The VAT on an amount excluding tax, at `rate_bp`, to the cent.
pub fn vat(ht_cents: i64, rate_bp: i64) -> i64 {
    mul_div(ht_cents, rate_bp, 10_000)
}

/// HT, VAT and TTC of an amount excluding tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Amounts {
    pub ht_cents: i64,
    pub vat_cents: i64,
    pub ttc_cents: i64,
}

impl Amounts {
    pub fn of(ht_cents: i64, rate_bp: i64) -> Amounts {
        let vat_cents = vat(ht_cents, rate_bp);
        Amounts { ht_cents, vat_cents, ttc_cents: ht_cents + vat_cents }
    }
}

/// Cents as a plain decimal (`1234.56`, `-0.05`): CSV and scripts.
pub fn plain(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// Cents as people read them: `1 234,56 €` in French, `€1,234.56` in English.
pub fn display(cents: i64, french: bool) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let digits = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(if french { '\u{202f}' } else { ',' });
        }
        grouped.push(ch);
    }
    let mut s = String::new();
    if french {
        let _ = write!(s, "{sign}{grouped},{:02}\u{a0}€", c % 100);
    } else {
        let _ = write!(s, "{sign}€{grouped}.{:02}", c % 100);
    }
    s
}

/// Basis points as a percentage (`20 %`, `5.5 %`).
pub fn rate(bp: i64) -> String {
    let whole = bp / 100;
    let frac = bp % 100;
    if frac == 0 { format!("{whole} %") } else { format!("{whole}.{} %", format!("{frac:02}").trim_end_matches('0')) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_whole_cents() {
        assert_eq!(parse_cents("1234.56"), Ok(123_456));
        assert_eq!(parse_cents("1 234,5 €"), Ok(123_450));
        assert_eq!(parse_cents("29000"), Ok(2_900_000));
        assert_eq!(parse_cents("0.10"), Ok(10));
        assert_eq!(parse_cents("12.340"), Ok(1234));
        assert!(parse_cents("12.345").is_err());
        assert!(parse_cents("12e3").is_err());
        assert!(parse_cents("").is_err());
        assert!(parse_cents("99999999999999999999").is_err());
        assert_eq!(parse_rate("20"), Ok(2000));
        assert_eq!(parse_rate("5,5 %"), Ok(550));
        assert!(parse_rate("120").is_err());
        assert_eq!(parse_quantity("0.5"), Ok(500));
        assert!(parse_quantity("0").is_err());
        assert!(parse_quantity("1.0005").is_err());
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        // 1.5 × 0.33 € = 0.495 € → 0.50 €; 0.333 × 1 € = 0.333 € → 0.33 €.
        assert_eq!(line_amount(1500, 33), 50);
        assert_eq!(line_amount(333, 100), 33);
        assert_eq!(line_amount(-1500, 33), -50);
        // VAT 20 % of 1234.57 € = 246.914 → 246.91 €; 5.5 % of 0.10 € = 0.0055 → 0.01 €.
        assert_eq!(Amounts::of(123_457, 2000), Amounts { ht_cents: 123_457, vat_cents: 24_691, ttc_cents: 148_148 });
        assert_eq!(vat(10, 550), 1);
        assert_eq!(vat(9, 550), 0);
    }

    #[test]
    fn amounts_display_in_both_languages() {
        assert_eq!(display(2_900_000, true), "29\u{202f}000,00\u{a0}€");
        assert_eq!(display(2_900_000, false), "€29,000.00");
        assert_eq!(display(-5, true), "-0,05\u{a0}€");
        assert_eq!(plain(-5), "-0.05");
        assert_eq!(plain(123_456), "1234.56");
        assert_eq!(rate(2000), "20 %");
        assert_eq!(rate(550), "5.5 %");
    }
}
