//! What the commands do, apart from parsing and printing: each function takes typed options
//! and the store, validates inside the write transaction (so that a refusal is journaled), and
//! returns data. Nothing here prints.

pub mod audit;
pub mod beneficiary;
pub mod ca;
pub mod host;
pub mod site;
pub mod transfer;

/// Keeps the first occurrence of each item, in order.
pub(crate) fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// Parses every item.
pub(crate) fn parse_all<T: std::str::FromStr>(items: &[String]) -> Result<Vec<T>, T::Err> {
    items.iter().map(|s| s.parse()).collect()
}
