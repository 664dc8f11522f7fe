//! amoe's caching reverse proxy, embedded in `amoe-agent` (DESIGN §6).
//!
//! This crate is the home of the proxy: request lifecycle, RFC 9111 cache policy, storage tiers,
//! purge, upstream pools, protection and access logs. It holds no code yet; it exists so that
//! the workspace has its final shape and the dependency boundary is drawn from the start: no
//! SQLite, no clap, no configuration parsing in here; the agent hands it typed settings.

#![forbid(unsafe_code)]
