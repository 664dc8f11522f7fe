//! Domain types of amoe and their validation, shared by the CLI, the store and (later) the agent.
//!
//! Everything here is pure: parsing and checking values the user typed (a SIRET, a lot, a
//! hostname, an origin URL…) and the record types that the store returns and the CLI renders.
//! No I/O, no SQL, no terminal: those live in `amoe-store` and `amoe-cli`.

pub mod address;
pub mod calendar;
pub mod lot;
pub mod mail;
pub mod model;
pub mod money;
pub mod names;
pub mod origin;
pub mod redact;
pub mod siret;
pub mod size;
pub mod sla;
pub mod tickets;
pub mod time;

pub use address::HostAddress;
pub use lot::Lot;
pub use model::{AcmeSettings, AuditEntry, Beneficiary, Category, Host, Site, SiteSettings};
pub use names::{DomainName, Email, Name};
pub use origin::Origin;
pub use siret::Siret;

/// Why a value typed by the user was refused. Each variant names the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    #[error("`{value}` is not a SIRET: {reason}")]
    Siret { value: String, reason: &'static str },
    #[error("`{value}` is not a lot: lots are numbered 1 to 14")]
    Lot { value: String },
    #[error("`{value}` is not an e-mail address: {reason}")]
    Email { value: String, reason: String },
    #[error("`{value}` is not a valid hostname: {reason}")]
    Domain { value: String, reason: &'static str },
    #[error("`{value}` is not a valid name: {reason}")]
    Name { value: String, reason: &'static str },
    #[error("`{value}` is not a valid origin: {reason}")]
    Origin { value: String, reason: String },
    #[error("`{value}` is not a HOST:PORT address: {reason}")]
    Address { value: String, reason: &'static str },
    #[error("`{value}` is not a site category: expected permanent, ephemeral or recurring")]
    Category { value: String },
}
