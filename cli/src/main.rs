//! The `amoe` binary: see the `amoe_cli` library.

fn main() -> std::process::ExitCode {
    amoe_cli::run(std::env::args_os().collect())
}
