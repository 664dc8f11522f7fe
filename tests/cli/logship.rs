//! Logs from real agents to a beneficiary: collection over SFTP from a real `sshd`, the merge,
//! delivery to an SFTP account, the notice through a real SMTP server; interruptions,
//! refused keys and servers that are down.

use crate::fleet::{Fleet, free_port};
use crate::servers::{Smtp, Sshd};
use crate::support::{Run, SIRET};
use flate2::read::MultiGzDecoder;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn today() -> String {
    jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::get("Europe/Paris").expect("tz")).date().to_string()
}

fn gunzip(path: &Path) -> String {
    let mut s = String::new();
    MultiGzDecoder::new(std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .read_to_string(&mut s)
        .expect("gzip");
    s
}

fn get(port: u16, path: &str) {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    write!(s, "GET {path} HTTP/1.1\r\nHost: www.example.test\r\nUser-Agent: test/{port}\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    assert!(out.starts_with(b"HTTP/1.1 "), "no answer");
}

/// The configuration file: archive, SSH key and known hosts, SMTP on `smtp_port`.
fn write_config(fleet: &Fleet, sshd: &Sshd, smtp_port: u16) -> PathBuf {
    let path = fleet.env.path("config.toml");
    std::fs::write(
        &path,
        format!(
            "[logs]\narchive = {:?}\nssh_key = {:?}\nssh_user = {:?}\nknown_hosts = {:?}\n\
             [mail]\nserver = \"127.0.0.1\"\nport = {smtp_port}\nsecurity = \"none\"\nsender = \"cdn@contractor.example\"\n",
            fleet.env.path("archive"),
            sshd.client_key,
            sshd.user,
            fleet.env.path("known_hosts"),
        ),
    )
    .expect("config");
    path
}

fn run(fleet: &Fleet, config: &Path, args: &[&str]) -> Run {
    fleet.run_env(args, &[("AMOE_CONFIG", config.to_str().unwrap_or_default())])
}

/// Stops the agents and closes their day as the writer does at midnight.
fn close_day(fleet: &mut Fleet) -> Vec<PathBuf> {
    let day = today();
    let mut dirs = Vec::new();
    for (i, a) in fleet.agents.iter_mut().enumerate() {
        a.stop();
        let dir = fleet.env.path(&format!("state-{i}")).join("logs");
        for suffix in [".log", ".w3c.log"] {
            let f = dir.join("www").join(format!("www-{day}{suffix}"));
            amoe_accesslog::compress_file(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        }
        dirs.push(dir);
    }
    dirs
}

fn clf_times(text: &str) -> Vec<i64> {
    text.lines()
        .map(|l| {
            let t = &l[l.find('[').expect("[") + 1..l.find(']').expect("]")];
            jiff::fmt::strtime::parse("%d/%b/%Y:%H:%M:%S %z", t)
                .and_then(|p| p.to_timestamp())
                .expect("time")
                .as_second()
        })
        .collect()
}

/// Three agents serve a day; the hosts' and the account's SFTP is one real sshd.
fn setup() -> (Fleet, Sshd, Smtp, PathBuf, PathBuf, String) {
    let mut fleet = Fleet::new(3);
    fleet.ok(&["beneficiary", "update", SIRET, "--email", "dsi@beneficiary.example"]);
    // Interleaved traffic on the three hosts, then the day is closed.
    for round in 0..40 {
        for a in &fleet.agents {
            get(a.proxy, &format!("/page/{round}"));
        }
    }
    let dirs = close_day(&mut fleet);
    let sshd = Sshd::start(&fleet.env.path("sshd"));
    let smtp = Smtp::start(&fleet.env.path("maildir"), free_port());
    let config = write_config(&fleet, &sshd, smtp.port);
    for (i, dir) in dirs.iter().enumerate() {
        let r = run(
            &fleet,
            &config,
            &[
                "logs",
                "host",
                &format!("pop{i}"),
                "--ssh",
                &format!("127.0.0.1:{}", sshd.port),
                "--log-dir",
                dir.to_str().unwrap_or_default(),
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let drop = fleet.env.path("drop");
    std::fs::create_dir_all(&drop).expect("drop");
    let r = run(
        &fleet,
        &config,
        &[
            "logs",
            "account",
            "set",
            "--beneficiary",
            SIRET,
            "--sftp",
            &format!("{}@127.0.0.1:{}", sshd.user, sshd.port),
            "--key",
            sshd.client_key.to_str().unwrap_or_default(),
            "--folder",
            drop.to_str().unwrap_or_default(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let day = today();
    (fleet, sshd, smtp, config, drop, day)
}

#[test]
fn a_day_of_three_agents_is_collected_merged_and_delivered_once() {
    let (fleet, sshd, smtp, config, drop, day) = setup();

    // Unknown host keys are refused, naming the host and the key.
    let r = run(&fleet, &config, &["logs", "collect", "--quiet"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("is unknown") && r.stderr.contains("SHA256:") && r.stderr.contains("pop0"),
        "{}",
        r.stderr
    );
    let r = run(&fleet, &config, &["logs", "collect", "--accept-new-host-key", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let fetched: u64 =
        r.json()["hosts"].as_array().map(|h| h.iter().filter_map(|x| x["fetched"].as_u64()).sum()).unwrap_or(0);
    assert_eq!(fetched, 6, "two files from each of three hosts: {}", r.stdout);
    // Again: nothing more to fetch.
    let r = run(&fleet, &config, &["logs", "collect", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let already: u64 =
        r.json()["hosts"].as_array().map(|h| h.iter().filter_map(|x| x["already"].as_u64()).sum()).unwrap_or(0);
    assert_eq!(already, 6, "{}", r.stdout);

    // The account's key is unknown too: refused, nothing delivered.
    let r = run(&fleet, &config, &["logs", "deliver", "--day", &day]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("is unknown"), "{}", r.stderr);
    assert!(smtp.messages().is_empty());
    let r = run(&fleet, &config, &["logs", "deliver", "--day", &day, "--accept-new-host-key"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    // One CLF and one W3C file: every host's lines, in time order.
    let hosts_lines: usize = (0..3)
        .map(|i| {
            let f = fleet.env.path(&format!("state-{i}")).join("logs/www").join(format!("www-{day}.log.gz"));
            gunzip(&f).lines().count()
        })
        .sum();
    assert_eq!(hosts_lines, 120);
    let clf = gunzip(&drop.join(format!("www-{day}.log.gz")));
    assert_eq!(clf.lines().count(), hosts_lines);
    let times = clf_times(&clf);
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "CLF lines in time order");
    let w3c = gunzip(&drop.join(format!("www-{day}.w3c.log.gz")));
    let data: Vec<&str> = w3c.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(data.len(), hosts_lines);
    assert!(data.windows(2).all(|w| w[0][..19] <= w[1][..19]), "W3C lines in time order");
    assert_eq!(w3c.lines().filter(|l| l.starts_with("#Fields:")).count(), 1);
    // No temporary file is left under the account; the manifest names what is there.
    let names: Vec<String> = std::fs::read_dir(&drop)
        .expect("drop")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".part")), "{names:?}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(drop.join(format!("www-{day}.manifest.json"))).expect("manifest"))
            .expect("json");
    for f in manifest["files"].as_array().expect("files") {
        let name = f["name"].as_str().expect("name");
        let bytes = std::fs::read(drop.join(name)).expect("file");
        let sha = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(Some(sha.as_str()), f["sha256"].as_str(), "{name}");
    }
    assert_eq!(manifest["hosts"].as_array().map(Vec::len), Some(3));
    assert!(names.contains(&format!("www-{day}.stats.csv")) && names.contains(&format!("www-{day}.stats.svg")));

    // One notice, in French, naming the files and their checksums.
    let mails = smtp.messages();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].contains("dsi@beneficiary.example"), "{}", mails[0]);
    let sha_clf = manifest["files"][0]["sha256"].as_str().expect("sha");
    assert!(mails[0].contains(sha_clf) && mails[0].contains(&format!("www-{day}.log.gz")), "{}", mails[0]);

    // Again: nothing delivered or sent twice.
    let r = run(&fleet, &config, &["logs", "deliver"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(smtp.messages().len(), 1);

    // Statistics of the site from the archive; the list shows the states.
    let r = run(&fleet, &config, &["stats", "www", "--from", &day, "--to", &day, "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["requests"].as_u64(), Some(hosts_lines as u64));
    let r = run(&fleet, &config, &["logs", "list", "-o", "json"]);
    let rows = r.json();
    let www: Vec<&serde_json::Value> = rows.as_array().expect("rows").iter().filter(|x| x["site"] == "www").collect();
    assert_eq!(www.len(), 6);
    assert!(www.iter().all(|x| x["notified_at"].is_string()), "{}", r.stdout);

    // On request, a past day again: one more notice, said to be a new sending.
    let r = run(&fleet, &config, &["logs", "deliver", "--site", "www", "--from", &day, "--to", &day, "--again"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mails = smtp.messages();
    assert_eq!(mails.len(), 2);
    // Headers may be folded over lines.
    assert!(mails.iter().any(|m| m.replace("\n ", " ").contains("(nouvel envoi)")), "{mails:?}");
    std::mem::drop(sshd);
}

#[test]
fn changed_keys_unreachable_accounts_and_smtp_down_leave_work_owed() {
    let (fleet, sshd, mut smtp, config, drop, day) = setup();
    // A host key that changed is refused, naming both fingerprints.
    let other = fleet.env.path("other_key");
    let st = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&other)
        .stdout(Stdio::null())
        .status();
    assert!(st.is_ok_and(|s| s.success()));
    let other_pub = std::fs::read_to_string(other.with_extension("pub")).expect("pub");
    let line = other_pub.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    std::fs::write(fleet.env.path("known_hosts"), format!("[127.0.0.1]:{} {line}\n", sshd.port)).expect("known_hosts");
    let r = run(&fleet, &config, &["logs", "collect", "--accept-new-host-key"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("changed") && r.stderr.matches("SHA256:").count() >= 2, "{}", r.stderr);
    std::fs::remove_file(fleet.env.path("known_hosts")).expect("rm");
    // A key file others can read is refused before any connection.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&sshd.client_key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let r = run(&fleet, &config, &["logs", "collect", "--accept-new-host-key"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("readable by others") && r.stderr.contains("chmod 600"), "{}", r.stderr);
    assert!(!fleet.env.path("known_hosts").exists(), "nothing was pinned");
    std::fs::set_permissions(&sshd.client_key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let r = run(&fleet, &config, &["logs", "collect", "--accept-new-host-key", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // The account is unreachable: the day stays undelivered, exit non-zero.
    let dead = free_port();
    let set = |port: u16, key: Option<&str>| {
        let mut args = vec![
            "logs".to_owned(),
            "account".into(),
            "set".into(),
            "--beneficiary".into(),
            SIRET.into(),
            "--sftp".into(),
            format!("{}@127.0.0.1:{port}", sshd.user),
            "--key".into(),
            sshd.client_key.display().to_string(),
            "--folder".into(),
            drop.display().to_string(),
        ];
        if let Some(k) = key {
            args.extend(["--host-key".into(), k.to_owned()]);
        }
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(&fleet, &config, &a);
        assert_eq!(r.code, 0, "{}", r.stderr);
    };
    set(dead, Some(&sshd.host_key_line));
    let r = run(&fleet, &config, &["logs", "deliver", "--quiet"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("cannot reach"), "{}", r.stderr);
    assert_eq!(std::fs::read_dir(&drop).expect("drop").count(), 0);

    // A pinned account key that does not match is refused with both fingerprints.
    set(sshd.port, Some(&line));
    let r = run(&fleet, &config, &["logs", "deliver", "--quiet"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("changed"), "{}", r.stderr);

    // Reachable again, SMTP down: files delivered, the notice owed, exit non-zero.
    set(sshd.port, Some(&sshd.host_key_line));
    smtp.stop();
    let r = run(&fleet, &config, &["logs", "deliver", "--quiet"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("notice is owed"), "{}", r.stderr);
    assert!(drop.join(format!("www-{day}.log.gz")).exists());
    let listing = || {
        let mut v: Vec<(String, u64)> = std::fs::read_dir(&drop)
            .expect("drop")
            .flatten()
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.metadata().map(|m| m.len()).unwrap_or(0)))
            .collect();
        v.sort();
        v
    };
    let before = listing();
    // SMTP back: the next run sends the notice once and uploads nothing again.
    let smtp = Smtp::start(&smtp.maildir.clone(), smtp.port);
    let r = run(&fleet, &config, &["logs", "deliver", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(smtp.messages().len(), 1);
    assert_eq!(listing(), before);
    let r = run(&fleet, &config, &["logs", "deliver", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(smtp.messages().len(), 1, "sent once");
}

/// Kills `amoe` once `watch` holds more than `at` bytes; returns whether it was still running.
fn kill_when(mut child: std::process::Child, watch: &dyn Fn() -> u64, at: u64) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if watch() > at {
            let _ = child.kill();
            let _ = child.wait();
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    false
}

#[test]
fn killed_runs_are_finished_by_the_next_one() {
    let (fleet, sshd, smtp, config, drop, day) = setup();
    // A big day on pop0: 40 MB of log lines, so that transfers take a while.
    let src = fleet.env.path("state-0/logs/www").join(format!("www-{day}.w3c.log.gz"));
    let mut text = gunzip(&src);
    let line = text.lines().rfind(|l| !l.starts_with('#')).expect("a line").to_owned();
    let mut i = 0u64;
    while text.len() < 40_000_000 {
        // Vary each line so that it does not compress to nothing.
        text.push_str(&line.replacen("/page/", &format!("/p{:x}/", i.wrapping_mul(0x9e37_79b9_7f4a_7c15)), 1));
        text.push('\n');
        i += 1;
    }
    let mut enc =
        flate2::write::GzEncoder::new(std::fs::File::create(&src).expect("create"), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, text.as_bytes()).expect("write");
    enc.finish().expect("finish");
    let size = std::fs::metadata(&src).expect("size").len();
    assert!(size > 4_000_000, "{size}");

    let amoe = |args: &[&str]| {
        let mut cmd = fleet.env.cmd(args);
        cmd.env("AMOE_CONFIG", &config).env("AMOE_OUTPUT", "table").stdout(Stdio::null()).stderr(Stdio::null());
        cmd.spawn().expect("spawn amoe")
    };
    // Collect, killed while the big file arrives.
    let part = fleet.env.path("archive/www").join(&day).join("pop0").join(format!("www-{day}.w3c.log.gz.part"));
    let killed = kill_when(
        amoe(&["logs", "collect", "--host", "pop0", "--accept-new-host-key"]),
        &|| std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0),
        size / 10,
    );
    assert!(killed, "collect ended before it could be interrupted");
    let partial = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    assert!(partial < size, "an interrupted file is partial");
    let r = run(&fleet, &config, &["logs", "collect", "--accept-new-host-key", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let archived = fleet.env.path("archive/www").join(&day).join("pop0").join(format!("www-{day}.w3c.log.gz"));
    assert_eq!(std::fs::read(&archived).expect("archived"), std::fs::read(&src).expect("src"), "resumed copy is whole");
    assert!(!part.exists());

    // Deliver, killed while uploading: the final name never shows a partial file.
    let remote_final = drop.join(format!("www-{day}.w3c.log.gz"));
    let part_size = || -> u64 {
        std::fs::read_dir(&drop)
            .map(|rd| {
                rd.flatten()
                    .filter(|e| {
                        let n = e.file_name().to_string_lossy().into_owned();
                        n.starts_with(&format!("www-{day}.w3c.log.gz.")) && n.ends_with(".part")
                    })
                    .filter_map(|e| e.metadata().ok().map(|m| m.len()))
                    .sum()
            })
            .unwrap_or(0)
    };
    let killed = kill_when(amoe(&["logs", "deliver", "--accept-new-host-key"]), &part_size, 100_000);
    assert!(killed, "deliver ended before it could be interrupted");
    assert!(!remote_final.exists(), "nothing under the final name yet");
    assert!(smtp.messages().is_empty());
    let r = run(&fleet, &config, &["logs", "deliver", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let merged = gunzip(&remote_final);
    let lines = merged.lines().filter(|l| !l.starts_with('#')).count();
    let expected: usize = (0..3)
        .map(|h| {
            gunzip(&fleet.env.path(&format!("state-{h}/logs/www")).join(format!("www-{day}.w3c.log.gz")))
                .lines()
                .filter(|l| !l.starts_with('#'))
                .count()
        })
        .sum();
    assert_eq!(lines, expected);
    assert_eq!(part_size(), 0, "no temporary file left");
    // Every delivered file matches the manifest's checksum.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(drop.join(format!("www-{day}.manifest.json"))).expect("manifest"))
            .expect("json");
    for f in manifest["files"].as_array().expect("files") {
        let bytes = std::fs::read(drop.join(f["name"].as_str().expect("name"))).expect("file");
        let sha = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(Some(sha.as_str()), f["sha256"].as_str());
    }
    let listing: Vec<String> = std::fs::read_dir(&drop)
        .expect("drop")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(listing.iter().all(|n| !n.ends_with(".part")), "{listing:?}");
    assert_eq!(smtp.messages().len(), 1, "one notice");
    let r = run(&fleet, &config, &["logs", "deliver", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(smtp.messages().len(), 1, "still one notice");
    std::mem::drop(sshd);
}

#[test]
fn the_archive_keeps_six_months() {
    let (fleet, _sshd, _smtp, config, _drop, day) = setup();
    // An old day beside today's on every host.
    for i in 0..3 {
        let dir = fleet.env.path(&format!("state-{i}/logs/www"));
        for suffix in [".log.gz", ".w3c.log.gz"] {
            std::fs::copy(dir.join(format!("www-{day}{suffix}")), dir.join(format!("www-2020-01-01{suffix}")))
                .expect("copy");
        }
    }
    let r = run(&fleet, &config, &["logs", "collect", "--accept-new-host-key", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let days = |fleet: &Fleet| -> Vec<String> {
        let r = run(fleet, &config, &["logs", "list", "--site", "www", "-o", "json"]);
        let mut d: Vec<String> =
            r.json().as_array().expect("rows").iter().filter_map(|x| x["day"].as_str().map(str::to_owned)).collect();
        d.dedup();
        d
    };
    assert_eq!(days(&fleet), vec!["2020-01-01".to_owned(), day.clone()]);
    // Fewer than 183 days is not allowed: 183 are kept all the same.
    let r = run(&fleet, &config, &["logs", "prune", "--keep-days", "10"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("183"), "{}", r.stderr);
    assert_eq!(days(&fleet), vec![day.clone()]);
    assert!(!fleet.env.path("archive/www/2020-01-01").exists());
    assert!(fleet.env.path("archive/www").join(&day).join("pop0").join(format!("www-{day}.log.gz")).exists());
}

#[test]
fn cron_runs_survive_a_missing_host_a_damaged_file_and_an_overlap() {
    let (fleet, sshd, smtp, config, drop, day) = setup();
    // Another run holds the lock: nothing is done, exit 1.
    std::fs::create_dir_all(fleet.env.path("archive")).expect("archive");
    let held = std::fs::File::create(fleet.env.path("archive/.lock")).expect("lock file");
    held.try_lock().expect("lock");
    let r = run(&fleet, &config, &["logs", "collect", "--accept-new-host-key"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("another `amoe logs` run"), "{}", r.stderr);
    held.unlock().expect("unlock");

    // pop2 cannot be reached: the others are collected, exit 3, the day waits for pop2.
    let dead = free_port().to_string();
    let pop2_dir = fleet.env.path("state-2/logs");
    let set_pop2 = |port: &str| {
        let r = run(
            &fleet,
            &config,
            &[
                "logs",
                "host",
                "pop2",
                "--ssh",
                &format!("127.0.0.1:{port}"),
                "--log-dir",
                pop2_dir.to_str().unwrap_or_default(),
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    };
    set_pop2(&dead);
    let r = run(&fleet, &config, &["logs", "collect", "--accept-new-host-key", "--quiet"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("pop2") && r.stderr.contains("cannot reach"), "{}", r.stderr);
    let r = run(&fleet, &config, &["logs", "deliver", "--quiet"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("waiting for the files of pop2"), "{}", r.stderr);
    assert_eq!(std::fs::read_dir(&drop).expect("drop").count(), 0);
    assert!(smtp.messages().is_empty());

    // pop2 is back; one of pop0's archived files is damaged: named, dropped, fetched again.
    set_pop2(&sshd.port.to_string());
    let r = run(&fleet, &config, &["logs", "collect", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let archived = fleet.env.path("archive/www").join(&day).join("pop0").join(format!("www-{day}.w3c.log.gz"));
    let mut bytes = std::fs::read(&archived).expect("archived");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&archived, &bytes).expect("damage");
    let r = run(&fleet, &config, &["logs", "deliver", "--quiet"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("damaged in the archive") && r.stderr.contains("pop0"), "{}", r.stderr);
    assert!(smtp.messages().is_empty());
    let r = run(&fleet, &config, &["logs", "collect", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let fetched: u64 =
        r.json()["hosts"].as_array().map(|h| h.iter().filter_map(|x| x["fetched"].as_u64()).sum()).unwrap_or(0);
    assert_eq!(fetched, 1, "only the damaged file is fetched again");
    let r = run(&fleet, &config, &["logs", "deliver", "--quiet", "--accept-new-host-key"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let clf = gunzip(&drop.join(format!("www-{day}.log.gz")));
    assert_eq!(clf.lines().count(), 120, "all three hosts");
    assert_eq!(smtp.messages().len(), 1);
    // The journal has the failures and the steps.
    let r = run(&fleet, &config, &["audit", "list", "-o", "json"]);
    let text = r.stdout;
    assert!(text.contains("failed: ") && text.contains("logs deliver (notice sent)"), "{text}");
}

#[test]
fn an_incomplete_day_is_delivered_only_when_asked_and_says_so() {
    let (fleet, _sshd, smtp, config, drop, day) = setup();
    let r = run(&fleet, &config, &["logs", "collect", "--host", "pop0", "--accept-new-host-key", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(
        &fleet,
        &config,
        &["logs", "deliver", "--day", &day, "--accept-new-host-key", "--allow-incomplete", "--lang", "en"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(drop.join(format!("www-{day}.manifest.json"))).expect("manifest"))
            .expect("json");
    assert_eq!(manifest["missing_hosts"], serde_json::json!(["pop1", "pop2"]));
    assert_eq!(gunzip(&drop.join(format!("www-{day}.log.gz"))).lines().count(), 40, "pop0's lines only");
    let mails = smtp.messages();
    assert_eq!(mails.len(), 1);
    let body = mails[0].replace("=\n", "");
    assert!(
        body.contains("Access logs of www") && body.contains("incomplete delivery") && body.contains("pop1, pop2"),
        "{body}"
    );
}

#[test]
fn a_host_without_requests_that_day_does_not_hold_the_day_back() {
    let (fleet, _sshd, smtp, config, drop, day) = setup();
    // 2 January 2020: pop0 and pop1 served the site, pop2 saw no request (no file at all).
    for i in 0..2 {
        let dir = fleet.env.path(&format!("state-{i}/logs/www"));
        for suffix in [".log.gz", ".w3c.log.gz"] {
            std::fs::copy(dir.join(format!("www-{day}{suffix}")), dir.join(format!("www-2020-01-02{suffix}")))
                .expect("copy");
        }
    }
    let r = run(&fleet, &config, &["logs", "collect", "--accept-new-host-key", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&fleet, &config, &["logs", "list", "--site", "www", "-o", "json"]);
    let rows = r.json();
    let quiet: Vec<&serde_json::Value> =
        rows.as_array().expect("rows").iter().filter(|x| x["day"] == "2020-01-02" && x["host"] == "pop2").collect();
    assert_eq!(quiet.len(), 2, "{}", r.stdout);
    assert!(quiet.iter().all(|x| x["size"] == 0 && x["lines"] == 0));
    let r = run(&fleet, &config, &["logs", "deliver", "--day", "2020-01-02", "--accept-new-host-key"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(gunzip(&drop.join("www-2020-01-02.log.gz")).lines().count(), 80);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(drop.join("www-2020-01-02.manifest.json")).expect("manifest"))
            .expect("json");
    assert_eq!(manifest["hosts"], serde_json::json!(["pop0", "pop1", "pop2"]));
    assert_eq!(manifest["missing_hosts"], serde_json::json!([]));
    assert_eq!(smtp.messages().len(), 1);
}

use sha2::Digest as _;
