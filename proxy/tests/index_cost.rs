//! What the disk tier's index costs per file (issue 20: at most 150 bytes, goal 64), measured
//! as the growth of the process's resident memory while 300,000 files of realistic keys are
//! counted (its own test binary, so that nothing else runs meanwhile). The objects themselves
//! are built, counted and dropped: an object on disk only is known by its hash.
#![allow(clippy::unwrap_used)]

use amoe_proxy::cache::Key;
use amoe_proxy::cache::disk::{Disk, FILE_INDEX_BYTES, first_id};
use amoe_proxy::cache::key::Scheme;
use amoe_proxy::cache::object::{DiskLoc, Object};

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn the_index_costs_at_most_150_bytes_per_file() {
    const FILES: u64 = 300_000;
    let dir = tempfile::tempdir().unwrap();
    // The index budget this many files need (the maps are sized from it).
    let disk = Disk::open(dir.path(), u64::MAX, FILES * FILE_INDEX_BYTES).unwrap();
    let site: std::sync::Arc<str> = "www-mairie".into();
    let object = |i: u64| Object {
        site: site.clone(),
        key: Key::new(
            Scheme::Https,
            "www.mairie.example.fr",
            &format!("/actualites/2026/{i}/page.html?utm_source=x{i}"),
        ),
        ..Object::default()
    };
    // Warm the allocator with what one iteration allocates and frees.
    drop(object(0));
    let before = rss_bytes();
    for i in 0..FILES {
        let object = object(i);
        let loc = DiskLoc {
            id: first_id(&object.site, &object.key),
            path: std::path::PathBuf::new(),
            offset: 0,
            len: 1024,
            crc: 0,
        };
        assert!(disk.account(&object, &loc).is_empty());
    }
    let held = rss_bytes().saturating_sub(before);
    let per_file = held as f64 / FILES as f64;
    println!("index: {held} bytes of resident memory for {FILES} files, {per_file:.1} bytes per file");
    assert_eq!(disk.files() as u64, FILES);
    assert!(per_file <= 150.0, "{per_file:.1} bytes per file");
    assert!(disk.index_used() == FILES * FILE_INDEX_BYTES);
}
