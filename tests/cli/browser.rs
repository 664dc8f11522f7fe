//! The extranet in a real browser: headless Chromium driven through WebDriver (the Debian
//! `chromium` and `chromium-driver` packages, which `scripts/test.sh` installs) against the
//! real server, a real agent and a real SMTP server. A beneficiary signs in, reads a site's
//! statistics chart, opens a ticket with an attachment, comments, and purges a page, whose next
//! request to the agent misses. axe-core (the npm package, which `scripts/test.sh` installs
//! under `target/npm`) checks every main page for serious or critical accessibility
//! violations (RGAA), at a desktop and a phone width. Screenshots of the main pages are kept
//! in `target/tmp/extranet-screenshots/`.
//!
//! The WebDriver client is these few calls over HTTP/1.1 and JSON (W3C WebDriver): a client
//! crate would bring a second HTTP and TLS stack into the build for them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::extranet::{Server, set_password};
use crate::fleet::{Fleet, free_port, get};
use crate::servers::Smtp;
use crate::support::Env;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver, stopped (by its PID) when dropped, with one browser session.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.call("DELETE", &format!("/session/{}", self.session), None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn chromedriver() -> &'static str {
    let path = "/usr/bin/chromedriver";
    assert!(
        std::path::Path::new(path).exists() && std::path::Path::new("/usr/bin/chromium").exists(),
        "Chromium and ChromeDriver are needed: `bash scripts/test.sh` installs them (apt-get install chromium chromium-driver)"
    );
    path
}

fn axe_source() -> String {
    let path = std::env::var_os("AMOE_AXE_JS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/npm/node_modules/axe-core/axe.min.js")
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("axe-core is needed at {} ({e}): `bash scripts/test.sh` installs it (npm install --prefix target/npm axe-core)", path.display())
    })
}

