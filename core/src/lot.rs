//! The 14 lots of the CANUT framework agreement (seed 002 art. 3): lot 1 covers the whole
//! territory, lots 2 to 14 one region each.

use crate::InvalidValue;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The regions of the lots, index 0 is lot 1.
const REGIONS: [&str; 14] = [
    "France métropolitaine et DROM-COM",
    "Auvergne-Rhône-Alpes",
    "Bourgogne-Franche-Comté",
    "Bretagne",
    "Centre-Val de Loire",
    "Corse",
    "Grand Est",
    "Hauts-de-France",
    "Île-de-France",
    "Normandie",
    "Nouvelle-Aquitaine",
    "Occitanie",
    "Pays de la Loire",
    "Provence-Alpes-Côte d'Azur",
];

/// A lot number, 1 to 14.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Lot(u8);

impl Lot {
    /// The lot with this number, if it exists.
    pub fn new(n: u8) -> Option<Lot> {
        (1..=14).contains(&n).then_some(Lot(n))
    }

    pub fn number(self) -> u8 {
        self.0
    }

    /// The region the lot covers, as named in the agreement.
    pub fn region(self) -> &'static str {
        REGIONS[usize::from(self.0 - 1)]
    }
}

impl FromStr for Lot {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse::<u8>().ok().and_then(Lot::new).ok_or_else(|| InvalidValue::Lot { value: s.to_string() })
    }
}

impl TryFrom<u8> for Lot {
    type Error = InvalidValue;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Lot::new(n).ok_or(InvalidValue::Lot { value: n.to_string() })
    }
}

impl From<Lot> for u8 {
    fn from(l: Lot) -> u8 {
        l.0
    }
}

impl fmt::Display for Lot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.0, self.region())
    }
}

impl schemars::JsonSchema for Lot {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Lot".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "integer", "minimum": 1, "maximum": 14 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lots_map_to_their_regions() {
        assert_eq!(Lot::new(9).map(Lot::region), Some("Île-de-France"));
        assert_eq!(Lot::new(1).map(Lot::region), Some("France métropolitaine et DROM-COM"));
        assert_eq!(Lot::new(14).map(Lot::region), Some("Provence-Alpes-Côte d'Azur"));
    }

    #[test]
    fn refuses_out_of_range() {
        assert!("0".parse::<Lot>().is_err());
        assert!("15".parse::<Lot>().is_err());
        assert!("x".parse::<Lot>().is_err());
        assert_eq!("4".parse::<Lot>().map(Lot::number), Ok(4));
    }
}
