//! A host cut off the network during a fleet operation: one agent runs in its own network
//! namespace, linked to this one by a veth pair; its link goes down, a flush reaches the other
//! hosts within a bounded time-out and exits 3, the cut host's flush waits in the outbox and is
//! delivered once the link is back. Needs root and `ip netns` (as CI has); says so and stops
//! otherwise.

use crate::fleet::{Agent, Fleet};
use std::process::Command;
use std::time::{Duration, Instant};

fn ip(args: &[&str]) -> bool {
    Command::new("ip").args(args).output().is_ok_and(|o| o.status.success())
}

/// A namespace and a veth pair, removed on drop.
struct Netns {
    name: String,
    host_if: String,
    pub host_ip: String,
    pub ns_ip: String,
}

impl Netns {
    fn create() -> Option<Netns> {
        // One per test, tests of one process running at once: the process and a counter.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let k = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = std::process::id();
        let (a, b) = (200 + (id % 50), (id / 50) % 250);
        let n = Netns {
            name: format!("amoe-t{id}-{k}"),
            host_if: format!("amh{id}x{k}"),
            host_ip: format!("10.{a}.{b}.{}", 4 * k + 1),
            ns_ip: format!("10.{a}.{b}.{}", 4 * k + 2),
        };
        let ns_if = n.ns_if();
        let ok = ip(&["netns", "add", &n.name])
            && ip(&["link", "add", &n.host_if, "type", "veth", "peer", "name", &ns_if])
            && ip(&["link", "set", &ns_if, "netns", &n.name])
            && ip(&["addr", "add", &format!("{}/30", n.host_ip), "dev", &n.host_if])
            && ip(&["link", "set", &n.host_if, "up"])
            && ip(&["netns", "exec", &n.name, "ip", "addr", "add", &format!("{}/30", n.ns_ip), "dev", &ns_if])
            && ip(&["netns", "exec", &n.name, "ip", "link", "set", &ns_if, "up"])
            && ip(&["netns", "exec", &n.name, "ip", "link", "set", "lo", "up"]);
        if ok { Some(n) } else { None }
    }

    /// Cuts or restores the link from inside the namespace: packets to it are then dropped
    /// silently, as when a host vanishes.
    /// The namespace's end of the pair.
    fn ns_if(&self) -> String {
        self.host_if.replacen("amh", "amn", 1)
    }

