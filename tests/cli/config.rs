//! The configuration file and the precedence flags > environment > file > defaults.

use crate::support::Env;

fn last_operator(env: &Env) -> String {
    let entries = env.ok(&["audit", "list", "-o", "json"]).json();
    let all = entries.as_array().expect("array");
    all.last().expect("an entry")["operator"].as_str().expect("operator").to_string()
}

#[test]
fn operator_precedence() {
    let env = Env::new();
    let config = env.path("config.toml");
    std::fs::write(&config, "operator = \"from-file\"\n").expect("write");
    let add =
        |name: &str| vec!["host".to_string(), "add".into(), name.into(), "--address".into(), "127.0.0.1:7443".into()];

    let mut cmd = env.cmd(&add("h1").iter().map(String::as_str).collect::<Vec<_>>());
    assert!(cmd.env("AMOE_CONFIG", &config).output().expect("run").status.success());
    assert_eq!(last_operator(&env), "from-file");

    let mut cmd = env.cmd(&add("h2").iter().map(String::as_str).collect::<Vec<_>>());
    assert!(cmd.env("AMOE_CONFIG", &config).env("AMOE_OPERATOR", "from-env").output().expect("run").status.success());
    assert_eq!(last_operator(&env), "from-env");

    let mut args = vec!["--operator", "from-flag"];
    let rest = add("h3");
    args.extend(rest.iter().map(String::as_str));
    let mut cmd = env.cmd(&args);
    assert!(cmd.env("AMOE_CONFIG", &config).env("AMOE_OPERATOR", "from-env").output().expect("run").status.success());
    assert_eq!(last_operator(&env), "from-flag");

    // The default: the login name.
    env.ok(&["host", "add", "h4", "--address", "127.0.0.1:7443"]);
    assert_eq!(last_operator(&env), "tester");
}

#[test]
fn default_config_location_and_output_setting() {
    let env = Env::new();
    env.seed();
    let dir = env.dir.path().join(".config/amoe");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("config.toml"), "output = \"json\"\n").expect("write");
    assert!(env.ok(&["host", "list"]).json().is_array());
    // A flag still wins.
    assert!(env.ok(&["host", "list", "-o", "csv"]).stdout.starts_with("name,address,location\n"));
}

#[test]
fn malformed_config_file_is_refused_with_its_line() {
    let env = Env::new();
    let config = env.path("config.toml");
    std::fs::write(&config, "operator = \"a\"\nstore = [unclosed\n").expect("write");
    let r = env.cmd(&["host", "list"]).env("AMOE_CONFIG", &config).output().expect("run");
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: invalid configuration file"), "{stderr}");
    assert!(stderr.contains("config.toml` at line 2"), "{stderr}");
}

#[test]
fn unknown_config_key_is_refused_with_its_line() {
    let env = Env::new();
    let config = env.path("config.toml");
    std::fs::write(&config, "# amoe\noperator = \"a\"\noperater = \"typo\"\n").expect("write");
    let r = env.cmd(&["host", "list"]).env("AMOE_CONFIG", &config).output().expect("run");
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("at line 3, column 1") && stderr.contains("operater"), "{stderr}");
    assert!(stderr.contains("hint: "), "{stderr}");
}

#[test]
fn missing_explicit_config_file_is_an_error() {
    let env = Env::new();
    let r = env.cmd(&["host", "list"]).env("AMOE_CONFIG", env.path("nope.toml")).output().expect("run");
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("cannot read the configuration file"));
}

#[test]
fn store_from_environment() {
    let env = Env::new();
    let other = env.path("other.db");
    let mut cmd = std::process::Command::new(crate::support::AMOE);
    crate::support::clean(&mut cmd, env.dir.path());
    let st = cmd.args(["init"]).env("AMOE_STORE", &other).output().expect("run").status;
    assert!(st.success());
    assert!(other.exists());
}
