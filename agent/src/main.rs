//! The `amoe-agent` binary: see the `amoe_agent` library.

fn main() -> std::process::ExitCode {
    amoe_agent::run(std::env::args_os().collect())
}
