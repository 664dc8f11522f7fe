//! `cargo xtask gen` writes man/, completions/ and schemas/; `cargo xtask check` exits 1 when
//! any of them is out of date.

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
        _ => {
            eprintln!("usage: cargo xtask gen|check");
            return ExitCode::from(2);
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::FAILURE
    })
}
