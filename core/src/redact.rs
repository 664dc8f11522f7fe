//! Redaction of secrets from a command line before it is written to the audit journal.
//!
//! A flag whose name says it carries a secret (`--password`, `--token`, `--secret`, `--key`,
//! `--passphrase`, and their `*-file` forms are kept since a path is not a secret) has its value
//! replaced by `***`, in both the `--flag value` and `--flag=value` forms.

const SECRET_WORDS: [&str; 5] = ["password", "passphrase", "token", "secret", "key"];

fn is_secret_flag(flag: &str) -> bool {
    let name = flag.trim_start_matches('-').to_ascii_lowercase();
    !name.ends_with("-file") && SECRET_WORDS.iter().any(|w| name.split('-').any(|part| part == *w))
}

/// The arguments with every secret value replaced by `***`.
pub fn redact_args<S: AsRef<str>>(args: &[S]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut hide_next = false;
    for arg in args {
        let arg = arg.as_ref();
        if hide_next {
            out.push("***".to_string());
            hide_next = false;
        } else if let Some((flag, _)) = arg.split_once('=').filter(|(f, _)| f.starts_with("--")) {
            if is_secret_flag(flag) {
                out.push(format!("{flag}=***"));
            } else {
                out.push(arg.to_string());
            }
        } else {
            hide_next = arg.starts_with("--") && is_secret_flag(arg);
            out.push(arg.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_secret_values_in_both_forms() {
        let got = redact_args(&["host", "add", "--password", "hunter2", "--api-token=abc", "--name", "x"]);
        assert_eq!(got, ["host", "add", "--password", "***", "--api-token=***", "--name", "x"]);
    }

    #[test]
    fn keeps_paths_to_secret_files_and_ordinary_flags() {
        let got = redact_args(&["--key-file", "/etc/amoe/ca.key", "--keep", "d", "--monkey", "v"]);
        assert_eq!(got, ["--key-file", "/etc/amoe/ca.key", "--keep", "d", "--monkey", "v"]);
    }
}