    fn link(&self, up: bool) {
        let ns_if = self.ns_if();
        assert!(ip(&["netns", "exec", &self.name, "ip", "link", "set", &ns_if, if up { "up" } else { "down" }]));
        if up {
            // Forget the failed neighbour entry of the cut, then wait (bounded) until the host
            // answers again: "no route to host" right after the link comes back is the kernel's
            // memory, not the test's subject.
            ip(&["neigh", "flush", "dev", &self.host_if]);
            let target: std::net::SocketAddr = format!("{}:1", self.ns_ip).parse().expect("address");
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                match std::net::TcpStream::connect_timeout(&target, Duration::from_millis(200)) {
                    // Refused: the host is back (nothing listens on port 1).
                    Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return,
                    Ok(_) => return,
                    Err(_) => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        }
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        ip(&["link", "del", &self.host_if]);
        ip(&["netns", "del", &self.name]);
    }
}

/// Host `far`, enrolled, its agent configured to run inside `ns` (control and proxy ports
/// given); returns the agent (not started) and its state folder.
fn far_agent(fleet: &Fleet, ns: &Netns, control: u16, proxy: u16) -> (Agent, std::path::PathBuf) {
    let address = format!("{}:{control}", ns.ns_ip);
    fleet.ok(&["host", "add", "far", "--address", &address]);
    let bundle = fleet.env.path("bundle-far");
    fleet.ok(&["host", "enroll", "far", "--out", bundle.to_str().expect("utf8")]);
    let state = fleet.env.path("state-far");
    let config = fleet.env.path("agent-far.toml");
    std::fs::write(
        &config,
        format!(
            "state_dir = {state:?}\n[proxy]\nlisten = [\"{}:{proxy}\"]\n[control]\nlisten = \"{address}\"\nca = {:?}\ncert = {:?}\nkey = {:?}\ncrl = {:?}\n[admin]\n",
            ns.ns_ip,
            bundle.join("ca.pem"),
            bundle.join("server.pem"),
            bundle.join("server.key"),
            bundle.join("crl.pem")
        ),
    )
    .expect("config");
    (Agent::in_netns(&ns.name, config, state.clone(), address), state)
}

#[test]
fn a_host_cut_off_is_retried_later_while_the_others_are_served() {
    let Some(ns) = Netns::create() else {
        eprintln!(
            "note: cannot create a network namespace here (needs root and iproute2); this test needs CI's machine"
        );
        return;
    };
    let fleet = Fleet::new(2);
    // A third host, inside the namespace.
    let (mut far, _) = far_agent(&fleet, &ns, 17443, 18080);
    far.start();
    fleet.ok(&["site", "update", "www", "--add-host", "far"]);
    let r = fleet.ok(&["site", "push", "www"]);
    assert!(r.stdout.contains("3 of 3 hosts confirmed"), "{}", r.stdout);

    ns.link(false);
    let started = Instant::now();
    let r = fleet.run_env(&["flush", "www", "--all", "-o", "json"], &[("AMOE_HOST_TIMEOUT_MS", "2000")]);
    let took = started.elapsed();
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(took < Duration::from_secs(8), "bounded by the host time-out: {took:?}");
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    for h in report["hosts"].as_array().expect("hosts") {
        if h["host"] == "far" {
            assert_eq!(h["ok"], false);
            assert!(h["error"].as_str().is_some_and(|e| e.contains("did not answer")), "{h}");
        } else {
            assert_eq!(h["ok"], true, "{h}");
            assert!(h["latency_ms"].as_f64().is_some_and(|ms| ms < 1500.0), "the others are not held up: {h}");
        }
    }

    ns.link(true);
    let r = fleet.ok(&["outbox", "run", "--all"]);
    assert!(r.stdout.contains("1 of 1 hosts confirmed"), "{}", r.stdout);
    assert_eq!(fleet.ok(&["outbox", "list", "-o", "json"]).stdout.trim(), "[]");
    assert_eq!(far.applied().len(), 1, "the cut host applied the flush once");
    far.stop();
}

/// A host cut off between the phases of a deploy: the others are switched back, the cut host
/// is owed its switch-back, delivered by `amoe outbox run` once it is back, and every host ends
/// on one release; then the staged release switched everywhere.
#[test]
fn a_host_cut_off_during_the_switch_is_switched_back_when_it_returns() {
    let Some(ns) = Netns::create() else {
        eprintln!(
            "note: cannot create a network namespace here (needs root and iproute2); this test needs CI's machine"
        );
        return;
    };
    let fleet = Fleet::new(2);
    let (mut far, state) = far_agent(&fleet, &ns, 17444, 18081);
    far.start();
    fleet.ok(&["site", "update", "www", "--add-host", "far"]);
    let site = |v: &str| {
        let d = fleet.env.path(&format!("site-{v}"));
        std::fs::create_dir_all(&d).expect("dir");
        std::fs::write(d.join("index.html"), v).expect("index");
        d
    };
    let deploy = |args: &[&str]| -> serde_json::Value {
        let r = fleet.run_env(args, &[("AMOE_HOST_TIMEOUT_MS", "2000")]);
        serde_json::from_str(&r.stdout).unwrap_or_else(|_| panic!("{args:?}: {}{}", r.stdout, r.stderr))
    };
    let v1 = site("v1");
    let id1 = deploy(&["deploy", "www", v1.to_str().expect("utf8"), "-o", "json"])["release"]
        .as_str()
        .expect("id")
        .to_owned();
    let v2 = site("v2");
    let staged = deploy(&["deploy", "www", v2.to_str().expect("utf8"), "--stage", "-o", "json"]);
    let id2 = staged["release"].as_str().expect("id").to_owned();
    assert_eq!(staged["received"], true, "{staged}");
    let current = |dir: &std::path::Path| {
        std::fs::read_link(dir.join("releases/www/current")).ok().map(|p| p.display().to_string())
    };
    let all = || [current(&fleet.agents[0].state), current(&fleet.agents[1].state), current(&state)];

    ns.link(false);
    let r = fleet.run_env(&["deploy", "switch", "www", &id2, "-o", "json"], &[("AMOE_HOST_TIMEOUT_MS", "2000")]);
    assert_eq!(r.code, 3, "a switch-back is owed: {}{}", r.stdout, r.stderr);
    let rep: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(rep["rolled_back"], true);
    let far_row = rep["hosts"].as_array().expect("hosts").iter().find(|h| h["host"] == "far").expect("far");
    assert_eq!(far_row["owed"], true, "{far_row}");
    assert_eq!(all()[..2], [Some(id1.clone()), Some(id1.clone())], "the others are switched back");
    let owed = fleet.ok(&["outbox", "list", "-o", "json"]).json();
    assert_eq!(owed[0]["kind"], "switch");

    ns.link(true);
    let r = fleet.ok(&["outbox", "run", "--all"]);
    assert!(r.stdout.contains("1 of 1 hosts confirmed"), "{}", r.stdout);
    assert_eq!(all(), [Some(id1.clone()), Some(id1.clone()), Some(id1.clone())], "one release everywhere");

    // The staged release, switched when every host answers, ends as a direct deploy does.
    let r = fleet.run(&["deploy", "switch", "www", &id2]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(all(), [Some(id2.clone()), Some(id2.clone()), Some(id2)]);
    far.stop();
}
