//! `cargo xtask gen` writes man/, completions/ and schemas/; `cargo xtask check` exits 1 when
//! any of them is out of date; `cargo xtask seed-store PATH [SITES] [BENEFICIARIES]` makes a
//! store of that size for benchmarks.

use std::path::PathBuf;
use std::process::ExitCode;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "gen" => xtask::write(&root()).map(|n| {
            println!("wrote {n} generated files");
            ExitCode::SUCCESS
        }),
        "check" => xtask::check(&root()).map(|problems| {
            if problems.is_empty() {
                println!("generated files are up to date");
                ExitCode::SUCCESS
            } else {
                for p in &problems {
                    eprintln!("{p}");
                }
                eprintln!("error: generated files are out of date\nhint: run `cargo xtask gen` and commit the result");
                ExitCode::FAILURE
            }
        }),
        "seed-store" => {
            let args: Vec<String> = std::env::args().skip(2).collect();
            let (Some(path), sites, beneficiaries) = (
                args.first(),
                args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000),
                args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1_000),
            ) else {
                eprintln!("usage: cargo xtask seed-store PATH [SITES] [BENEFICIARIES]");
                return ExitCode::from(2);
            };
            xtask::seed::seed(std::path::Path::new(path), sites, beneficiaries).map(|()| {
                println!("seeded `{path}` with {sites} sites and {beneficiaries} beneficiaries");
                ExitCode::SUCCESS
            })
        }
        "seed-tickets" => {
            let args: Vec<String> = std::env::args().skip(2).collect();
            let (Some(path), tickets, events) = (
                args.first(),
                args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000),
                args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1_000_000),
            ) else {
                eprintln!("usage: cargo xtask seed-tickets PATH [TICKETS] [EVENTS]");
                return ExitCode::from(2);
            };
            xtask::seed::seed_tickets(std::path::Path::new(path), tickets, events).map(|()| {
                println!("seeded `{path}` with {tickets} tickets and about {events} events");
                ExitCode::SUCCESS
            })
        }
        "seed-orders" => {
            let args: Vec<String> = std::env::args().skip(2).collect();
            let (Some(path), orders, lines) = (
                args.first(),
                args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000),
                args.get(2).and_then(|s| s.parse().ok()).unwrap_or(500_000),
            ) else {
                eprintln!("usage: cargo xtask seed-orders PATH [ORDERS] [LINES]");
                return ExitCode::from(2);
            };
            xtask::seed::seed_orders(std::path::Path::new(path), orders, lines).map(|()| {
                println!("seeded `{path}` with {orders} orders and {lines} lines");
                ExitCode::SUCCESS
            })
        }
        _ => {
            eprintln!("usage: cargo xtask gen|check|seed-store|seed-tickets|seed-orders");
            return ExitCode::from(2);
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::FAILURE
    })
}
