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
        let id = std::process::id();
        let (a, b) = (200 + (id % 50), (id / 50) % 250);
        let n = Netns {
            name: format!("amoe-t{id}"),
            host_if: format!("amh{id}"),
            host_ip: format!("10.{a}.{b}.1"),
            ns_ip: format!("10.{a}.{b}.2"),
        };
        let ns_if = format!("amn{id}");
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
    fn link(&self, up: bool) {
        let ns_if = format!("amn{}", std::process::id());
        assert!(ip(&["netns", "exec", &self.name, "ip", "link", "set", &ns_if, if up { "up" } else { "down" }]));
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        ip(&["link", "del", &self.host_if]);
        ip(&["netns", "del", &self.name]);
    }
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
    let control = 17443;
    let address = format!("{}:{control}", ns.ns_ip);
    fleet.ok(&["host", "add", "far", "--address", &address]);
    let bundle = fleet.env.path("bundle-far");
    fleet.ok(&["host", "enroll", "far", "--out", bundle.to_str().expect("utf8")]);
    let state = fleet.env.path("state-far");
    let config = fleet.env.path("agent-far.toml");
    std::fs::write(
        &config,
        format!(
            "state_dir = {state:?}\n[proxy]\nlisten = [\"{}:18080\"]\n[control]\nlisten = \"{address}\"\nca = {:?}\ncert = {:?}\nkey = {:?}\ncrl = {:?}\n[admin]\n",
            ns.ns_ip,
            bundle.join("ca.pem"),
            bundle.join("server.pem"),
            bundle.join("server.key"),
            bundle.join("crl.pem")
        ),
    )
    .expect("config");
    let mut far = Agent::in_netns(&ns.name, config, state, address.clone());
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
