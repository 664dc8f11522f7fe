//! `amoe demo` runs on embedded defaults and leaves nothing behind unless asked.

use crate::support::Env;

#[test]
fn demo_runs_and_cleans_up() {
    let env = Env::bare();
    let r = env.ok(&["demo"]);
    for expected in [
        "[1] Create the store",
        "is not a SIRET",
        "already belongs to site",
        "journal intact",
        "byte-identical",
        "site push: 1 of 1 hosts confirmed",
        "(X-Cache: MISS, Age: 0)",
        "(X-Cache: HIT",
        "flush: 1 of 1 hosts confirmed",
        "3 requests, 1 hits, 2 misses",
    ] {
        assert!(
            r.stdout.contains(expected) || r.stderr.contains(expected),
            "missing `{expected}`:\n{}{}",
            r.stdout,
            r.stderr
        );
    }
    let first = r.stdout.lines().next().expect("first line");
    let dir = first.split('`').nth(1).expect("the demo names its directory");
    assert!(!std::path::Path::new(dir).exists(), "{dir} was left behind");
    assert!(!env.store.exists(), "the demo does not touch the user's store");
}

#[test]
fn demo_keeps_its_files_when_asked() {
    let env = Env::bare();
    let keep = env.path("kept");
    env.ok(&["demo", "--keep", keep.to_str().expect("utf8")]);
    assert!(
        keep.join("amoe.db").exists()
            && keep.join("backup.db").exists()
            && keep.join("export-1/manifest.json").exists()
    );
    let r = env.fails(1, &["demo", "--keep", keep.to_str().expect("utf8")]);
    assert!(r.stderr.contains("is not empty"), "{}", r.stderr);
}
