//! Fails when man/, completions/ or schemas/ differ from what the code generates.

#[test]
fn generated_files_are_up_to_date() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let problems = xtask::check(&root).expect("generate");
    assert!(problems.is_empty(), "run `cargo xtask gen` and commit:\n{}", problems.join("\n"));
}

#[test]
fn every_subcommand_has_a_man_page() {
    let files = xtask::generate().expect("generate");
    for page in ["man/amoe.1", "man/amoe-site-add.1", "man/amoe-audit-verify.1", "man/amoe-agent.1"] {
        assert!(files.contains_key(std::path::Path::new(page)), "{page} missing");
    }
    let root_page = String::from_utf8(files[std::path::Path::new("man/amoe.1")].clone()).expect("utf8");
    assert!(root_page.contains("EXIT STATUS"), "the exit codes are documented in amoe(1)");
}
