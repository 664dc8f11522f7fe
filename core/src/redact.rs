//! Redaction of secrets from a command line before it is written to the audit journal.
//!
//! A flag whose name says it carries a secret (`--password`, `--token`, `--secret`, `--key`,
//! `--passphrase`, and their `*-file` forms are kept since a path is not a secret) has its value
//! replaced by `***`, in both the `--flag value` and `--flag=value` forms. The password of a URL
//! (`https://user:secret@host/`) is replaced too, wherever it appears.

const SECRET_WORDS: [&str; 5] = ["password", "passphrase", "token", "secret", "key"];

fn is_secret_flag(flag: &str) -> bool {
    let name = flag.trim_start_matches('-').to_ascii_lowercase();
    !name.ends_with("-file") && SECRET_WORDS.iter().any(|w| name.split('-').any(|part| part == *w))
}

/// `scheme://user:password@host…` with the password replaced by `***`.
pub fn redact_url_password(arg: &str) -> String {
    let Some(start) = arg.find("://").map(|i| i + 3) else {
        return arg.to_string();
    };
    let authority_end = arg[start..].find(['/', '?', '#']).map_or(arg.len(), |i| start + i);
    let authority = &arg[start..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => {
            format!("{}{}***{}", &arg[..start], &authority[..=colon], &arg[start + at..])
        }
        _ => arg.to_string(),
    }
}

/// The arguments with every secret value replaced by `***`.
pub fn redact_args<S: AsRef<str>>(args: &[S]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut hide_next = false;
    for arg in args {
        let arg = &redact_url_password(arg.as_ref());
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
    fn hides_url_passwords() {
        let got = redact_args(&["--origin", "https://bob:hunter2@o.fr:8443/x", "--x=ftp://a:b@h", "http://a@h/p:q@r"]);
        assert_eq!(got, ["--origin", "https://bob:***@o.fr:8443/x", "--x=ftp://a:***@h", "http://a@h/p:q@r"]);
    }

    #[test]
    fn keeps_paths_to_secret_files_and_ordinary_flags() {
        let got = redact_args(&["--key-file", "/etc/amoe/ca.key", "--keep", "d", "--monkey", "v"]);
        assert_eq!(got, ["--key-file", "/etc/amoe/ca.key", "--keep", "d", "--monkey", "v"]);
    }
}