impl Browser {
    fn start() -> Browser {
        let port = free_port();
        let driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().expect("profile");
        let mut b = Browser { driver, port, session: String::new(), _profile: profile };
        let args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            format!("--user-data-dir={}", b._profile.path().display()),
            "--window-size=1280,900".into(),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}
        }}});
        let v = b.call("POST", "/session", Some(&caps)).expect("a browser session");
        b.session = v["sessionId"].as_str().expect("session id").to_owned();
        b
    }

    /// One WebDriver command: its `value`, or the error WebDriver gave.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(60))).map_err(|e| e.to_string())?;
        let body = body.map(Value::to_string).unwrap_or_default();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .map_err(|e| e.to_string())?;
        // chromedriver keeps the connection open: read the head, then the body it announces.
        let mut r = std::io::BufReader::new(s);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if std::io::BufRead::read_line(&mut r, &mut line).map_err(|e| e.to_string())? == 0 || line == "\r\n" {
                break;
            }
            head.push_str(&line.to_ascii_lowercase());
        }
        let json_text = if head.contains("transfer-encoding: chunked") {
            let mut body = Vec::new();
            loop {
                let mut size = String::new();
                std::io::BufRead::read_line(&mut r, &mut size).map_err(|e| e.to_string())?;
                let n = usize::from_str_radix(size.trim(), 16).map_err(|e| e.to_string())?;
                let mut chunk = vec![0u8; n + 2];
                r.read_exact(&mut chunk).map_err(|e| e.to_string())?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
            String::from_utf8_lossy(&body).into_owned()
        } else {
            let n: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .ok_or("no Content-Length")?;
            let mut body = vec![0u8; n];
            r.read_exact(&mut body).map_err(|e| e.to_string())?;
            String::from_utf8_lossy(&body).into_owned()
        };
        let v: Value = serde_json::from_str(&json_text).map_err(|e| format!("{e}: {json_text}"))?;
        if v["value"]["error"].is_string() {
            return Err(format!("{} {path}: {}", method, v["value"]));
        }
        Ok(v["value"].clone())
    }

    fn cmd(&self, method: &str, what: &str, body: Value) -> Value {
        let path = format!("/session/{}{what}", self.session);
        let body = (!body.is_null()).then_some(&body);
        self.call(method, &path, body).unwrap_or_else(|e| panic!("{e}"))
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", json!({"url": url}));
    }

    fn find(&self, css: &str) -> String {
        let v = self.cmd("POST", "/element", json!({"using": "css selector", "value": css}));
        v[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}")).to_owned()
    }

    fn type_in(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/value"), json!({"text": text}));
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/click"), json!({}));
    }

    /// Clicks a form's button and waits (10 s at most) until the answer's page is loaded: the
    /// mark left on the old page is gone and the new one is complete.
    fn submit(&self, css: &str) {
        self.script("window.__amoe_old_page = true;");
        self.click(css);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v = self.script("return window.__amoe_old_page === undefined && document.readyState === 'complete';");
            if v.as_bool() == Some(true) {
                return;
            }
            assert!(Instant::now() < deadline, "no new page after clicking {css}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn script(&self, js: &str) -> Value {
        self.cmd("POST", "/execute/sync", json!({"script": js, "args": []}))
    }

    fn text(&self) -> String {
        self.script("return document.body.innerText;").as_str().unwrap_or_default().to_owned()
    }

    fn url(&self) -> String {
        self.cmd("GET", "/url", Value::Null).as_str().unwrap_or_default().to_owned()
    }

    fn size(&self, width: u32, height: u32) {
        self.cmd("POST", "/window/rect", json!({"width": width, "height": height}));
    }

    fn screenshot(&self, name: &str) {
        use base64::Engine;
        let v = self.cmd("GET", "/screenshot", Value::Null);
        let png = base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap_or_default()).expect("png");
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("extranet-screenshots");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot");
    }

    /// axe-core's serious and critical violations on the page (WCAG 2 A and AA rules).
    fn axe(&self, source: &str) -> Vec<String> {
        let js = format!(
            "{source}\nconst done = arguments[arguments.length - 1];\naxe.run(document, {{runOnly: {{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}}}).then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')'))).catch(e => done(['axe failed: ' + e]));"
        );
        let v = self.cmd("POST", "/execute/async", json!({"script": js, "args": []}));
        v.as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
            .unwrap_or_else(|| vec![format!("axe said {v}")])
    }
}

