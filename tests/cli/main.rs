//! End-to-end tests of the `amoe` binary: each test runs the real program in a fresh temporary
//! home with its own store, and asserts exit code, stdout and stderr. One module per command
//! family.

mod support;

mod acme;
mod audit;
mod browser;
mod ca;
mod config;
mod demo;
mod deploy;
mod extranet;
mod fleet;
mod inventory;
mod logs;
mod logship;
mod netns;
mod output;
mod postgres;
mod quotes;
mod reports;
mod servers;
mod store;
mod tickets;
mod transfer;
