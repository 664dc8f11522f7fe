//! SIRET numbers: 14 digits, the 9-digit SIREN of the legal unit followed by a 5-digit
//! establishment number (NIC), checked with the Luhn key.
//!
//! The one documented exception is La Poste (SIREN 356 000 000): its thousands of
//! establishments outgrew the Luhn key, so INSEE numbers them so that the *sum* of the 14 digits
//! is a multiple of 5. Its head office, 356 000 000 00048, satisfies both rules.

use crate::InvalidValue;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The SIREN of La Poste, whose establishments use the sum-of-digits rule.
const LA_POSTE_SIREN: &str = "356000000";

/// A valid SIRET, stored as its 14 digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(String);

impl Siret {
    /// The 14 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SIREN: the legal unit the establishment belongs to.
    pub fn siren(&self) -> &str {
        &self.0[..9]
    }
}

/// True when the digits pass the Luhn check (every second digit from the right doubled).
fn luhn_ok(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(*d);
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

impl FromStr for Siret {
    type Err = InvalidValue;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let err = |reason| InvalidValue::Siret { value: raw.to_string(), reason };
        // Accept the usual printed groupings: "356 000 000 00048".
        let compact: String = raw.chars().filter(|c| *c != ' ').collect();
        if compact.len() != 14 {
            return Err(err("a SIRET has exactly 14 digits"));
        }
        if !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("a SIRET has digits only"));
        }
        let digits: Vec<u8> = compact.bytes().map(|b| b - b'0').collect();
        let valid = if compact.starts_with(LA_POSTE_SIREN) {
            luhn_ok(&digits) || digits.iter().map(|d| u32::from(*d)).sum::<u32>().is_multiple_of(5)
        } else {
            luhn_ok(&digits)
        };
        if !valid {
            return Err(err("its check key is wrong (Luhn); check for a mistyped digit"));
        }
        Ok(Siret(compact))
    }
}

impl TryFrom<String> for Siret {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Siret> for String {
    fn from(s: Siret) -> String {
        s.0
    }
}

impl fmt::Display for Siret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl schemars::JsonSchema for Siret {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Siret".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9]{14}$",
            "description": "SIRET: 14 digits with a valid Luhn key (La Poste: digit sum multiple of 5)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_luhn_siret() {
        // INSEE's own head office.
        let s: Siret = "12000101100010".parse().expect("valid");
        assert_eq!(s.siren(), "120001011");
        assert!("732 829 320 00074".parse::<Siret>().is_ok());
    }

    #[test]
    fn refuses_wrong_key_length_and_letters() {
        assert!(matches!("12000101100011".parse::<Siret>(), Err(InvalidValue::Siret { .. })));
        assert!("1200010110001".parse::<Siret>().is_err());
        assert!("120001011000100".parse::<Siret>().is_err());
        assert!("1200010110001A".parse::<Siret>().is_err());
        assert!("".parse::<Siret>().is_err());
    }

    #[test]
    fn la_poste_uses_the_digit_sum_rule() {
        // Head office: valid by both rules.
        assert!("35600000000048".parse::<Siret>().is_ok());
        // An establishment whose digit sum is 45 (multiple of 5) but fails Luhn.
        let s = "35600000049837";
        assert!(!luhn_ok(&s.bytes().map(|b| b - b'0').collect::<Vec<_>>()));
        assert!(s.parse::<Siret>().is_ok());
        // Digit sum 46 and no Luhn key: refused.
        assert!("35600000049838".parse::<Siret>().is_err());
        // The exception applies to La Poste only: digit sum 10, no Luhn key.
        assert!("12000101100004".parse::<Siret>().is_err());
    }
}