#[test]
fn a_beneficiary_uses_the_extranet_in_a_real_browser_and_every_main_page_is_accessible() {
    let axe = axe_source();
    let fleet = Fleet::new(1);
    let env = &fleet.env;
    fleet.ok(&["site", "push", "www"]);
    let port = free_port();
    env.config(&format!("{}[logs]\narchive = {:?}\n", Env::mail_table(port), env.path("archive")));
    env.archive_w3c("www", "2026-11-02", &[("/a", "0.1", "HIT"), ("/b", "0.2", "HIT"), ("/c", "3.0", "MISS")]);
    env.archive_w3c("www", "2026-11-03", &[("/a", "0.1", "HIT"), ("/d", "2.5", "MISS")]);
    fleet.ok(&["user", "add", "admin@ops.example", "--name", "Admin", "--admin", "--login", "tester"]);
    fleet.ok(&["user", "add", "dsi@insee.fr", "--name", "DSI"]);
    fleet.ok(&["project", "add", "portail", "--label", "Portail"]);
    fleet.ok(&["space", "add", "insee", "--member", "dsi@insee.fr"]);
    fleet.ok(&["acl", "grant", "dsi@insee.fr", "portail", "write"]);
    fleet.ok(&["space", "link", "insee", crate::support::SIRET]);
    let smtp = Smtp::start(&env.path("maildir"), port);
    let web = free_port();
    let srv = Server::spawn(fleet.cmd("op", &["extranet", "serve", "--listen", &format!("127.0.0.1:{web}")]), web);
    let password = set_password(env, &srv, &smtp, "dsi@insee.fr");
    // `localhost`: a secure context, where the browser keeps `Secure` cookies over plain HTTP.
    let base = format!("http://localhost:{web}");

    let b = Browser::start();
    let mut problems: Vec<String> = Vec::new();
    let mut check = |b: &Browser, name: &str| {
        b.screenshot(name);
        for v in b.axe(&axe) {
            problems.push(format!("{name}: {v}"));
        }
    };

    // Sign in.
    b.go(&format!("{base}/login"));
    check(&b, "login");
    b.type_in("#email", "dsi@insee.fr");
    b.type_in("#password", &password);
    b.submit("button[type=submit]");
    assert!(b.text().contains("Bonjour DSI"), "signed in: {}", b.text());
    check(&b, "home");

    // The site, its statistics and their chart.
    b.go(&format!("{base}/sites"));
    check(&b, "sites");
    b.submit("a[href^='/sites/www']");
    assert!(b.text().contains("Règles en vigueur"));
    check(&b, "site");
    b.go(&format!("{base}/sites/www/stats?from=2026-11-01&to=2026-11-30"));
    let chart =
        b.script("const i = document.querySelector('figure img'); return i && i.complete ? i.naturalWidth : 0;");
    assert!(chart.as_u64().unwrap_or(0) > 0, "the chart is drawn: {chart}");
    assert!(b.text().contains("2026-11-02") && b.text().contains("60.0 %"), "{}", b.text());
    check(&b, "statistics");

    // A ticket with an attachment, then a comment.
    let file = env.path("capture.pdf");
    std::fs::write(&file, b"%PDF-1.4\n% a capture of the broken page\n").expect("pdf");
    b.go(&format!("{base}/tickets/new"));
    check(&b, "ticket-new");
    b.type_in("#title", "La page d'accueil ne s'affiche plus");
    b.type_in("#body", "Depuis ce matin, erreur 502.");
    b.type_in("#file", file.to_str().expect("utf8"));
    b.submit("button[type=submit]");
    assert!(b.url().ends_with("/tickets/1?lang=fr"), "{}", b.url());
    assert!(b.text().contains("capture.pdf") && b.text().contains("erreur 502"), "{}", b.text());
    b.type_in("#text", "Toujours en erreur à 14 h.");
    b.submit("button[type=submit]");
    assert!(b.text().contains("Toujours en erreur à 14 h."), "{}", b.text());
    check(&b, "ticket");
    b.go(&format!("{base}/tickets"));
    check(&b, "tickets");
    b.go(&format!("{base}/deposits"));
    check(&b, "deposits");
    b.go(&format!("{base}/account/totp"));
    check(&b, "second-factor");

    // Purge a page: the agent had it cached; the next request misses.
    let proxy = fleet.agents[0].proxy;
    get(proxy, "/a");
    assert_eq!(get(proxy, "/a"), "HIT");
    b.go(&format!("{base}/sites/www/flush"));
    check(&b, "flush");
    b.type_in("#urls", "/a");
    b.submit("button[type=submit]");
    assert!(b.text().contains("Purge faite sur tous les serveurs"), "{}", b.text());
    check(&b, "flush-done");
    assert_eq!(get(proxy, "/a"), "MISS", "purged: the next request misses");

    // A phone's width: no page is wider than the screen, and axe still finds nothing.
    b.size(375, 812);
    for (name, path) in [
        ("phone-statistics", "/sites/www/stats?from=2026-11-01&to=2026-11-30"),
        ("phone-ticket", "/tickets/1"),
        ("phone-flush", "/sites/www/flush"),
        ("phone-home", "/"),
    ] {
        b.go(&format!("{base}{path}"));
        let wide = b.script("return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assert!(wide.as_i64().unwrap_or(1) <= 0, "{path} is wider than a phone by {wide} px");
        check(&b, name);
    }
    // English too.
    b.go(&format!("{base}/sites?lang=en"));
    assert!(b.text().contains("Your sites"));
    check(&b, "sites-en");
    assert!(problems.is_empty(), "accessibility violations:\n{}", problems.join("\n"));
}
