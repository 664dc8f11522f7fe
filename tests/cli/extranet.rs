//! `amoe extranet serve` as a real process on loopback, driven over raw HTTP: a password set
//! from a link mailed through a real SMTP server (aiosmtpd), sign-in, sessions, CSRF, the
//! brute-force limit, fixation, escaping and the security headers.

use crate::fleet::{Fleet, free_port, get};
use crate::servers::Smtp;
use crate::support::Env;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};

/// The extranet server, stopped (by its PID) when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(env: &Env) -> Server {
        let port = free_port();
        Server::spawn(env.cmd(&["extranet", "serve", "--listen", &format!("127.0.0.1:{port}")]), port)
    }

    /// Runs `cmd`, an `amoe extranet serve` listening on `port`.
    pub(crate) fn spawn(mut cmd: Command, port: u16) -> Server {
        cmd.stderr(Stdio::null());
        Server::spawn_logged(cmd, port)
    }

    /// [`Server::spawn`] with `cmd`'s standard error as the caller set it.
    pub(crate) fn spawn_logged(mut cmd: Command, port: u16) -> Server {
        let child = cmd.stdout(Stdio::null()).spawn().expect("extranet serve");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "the extranet did not listen on {port}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Server { child, port }
    }

    /// One request: (status, headers lowercased, body).
    fn call(&self, method: &str, path: &str, cookies: &[String], form: Option<&str>) -> Answer {
        let body = form.map(|f| ("application/x-www-form-urlencoded", f.as_bytes()));
        self.send(method, path, cookies, body)
    }

    /// A `multipart/form-data` POST: text fields, and a file field `file` if given.
    fn upload(&self, path: &str, cookies: &[String], fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Answer {
        let boundary = "amoe-test-boundary-7f3a";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        if let Some((name, bytes)) = file {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let kind = format!("multipart/form-data; boundary={boundary}");
        self.send("POST", path, cookies, Some((&kind, &body)))
    }

    fn send(&self, method: &str, path: &str, cookies: &[String], body: Option<(&str, &[u8])>) -> Answer {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(std::time::Duration::from_secs(20))).expect("timeout");
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        if !cookies.is_empty() {
            head.push_str(&format!("Cookie: {}\r\n", cookies.join("; ")));
        }
        if let Some((kind, bytes)) = body {
            head.push_str(&format!("Content-Type: {kind}\r\nContent-Length: {}\r\n", bytes.len()));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).expect("write");
        // The server may answer (413) and close before the whole body is sent.
        let _ = s.write_all(body.map_or(&[][..], |(_, b)| b));
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines.next().and_then(|l| l.get(9..12)).and_then(|c| c.parse().ok()).unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Answer { status, headers, body: body.to_string() }
    }
}

#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The `name=value` of a cookie set by the answer, and its whole line.
    fn cookie(&self, name: &str) -> Option<(String, String)> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .find(|(_, v)| v.starts_with(&format!("{name}=")))
            .map(|(_, v)| (v.split(';').next().unwrap_or_default().to_string(), v.clone()))
    }

    /// The value of a hidden field of the page's form.
    fn field(&self, name: &str) -> String {
        let at = self.body.find(&format!("name=\"{name}\" value=\"")).expect("field");
        let rest = &self.body[at + name.len() + 15..];
        rest[..rest.find('"').expect("end")].to_string()
    }
}

/// The token of the set-password link in a mail (quoted-printable undone).
fn link_token(mail: &str) -> String {
    let mail = mail.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let at = mail.find("/password?token=").expect("link in the mail");
    mail[at + 16..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A form page fetched: its pre-sign-in cookie and CSRF field.
fn form_of(srv: &Server, path: &str) -> (String, String) {
    let a = srv.call("GET", path, &[], None);
    assert_eq!(a.status, 200, "{path}: {}", a.body);
    let (cookie, _) = a.cookie("__Host-amoe_pre").expect("pre cookie");
    (cookie, a.field("csrf"))
}

fn sign_in(srv: &Server, email: &str, password: &str, extra: &[String]) -> Answer {
    let (cookie, csrf) = form_of(srv, "/login");
    let mut cookies = vec![cookie];
    cookies.extend_from_slice(extra);
    srv.call("POST", "/login", &cookies, Some(&format!("csrf={csrf}&email={}&password={}", enc(email), enc(password))))
}

#[test]
fn an_account_sets_its_password_from_a_mailed_link_and_signs_in_safely() {
    let env = Env::new();
    let port = free_port();
    env.mail_config(port);
    env.ok(&["user", "add", "admin@ops.example", "--name", "Admin", "--admin", "--login", "tester"]);
    env.ok(&["user", "add", "dsi@mairie.example", "--name", "<script>alert(1)</script>"]);
    let srv = Server::start(&env);
    let url = format!("http://127.0.0.1:{}", srv.port);

    // No mail server: a clear error, and no link anyone could use.
    let r = env.fails(1, &["user", "password", "dsi@mairie.example", "--url", &url]);
    assert!(r.stderr.contains("could not be sent"), "{}", r.stderr);
    env.fails(1, &["user", "password", "nobody@mairie.example", "--url", &url]);
    env.fails(2, &["user", "password", "dsi@mairie.example"]);

    let smtp = Smtp::start(&env.path("maildir"), port);
    let sent = env.ok(&["user", "password", "dsi@mairie.example", "--url", &url, "-o", "json"]);
    assert!(!sent.stdout.contains("token"), "the link is never shown: {}", sent.stdout);
    let mails = smtp.messages();
    assert_eq!(mails.len(), 1);
    let token = link_token(&mails[0]);
    assert_eq!(token.len(), 43, "{}", mails[0]);

    // The link: a bad token, no form token, too short, different, then right; once only.
    assert_eq!(srv.call("GET", "/password?token=nope", &[], None).status, 400);
    let path = format!("/password?token={token}");
    let (cookie, csrf) = form_of(&srv, &path);
    let post = |cookies: &[String], body: String| srv.call("POST", "/password", cookies, Some(&body));
    let good = "correct horse battery staple";
    assert_eq!(
        post(&[], format!("csrf={csrf}&token={token}&password={}&confirm={}", enc(good), enc(good))).status,
        403
    );
    assert_eq!(
        post(std::slice::from_ref(&cookie), format!("csrf={csrf}&token={token}&password=short&confirm=short")).status,
        400
    );
    let other = format!("csrf={csrf}&token={token}&password={}&confirm={}", enc(good), enc("something else entirely"));
    assert_eq!(post(std::slice::from_ref(&cookie), other).status, 400);
    let set = post(
        std::slice::from_ref(&cookie),
        format!("csrf={csrf}&token={token}&password={}&confirm={}", enc(good), enc(good)),
    );
    assert_eq!((set.status, set.header("location")), (303, Some("/login?set=1")), "{}", set.body);
    assert_eq!(srv.call("GET", &path, &[], None).status, 400, "a link serves once");

    // Sign-in: wrong password, then right; a cookie planted before is not reused (fixation).
    assert_eq!(sign_in(&srv, "dsi@mairie.example", "wrong password!", &[]).status, 401);
    let planted = "__Host-amoe_session=planted-by-an-attacker".to_string();
    let ok = sign_in(&srv, "DSI@mairie.example", good, std::slice::from_ref(&planted));
    assert_eq!(ok.status, 303, "{}", ok.body);
    let (session, line) = ok.cookie("__Host-amoe_session").expect("session cookie");
    assert_ne!(session, planted);
    let set: Vec<&String> = ok
        .headers
        .iter()
        .filter(|(k, v)| k == "set-cookie" && v.starts_with("__Host-amoe_session="))
        .map(|(_, v)| v)
        .collect();
    assert_eq!(set.len(), 1, "one session cookie set, the new one: {set:?}");
    for flag in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(line.contains(flag), "{line}");
    }
    assert_eq!(srv.call("GET", "/", &[planted], None).status, 303, "the planted id opens nothing");
    let home = srv.call("GET", "/", std::slice::from_ref(&session), None);
    assert_eq!(home.status, 200);
    assert!(home.body.contains("dsi@mairie.example"), "{}", home.body);
    assert!(
        home.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !home.body.contains("<script>"),
        "escaped: {}",
        home.body
    );
    let csp = home.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    for (h, v) in
        [("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer"), ("x-frame-options", "DENY")]
    {
        assert_eq!(home.header(h), Some(v));
    }
    assert!(home.header("strict-transport-security").is_some_and(|v| v.contains("max-age=")));
    assert_eq!(srv.call("GET", "/nope", &[], None).status, 404);
    assert!(srv.call("GET", "/?lang=en", std::slice::from_ref(&session), None).body.contains("Sign out"));

    // Sign-out needs the session's token; everywhere ends the other sessions too.
    let csrf = home.field("csrf");
    assert_eq!(srv.call("POST", "/logout", std::slice::from_ref(&session), Some("csrf=forged")).status, 403);
    assert_eq!(srv.call("GET", "/", std::slice::from_ref(&session), None).status, 200, "still signed in");
    let (second, _) = sign_in(&srv, "dsi@mairie.example", good, &[]).cookie("__Host-amoe_session").expect("second");
    let out = srv.call("POST", "/logout", std::slice::from_ref(&session), Some(&format!("csrf={csrf}&everywhere=1")));
    assert_eq!(out.status, 303);
    assert_eq!(srv.call("GET", "/", &[session], None).status, 303);
    assert_eq!(srv.call("GET", "/", &[second], None).status, 303, "signed out everywhere");

    // What is typed as an e-mail reaches the journal without control characters (a failure,
    // and the tenth from this address).
    assert_eq!(sign_in(&srv, "evil\u{1b}[2J@x.example", "whatever password", &[]).status, 401);
    let journal = env.ok(&["audit", "list", "-o", "json"]).stdout;
    assert!(journal.contains("evil[2j@x.example") && !journal.contains("\\u001b"), "escape kept out");

    // Brute force: ten failures, then even the right password is refused for a while.
    for i in 0..8 {
        assert_eq!(sign_in(&srv, "dsi@mairie.example", &format!("guess number {i}"), &[]).status, 401);
    }
    let eleventh = sign_in(&srv, "dsi@mairie.example", good, &[]);
    assert_eq!(eleventh.status, 429, "{}", eleventh.body);
    assert!(eleventh.body.contains("Trop de tentatives"), "{}", eleventh.body);
    // A sign-in form posted from elsewhere (no matching cookie) does nothing.
    let (_, csrf) = form_of(&srv, "/login");
    let forged = srv.call("POST", "/login", &[], Some(&format!("csrf={csrf}&email=a%40b.c&password=x")));
    assert_eq!(forged.status, 403);

    // All of it is in the audit journal.
    let journal = env.ok(&["audit", "list", "-o", "json"]).stdout;
    for what in [
        "extranet sign-in",
        "signed in",
        "wrong e-mail or password",
        "too many failed attempts",
        "extranet password",
        "signed out everywhere",
        "user password",
        "a session cookie this server does not know",
    ] {
        assert!(journal.contains(what), "{what} not journaled");
    }
    assert!(!journal.contains(&token), "no token in the journal");
}

/// The password of `email` set through its link (mailed through `smtp`); returns it.
pub(crate) fn set_password(env: &Env, srv: &Server, smtp: &Smtp, email: &str) -> String {
    let before = smtp.messages();
    env.ok(&["user", "password", email, "--url", &format!("http://127.0.0.1:{}", srv.port)]);
    // The link just mailed to them (an older one is out of use; ticket notices may come too).
    let fresh: Vec<String> = smtp
        .messages()
        .into_iter()
        .filter(|m| !before.contains(m) && m.contains(&format!("To: {email}")) && m.contains("password?token"))
        .collect();
    assert_eq!(fresh.len(), 1, "one new link");
    let token = link_token(&fresh[0]);
    let (cookie, csrf) = form_of(srv, &format!("/password?token={token}"));
    let password = format!("a long password for {email}");
    let p = enc(&password);
    let set =
        srv.call("POST", "/password", &[cookie], Some(&format!("csrf={csrf}&token={token}&password={p}&confirm={p}")));
    assert_eq!(set.status, 303, "{}", set.body);
    password
}

#[test]
fn an_account_sees_the_sites_of_its_spaces_and_no_other() {
    let env = Env::new();
    env.seed();
    let other = "21750001600019";
    env.ok(&["beneficiary", "add", "--siret", other, "--name", "Mairie", "--lot", "9"]);
    env.ok(&[
        "site",
        "add",
        "mairie",
        "--domain",
        "www.mairie.fr",
        "--beneficiary",
        other,
        "--origin",
        "https://o.mairie.fr",
        "--host",
        "pop2",
    ]);
    let port = free_port();
    env.mail_config(port);
    env.ok(&["user", "add", "admin@ops.example", "--name", "Admin", "--admin", "--login", "tester"]);
    env.ok(&["user", "add", "dsi@insee.fr", "--name", "DSI INSEE"]);
    env.ok(&["space", "add", "insee", "--member", "dsi@insee.fr"]);
    // Bad input: an unknown space or beneficiary, named; a link that is not there.
    env.fails(1, &["space", "link", "nosuch", crate::support::SIRET]);
    env.fails(1, &["space", "link", "insee", "21750001600027"]);
    env.fails(1, &["space", "unlink", "insee", other]);
    env.ok(&["space", "link", "insee", crate::support::SIRET]);

    let smtp = Smtp::start(&env.path("maildir"), port);
    let srv = Server::start(&env);
    assert_eq!(srv.call("GET", "/sites", &[], None).status, 303, "signed out: to the sign-in page");
    let password = set_password(&env, &srv, &smtp, "dsi@insee.fr");
    let (session, _) = sign_in(&srv, "dsi@insee.fr", &password, &[]).cookie("__Host-amoe_session").expect("session");
    let me = std::slice::from_ref(&session);
    let list = srv.call("GET", "/sites", me, None);
    assert_eq!(list.status, 200);
    assert!(list.body.contains("www.example.fr") && list.body.contains("pop1 (Paris)"), "{}", list.body);
    assert!(!list.body.contains("mairie"), "another beneficiary's site is not listed: {}", list.body);
    let www = srv.call("GET", "/sites/www", me, None);
    assert_eq!(www.status, 200);
    assert!(www.body.contains("Règles en vigueur") && www.body.contains("example.fr"), "{}", www.body);
    // Another beneficiary's site answers as one that does not exist.
    let theirs = srv.call("GET", "/sites/mairie", me, None);
    let none = srv.call("GET", "/sites/nosuch", me, None);
    assert_eq!((theirs.status, none.status), (404, 404));
    assert_eq!(theirs.body, none.body);
    // Unlinked, the site is gone from the account's view; an administrator sees every site.
    env.ok(&["space", "unlink", "insee", crate::support::SIRET]);
    assert_eq!(srv.call("GET", "/sites/www", me, None).status, 404);
    let admin = account(&env, &srv, &smtp, "admin@ops.example");
    let all = srv.call("GET", "/sites", &[admin], None);
    assert!(all.body.contains("www.example.fr") && all.body.contains("www.mairie.fr"), "{}", all.body);
}

/// An account with its password set and signed in: its session cookie. An administrator
/// sets up its second factor on the way, as the server requires.
fn account(env: &Env, srv: &Server, smtp: &Smtp, email: &str) -> String {
    let password = set_password(env, srv, smtp, email);
    let a = sign_in(srv, email, &password, &[]);
    let session = a.cookie("__Host-amoe_session").expect("session").0;
    if a.header("location") == Some("/account/totp") { enrol(srv, &session).0 } else { session }
}

/// The 6-digit code of a base32 key, `offset` steps from now (RFC 6238, the test's own).
pub(crate) fn totp(key: &str, offset: i64) -> String {
    let secret = data_encoding::BASE32_NOPAD.decode(key.as_bytes()).expect("base32");
    let step = jiff::Timestamp::now().as_second().div_euclid(30) + offset;
    let mac = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &secret),
        &step.to_be_bytes(),
    );
    let h = mac.as_ref();
    let at = usize::from(h[19] & 0x0f);
    format!("{:06}", u32::from_be_bytes([h[at] & 0x7f, h[at + 1], h[at + 2], h[at + 3]]) % 1_000_000)
}

/// Sets up the second factor of the session's account: its new session cookie (the session
/// gains its rights under a new id), the key, and the code given.
fn enrol(srv: &Server, session: &str) -> (String, String, String) {
    let me = [session.to_owned()];
    let page = srv.call("GET", "/account/totp", &me, None);
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = page.field("csrf");
    let started = srv.call("POST", "/account/totp", &me, Some(&format!("csrf={csrf}&action=start")));
    assert_eq!(started.status, 200, "{}", started.body);
    let at = started.body.find("<code id=\"key\">").expect("the key is shown") + 15;
    let key = started.body[at..].split('<').next().unwrap_or_default().to_owned();
    let code = totp(&key, 0);
    let done = srv.call("POST", "/account/totp", &me, Some(&format!("csrf={csrf}&action=confirm&code={code}")));
    assert_eq!(done.status, 303, "{}", done.body);
    let fresh = done.cookie("__Host-amoe_session").map(|c| c.0).unwrap_or_else(|| session.to_owned());
    (fresh, key, code)
}

/// The field `name` of the CSV's row `period`.
fn csv_cell(csv: &str, period: &str, name: &str) -> String {
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let col = head.iter().position(|h| *h == name).expect("column");
    let row = lines.find(|l| l.starts_with(&format!("{period},"))).expect("row");
    row.split(',').nth(col).unwrap_or_default().to_string()
}

#[test]
fn a_beneficiary_reads_its_statistics_and_purges_its_own_pages_on_real_agents() {
    let fleet = Fleet::new(2);
    let env = &fleet.env;
    fleet.ok(&["site", "push", "www"]);
    // A second beneficiary's site, on the same hosts.
    let other = "21750001600019";
    fleet.ok(&["beneficiary", "add", "--siret", other, "--name", "Mairie", "--lot", "9"]);
    fleet.ok(&[
        "site",
        "add",
        "mairie",
        "--domain",
        "www.mairie.test",
        "--beneficiary",
        other,
        "--origin",
        "http://127.0.0.1:9",
        "--host",
        "pop0",
    ]);
    let port = free_port();
    env.config(&format!("{}[logs]\narchive = {:?}\n", Env::mail_table(port), env.path("archive")));
    // Two days of www's logs, one of mairie's: the ground truth of the figures.
    env.archive_w3c("www", "2026-11-02", &[("/a", "0.1", "HIT"), ("/b", "0.2", "HIT"), ("/c", "3.0", "MISS")]);
    env.archive_w3c("www", "2026-11-03", &[("/a", "0.1", "HIT"), ("/d", "2.5", "MISS")]);
    env.archive_w3c("mairie", "2026-11-02", &[("/m", "0.1", "HIT")]);
    fleet.ok(&["user", "add", "admin@ops.example", "--name", "Admin", "--admin", "--login", "tester"]);
    fleet.ok(&["project", "add", "portail", "--label", "Portail"]);
    for u in ["writer", "reader"] {
        fleet.ok(&["user", "add", &format!("{u}@b.example"), "--name", u]);
    }
    fleet.ok(&["space", "add", "b", "--member", "writer@b.example", "--member", "reader@b.example"]);
    fleet.ok(&["acl", "grant", "writer@b.example", "portail", "write"]);
    fleet.ok(&["acl", "grant", "reader@b.example", "portail", "read"]);
    fleet.ok(&["space", "link", "b", crate::support::SIRET]);

    let smtp = Smtp::start(&env.path("maildir"), port);
    let web = free_port();
    let log = env.path("extranet.log");
    let mut cmd = fleet.cmd("op", &["extranet", "serve", "--listen", &format!("127.0.0.1:{web}")]);
    cmd.stderr(std::fs::File::create(&log).expect("log"));
    let srv = Server::spawn_logged(cmd, web);
    // The archive is read ahead at start (both sites, three days), 10 s at most.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !std::fs::read_to_string(&log).unwrap_or_default().contains("statistics of 2 site(s) ready, 3 day(s)") {
        assert!(std::time::Instant::now() < deadline, "{}", std::fs::read_to_string(&log).unwrap_or_default());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let writer = account(env, &srv, &smtp, "writer@b.example");
    let reader = account(env, &srv, &smtp, "reader@b.example");
    let w = std::slice::from_ref(&writer);
    let r = std::slice::from_ref(&reader);

    assert!(srv.call("GET", "/", r, None).body.contains("Vos sites</a> (1)"), "one site on the home page");
    // Statistics: the page, its chart and downloads agree with the logs.
    let range = "from=2026-11-01&to=2026-11-30";
    let page = srv.call("GET", &format!("/sites/www/stats?{range}"), r, None);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("<th scope=\"row\">2026-11-02</th>")
            && page.body.contains("<th scope=\"row\">2026-11-03</th>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<img src=\"/sites/www/stats.svg?") && page.body.contains("alt=\""),
        "a chart with its text: {}",
        page.body
    );
    let csv = srv.call("GET", &format!("/sites/www/stats.csv?{range}"), r, None);
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-disposition").is_some_and(|d| d.starts_with("attachment")), "{:?}", csv.headers);
    assert_eq!(csv_cell(&csv.body, "total", "requests"), "5");
    assert_eq!(csv_cell(&csv.body, "total", "bytes"), "5000");
    assert_eq!(csv_cell(&csv.body, "total", "visitors"), "5");
    assert_eq!(csv_cell(&csv.body, "total", "cdn_share_requests"), "0.6");
    assert_eq!(csv_cell(&csv.body, "total", "share_under_2s"), "0.6");
    assert_eq!(csv_cell(&csv.body, "2026-11-02", "requests"), "3");
    assert_eq!(csv_cell(&csv.body, "2026-11-03", "cdn_share_requests"), "0.5");
    let month = srv.call("GET", &format!("/sites/www/stats.csv?{range}&by=month"), r, None);
    assert_eq!(csv_cell(&month.body, "2026-11", "requests"), "5");
    assert_eq!(month.body.lines().count(), 3, "a title, the total, one month: {}", month.body);
    let svg = srv.call("GET", &format!("/sites/www/stats.svg?{range}"), r, None);
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert!(svg.body.contains("<svg") && svg.body.contains("2026-11-02: 3 requêtes"), "{}", svg.body);
    let xlsx = srv.call("GET", &format!("/sites/www/stats.xlsx?{range}"), r, None);
    assert!(xlsx.status == 200 && xlsx.body.starts_with("PK"), "an xlsx (zip) file");
    // A bad range is said; another beneficiary's statistics do not exist.
    let bad = srv.call("GET", "/sites/www/stats?from=2026-11-30&to=2026-11-01", r, None);
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("Période invalide"), "{}", bad.body);
    for path in ["/sites/mairie/stats", "/sites/mairie/stats.csv", "/sites/mairie/stats.svg", "/sites/mairie/flush"] {
        let theirs = srv.call("GET", path, r, None);
        assert_eq!(theirs.status, 404, "{path}");
    }

    // The site's page says when the certificate its hosts serve expires (asked live).
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let (c, k) = crate::fleet::site_cert(&issuer, &["www.example.test"], 20);
    let (cp, kp) = (env.path("www.pem"), env.path("www.key"));
    std::fs::write(&cp, c).expect("write");
    std::fs::write(&kp, k).expect("write");
    fleet.ok(&["site", "cert", "www", "--cert", cp.to_str().expect("utf8"), "--key", kp.to_str().expect("utf8")]);
    let expires = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(20 * 24))
        .to_zoned(jiff::tz::TimeZone::get("Europe/Paris").expect("tz"))
        .strftime("%Y-%m-%d")
        .to_string();
    let site_page = srv.call("GET", "/sites/www", r, None);
    assert_eq!(site_page.status, 200);
    assert!(
        site_page.body.contains("Certificats HTTPS")
            && site_page.body.contains(&format!("expire le {expires}"))
            && site_page.body.contains("bientôt"),
        "{}",
        site_page.body
    );
    assert_eq!(site_page.body.matches("expire le").count(), 2, "one line per host: {}", site_page.body);

    // Flush: every host had /a cached.
    for a in &fleet.agents {
        get(a.proxy, "/a");
        assert_eq!(get(a.proxy, "/a"), "HIT");
    }
    let form = srv.call("GET", "/sites/www/flush", w, None);
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = form.field("csrf");
    // No token, a read-only account, a URL of another site, a folder that is not one: refused,
    // nothing purged.
    let no_token = srv.call("POST", "/sites/www/flush", w, Some("urls=%2Fa"));
    assert_eq!(no_token.status, 403);
    let read_form = srv.call("GET", "/sites/www/flush", r, None);
    assert!(
        read_form.body.contains("lecture seule") && !read_form.body.contains("name=\"urls\""),
        "{}",
        read_form.body
    );
    // (The reader's page has no form: its session's token is on the home page.)
    let read_csrf = srv.call("GET", "/", r, None).field("csrf");
    let read_only = srv.call("POST", "/sites/www/flush", r, Some(&format!("csrf={read_csrf}&urls=%2Fa")));
    assert_eq!(read_only.status, 403);
    let foreign = srv.call(
        "POST",
        "/sites/www/flush",
        w,
        Some(&format!("csrf={csrf}&urls={}", enc("/a\nhttps://www.mairie.test/m"))),
    );
    assert_eq!(foreign.status, 400);
    assert!(foreign.body.contains("https://www.mairie.test/m"), "the refused URL is named: {}", foreign.body);
    let folder = srv.call("POST", "/sites/www/flush", w, Some(&format!("csrf={csrf}&prefixes=static")));
    assert_eq!(folder.status, 400);
    for a in &fleet.agents {
        assert_eq!(get(a.proxy, "/a"), "HIT", "nothing was purged");
    }
    let done = srv.call(
        "POST",
        "/sites/www/flush",
        w,
        Some(&format!("csrf={csrf}&urls={}", enc("/a\nhttp://www.example.test/b"))),
    );
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains("Purge faite sur tous les serveurs")
            && done.body.contains("pop0")
            && done.body.contains("pop1"),
        "{}",
        done.body
    );
    for a in &fleet.agents {
        assert_eq!(get(a.proxy, "/a"), "MISS", "the next request misses on every host");
    }
    let audit = fleet.ok(&["audit", "list", "--target", "site:www", "-o", "json"]).stdout;
    assert!(audit.contains("extranet flush") && audit.contains("account writer@b.example"), "{audit}");
}

#[test]
fn tickets_attachments_and_deposits_on_the_extranet_respect_the_one_authorization() {
    let env = Env::new();
    env.seed();
    let port = free_port();
    env.mail_config(port);
    env.ok(&["user", "add", "admin@ops.example", "--name", "Admin", "--admin", "--login", "tester"]);
    env.ok(&["project", "add", "p1", "--label", "Portail"]);
    for u in ["writer", "reader", "outsider"] {
        env.ok(&["user", "add", &format!("{u}@cust.example"), "--name", u]);
    }
    env.ok(&["space", "add", "s1", "--member", "writer@cust.example", "--member", "reader@cust.example"]);
    env.ok(&["space", "add", "s2", "--member", "outsider@cust.example"]);
    env.ok(&["acl", "grant", "writer@cust.example", "p1", "write"]);
    env.ok(&["acl", "grant", "reader@cust.example", "p1", "read"]);
    env.ok(&["acl", "grant", "outsider@cust.example", "p1", "write"]);
    let smtp = Smtp::start(&env.path("maildir"), port);
    let srv = Server::start(&env);
    let writer = account(&env, &srv, &smtp, "writer@cust.example");
    let reader = account(&env, &srv, &smtp, "reader@cust.example");
    let outsider = account(&env, &srv, &smtp, "outsider@cust.example");
    let (w, r, o) = (std::slice::from_ref(&writer), std::slice::from_ref(&reader), std::slice::from_ref(&outsider));
    let csrf_of = |who: &[String]| srv.call("GET", "/", who, None).field("csrf");
    let (wc, rc, oc) = (csrf_of(w), csrf_of(r), csrf_of(o));
    let count = || env.ok(&["ticket", "list", "-o", "json"]).json().as_array().map_or(0, Vec::len);

    // A new ticket without the form's token: refused, nothing opened.
    let title = "<script>alert(1)</script> broken form";
    let fields = |csrf: &str| -> Vec<(&'static str, String)> {
        vec![
            ("csrf", csrf.to_owned()),
            ("title", title.to_owned()),
            ("project", "p1".into()),
            ("space", "s1".into()),
            ("kind", "incident".into()),
            ("body", "The form\nis broken.".into()),
        ]
    };
    let no_token = fields("");
    let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
    assert_eq!(srv.upload("/tickets/new", w, &pairs(&no_token), Some(("plan.pdf", pdf))).status, 403);
    assert_eq!(count(), 0);
    // The new ticket with its attachment.
    let good = fields(&wc);
    let opened = srv.upload("/tickets/new", w, &pairs(&good), Some(("plan.pdf", pdf)));
    assert_eq!(opened.status, 303, "{}", opened.body);
    assert_eq!(opened.header("location"), Some("/tickets/1?lang=fr"));
    let page = srv.call("GET", "/tickets/1", w, None);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt; broken form") && !page.body.contains("<script>"),
        "escaped: {}",
        page.body
    );
    let shown = env.ok(&["ticket", "show", "1", "-o", "json"]).json();
    let sha = shown["attachments"][0][1].as_str().unwrap_or_default().to_owned();
    assert_eq!(shown["attachments"][0][0], "plan.pdf");
    assert!(page.body.contains(&sha), "the SHA-256 is shown");
    let file = srv.call("GET", "/tickets/1/files/plan.pdf", r, None);
    assert_eq!(file.status, 200);
    assert_eq!(file.body.as_bytes(), pdf);
    assert_eq!(file.header("content-disposition"), Some("attachment; filename*=UTF-8''plan.pdf"));
    assert_eq!(file.header("content-type"), Some("application/octet-stream"));

    // The home page counts what each account has.
    assert!(srv.call("GET", "/", r, None).body.contains("Vos tickets</a> (1 non clos)"));
    assert!(srv.call("GET", "/", o, None).body.contains("Vos tickets</a> (0 non clos)"));
    // Another space: the ticket, its file and its form answer as missing ones.
    let missing = srv.call("GET", "/tickets/99", o, None);
    for (status, body) in [
        {
            let a = srv.call("GET", "/tickets/1", o, None);
            (a.status, a.body)
        },
        {
            let a = srv.call("GET", "/tickets/1/files/plan.pdf", o, None);
            (a.status, a.body)
        },
        {
            let a = srv.upload("/tickets/1", o, &[("csrf", &oc), ("text", "mine now")], None);
            (a.status, a.body)
        },
    ] {
        assert_eq!((status, body), (404, missing.body.clone()));
    }
    let list = srv.call("GET", "/tickets", o, None);
    assert!(!list.body.contains("broken form"), "not listed: {}", list.body);

    // The reader reads, and may not comment on someone else's ticket.
    assert!(!srv.call("GET", "/tickets/1", r, None).body.contains("name=\"text\""));
    let refused = srv.upload("/tickets/1", r, &[("csrf", &rc), ("text", "hello")], None);
    assert_eq!(refused.status, 403, "{}", refused.body);

    // A file that is not what its name says, and one over 10 MiB: refused, nothing stored.
    let fake = srv.upload("/tickets/1", w, &[("csrf", &wc)], Some(("photo.png", b"#!/bin/sh\n")));
    assert_eq!(fake.status, 400);
    assert!(fake.body.contains("photo.png"), "named: {}", fake.body);
    let big = vec![b'a'; 10 * 1024 * 1024 + 1];
    let too_big = srv.upload("/tickets/1", w, &[("csrf", &wc), ("text", "with a big file")], Some(("big.txt", &big)));
    assert_eq!(too_big.status, 413, "{}", too_big.body);
    let shown = env.ok(&["ticket", "show", "1", "-o", "json"]).json();
    assert_eq!(shown["attachments"].as_array().map(Vec::len), Some(1), "{shown}");
    assert!(!shown.to_string().contains("with a big file"), "the comment went with its refused file");
    assert_eq!(env.query("SELECT COUNT(*) FROM attachment_bytes"), "1", "one attachment stored");
    let beside = env.files_anchor().parent().expect("dir").join("attachments");
    assert!(!beside.exists(), "no attachment files beside the store");

    // A comment, then a bundle through the deposit space.
    let said = srv.upload("/tickets/1", w, &[("csrf", &wc), ("text", "Still broken <b>today</b>")], None);
    assert_eq!(said.status, 303);
    let gz = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let dep = srv.upload("/deposits", w, &[("csrf", &wc), ("ticket", "1")], Some(("site-1.2.tar.gz", &gz)));
    assert_eq!(dep.status, 303, "{}", dep.body);
    let shown = env.ok(&["ticket", "show", "1", "-o", "json"]).json();
    let events = shown["events"].to_string();
    assert!(events.contains("Still broken <b>today</b>") && events.contains("writer@cust.example"), "{events}");
    let bundle_sha = shown["attachments"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x[0] == "site-1.2.tar.gz"))
        .map(|x| x[1].as_str().unwrap_or_default().to_owned())
        .expect("deposited");
    let deposits = srv.call("GET", "/deposits", r, None);
    assert!(
        deposits.body.contains("site-1.2.tar.gz")
            && deposits.body.contains(&bundle_sha)
            && !deposits.body.contains("plan.pdf"),
        "{}",
        deposits.body
    );
    assert!(!srv.call("GET", "/deposits", o, None).body.contains("site-1.2.tar.gz"), "not another space's");
    // Statistics and exports, as the CLI gives them, of the tickets one reads only.
    let stats = srv.call("GET", "/tickets/stats?by=day", r, None);
    assert!(stats.status == 200 && stats.body.contains("Tickets comptés : <strong>1</strong>"), "{}", stats.body);
    assert!(srv.call("GET", "/tickets/stats", o, None).body.contains("Tickets comptés : <strong>0</strong>"));
    let csv = srv.call("GET", "/tickets/export.csv?status=new", r, None);
    assert!(csv.header("content-disposition").is_some_and(|d| d.starts_with("attachment")));
    assert!(csv.body.starts_with("numéro,type,statut") && csv.body.contains("broken form"), "{}", csv.body);
    assert!(!srv.call("GET", "/tickets/export.csv", o, None).body.contains("broken form"));
    assert!(!srv.call("GET", "/tickets/export.csv?status=closed", r, None).body.contains("broken form"));
    assert!(srv.call("GET", "/tickets/export.xlsx", r, None).body.starts_with("PK"));
    assert!(srv.call("GET", "/tickets/stats.xlsx", r, None).body.starts_with("PK"));
    // Filters.
    assert!(srv.call("GET", "/tickets?q=broken", r, None).body.contains("#1"));
    assert!(!srv.call("GET", "/tickets?status=closed", r, None).body.contains("broken form"));
    // A form token of an ended session, replayed with a new one: refused, nothing added.
    let writer2 = account(&env, &srv, &smtp, "writer@cust.example");
    assert_eq!(srv.call("GET", "/tickets/1", w, None).status, 303, "the old session ended with the new password");
    let replayed =
        srv.upload("/tickets/1", std::slice::from_ref(&writer2), &[("csrf", &wc), ("text", "replayed")], None);
    assert_eq!(replayed.status, 403);
    assert!(!env.ok(&["ticket", "show", "1", "-o", "json"]).stdout.contains("replayed"));
    let audit = env.ok(&["audit", "list", "-o", "json"]).stdout;
    assert!(audit.contains("extranet ticket new") && audit.contains("writer@cust.example (extranet)"), "{audit}");
    assert!(audit.contains("refused: no valid form token"), "{audit}");
}

/// Files under `dir`, at any depth.
fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Who an account is, for the authorization walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Admin,
    Writer,
    Reader,
    Reporter,
    NoRight,
    OtherSpace,
    SignedOut,
}

impl Who {
    fn sees_site(self, site: &str) -> bool {
        match self {
            Who::Admin => true,
            Who::OtherSpace => site == "mairie",
            Who::SignedOut => false,
            _ => site == "www",
        }
    }
    fn may_flush(self) -> bool {
        matches!(self, Who::Admin | Who::Writer | Who::OtherSpace)
    }
    /// Ticket 1 is p1/s1, reported by the reporter; ticket 2 is p1/s2.
    fn reads(self, ticket: u8) -> bool {
        match self {
            Who::Admin => true,
            Who::Writer | Who::Reader | Who::Reporter => ticket == 1,
            Who::OtherSpace => ticket == 2,
            Who::NoRight | Who::SignedOut => false,
        }
    }
    fn comments(self, ticket: u8) -> bool {
        self.reads(ticket) && self != Who::Reader
    }
    fn opens_in_s1(self) -> bool {
        matches!(self, Who::Admin | Who::Writer)
    }
}

/// What a route answers `who` on `target` (a site name or a ticket number): for a GET, for a
/// POST without the form's token, and for a POST with it and a form that changes nothing
/// (None: not probed). A rule this test does not know fails it.
fn expected(rule: &str, method: &str, path: &str, who: Who, target: &str) -> (u16, Option<u16>) {
    let signed_in = who != Who::SignedOut;
    let ticket: u8 = target.parse().unwrap_or(0);
    let hidden = |seen: bool| if seen { 403 } else { 404 };
    match (rule, method) {
        ("public", "GET") => (if path == "/password" { 400 } else { 200 }, None),
        ("public", "POST") => (403, None),
        _ if !signed_in => (303, None),
        ("signed-in", "GET") => (200, None),
        ("session", "POST") => (403, None),
        // No session here waits for its code: to the sign-in page.
        ("second-factor", _) => (303, None),
        ("enrol", "GET") => (200, None),
        ("enrol", "POST") => (403, Some(400)),
        ("site", "GET") => (if who.sees_site(target) { 200 } else { 404 }, None),
        ("site-flush", "POST") => {
            let seen = who.sees_site(target);
            (
                hidden(seen),
                Some(if !seen {
                    404
                } else if who.may_flush() {
                    400
                } else {
                    403
                }),
            )
        }
        ("ticket-read", "GET") => (if who.reads(ticket) { 200 } else { 404 }, None),
        ("ticket-comment", "POST") => {
            let seen = who.reads(ticket);
            (
                hidden(seen),
                Some(if !seen {
                    404
                } else if who.comments(ticket) {
                    400
                } else {
                    403
                }),
            )
        }
        ("ticket-open", "POST") => (403, Some(if who.opens_in_s1() { 303 } else { 400 })),
        _ => panic!("the route {method} {path} has the rule `{rule}`, which this test does not know: teach it"),
    }
}

#[test]
fn every_route_answers_every_kind_of_account_by_its_rule_and_leaks_nothing() {
    let env = Env::new();
    env.seed();
    let other = "21750001600019";
    env.ok(&["beneficiary", "add", "--siret", other, "--name", "Mairie", "--lot", "9"]);
    env.ok(&[
        "site",
        "add",
        "mairie",
        "--domain",
        "www.mairie.fr",
        "--beneficiary",
        other,
        "--origin",
        "https://o.mairie.fr",
        "--host",
        "pop2",
    ]);
    let port = free_port();
    env.mail_config(port);
    env.ok(&["user", "add", "admin@ops.example", "--name", "Admin", "--admin", "--login", "tester"]);
    for u in ["writer", "reader", "rep", "none", "other"] {
        env.ok(&["user", "add", &format!("{u}@cust.example"), "--name", u]);
    }
    env.ok(&["project", "add", "p1", "--label", "Portail"]);
    env.ok(&[
        "space",
        "add",
        "s1",
        "--member",
        "writer@cust.example",
        "--member",
        "reader@cust.example",
        "--member",
        "rep@cust.example",
        "--member",
        "none@cust.example",
    ]);
    env.ok(&["space", "add", "s2", "--member", "other@cust.example"]);
    env.ok(&["acl", "grant", "writer@cust.example", "p1", "write"]);
    env.ok(&["acl", "grant", "reader@cust.example", "p1", "read"]);
    env.ok(&["acl", "grant", "other@cust.example", "p1", "write"]);
    env.ok(&["space", "link", "s1", crate::support::SIRET]);
    env.ok(&["space", "link", "s2", other]);
    let plan = env.path("plan.pdf");
    std::fs::write(&plan, b"%PDF-1.7\n").expect("pdf");
    for (space, title, reporter) in
        [("s1", "Ticket-one-marker", "rep@cust.example"), ("s2", "Ticket-two-marker", "other@cust.example")]
    {
        env.ok(&[
            "ticket",
            "new",
            "--project",
            "p1",
            "--space",
            space,
            "--type",
            "incident",
            "--title",
            title,
            "--reporter",
            reporter,
        ]);
    }
    for id in ["1", "2"] {
        env.ok(&["ticket", "attach", id, plan.to_str().expect("utf8")]);
    }
    let smtp = Smtp::start(&env.path("maildir"), port);
    let srv = Server::start(&env);
    let accounts: Vec<(Who, Vec<String>, String)> = [
        (Who::Admin, "admin@ops.example"),
        (Who::Writer, "writer@cust.example"),
        (Who::Reader, "reader@cust.example"),
        (Who::Reporter, "rep@cust.example"),
        (Who::NoRight, "none@cust.example"),
        (Who::OtherSpace, "other@cust.example"),
    ]
    .iter()
    .map(|(who, email)| {
        let session = account(&env, &srv, &smtp, email);
        let csrf = srv.call("GET", "/", std::slice::from_ref(&session), None).field("csrf");
        (*who, vec![session], csrf)
    })
    .chain(std::iter::once((Who::SignedOut, Vec::new(), String::new())))
    .collect();

    // Lists show each account only its own.
    for (who, cookies, _) in &accounts {
        for list in ["/sites", "/tickets", "/deposits"] {
            let body = srv.call("GET", list, cookies, None).body;
            for (marker, seen) in [
                ("www.mairie.fr", who.sees_site("mairie")),
                ("www.example.fr", who.sees_site("www")),
                ("Ticket-one-marker", who.reads(1)),
                ("Ticket-two-marker", who.reads(2)),
            ] {
                if !seen {
                    assert!(!body.contains(marker), "{who:?} sees {marker} on {list}");
                }
            }
        }
    }

    // Every route, from the server's own list, for every kind of account.
    let routes = env.ok(&["extranet", "routes", "-o", "json"]).json();
    let routes = routes.as_array().expect("routes");
    assert!(routes.len() >= 20, "{routes:?}");
    let mut walked = 0;
    for r in routes {
        let (method, path, rule) = (
            r["method"].as_str().expect("method"),
            r["path"].as_str().expect("path"),
            r["rule"].as_str().expect("rule"),
        );
        let targets: &[&str] = if path.contains("{id}") || rule.starts_with("ticket-comment") {
            &["1", "2"]
        } else if path.contains("{name}") {
            &["www", "mairie"]
        } else {
            &[""]
        };
        for target in targets {
            let concrete = if path.contains("{id}") {
                path.replace("{id}", target).replace("{name}", "plan.pdf")
            } else {
                path.replace("{name}", target)
            };
            for (who, cookies, csrf) in &accounts {
                let (first, probe) = expected(rule, method, path, *who, target);
                let multipart = concrete.starts_with("/tickets") || concrete.starts_with("/deposits");
                let ticket_field = if path.contains("{id}") { "" } else { target };
                let answer = match method {
                    "GET" => srv.call("GET", &concrete, cookies, None),
                    _ if multipart => srv.upload(&concrete, cookies, &[("ticket", ticket_field)], None),
                    _ => srv.call("POST", &concrete, cookies, Some("")),
                };
                assert_eq!(answer.status, first, "{who:?} {method} {concrete} ({rule}): {}", answer.body);
                walked += 1;
                let Some(want) = probe else { continue };
                let answer = match rule {
                    "ticket-open" => srv.upload(
                        &concrete,
                        cookies,
                        &[("csrf", csrf), ("title", "Probe"), ("project", "p1"), ("space", "s1"), ("kind", "request")],
                        None,
                    ),
                    _ if multipart => srv.upload(&concrete, cookies, &[("csrf", csrf), ("ticket", ticket_field)], None),
                    _ => srv.call("POST", &concrete, cookies, Some(&format!("csrf={csrf}&urls="))),
                };
                assert_eq!(answer.status, want, "{who:?} {method} {concrete} ({rule}) with its token: {}", answer.body);
            }
        }
    }
    assert!(walked > 200, "{walked} requests");
}

#[test]
fn a_second_factor_is_required_of_administrators_optional_for_others_and_works_once() {
    let env = Env::new();
    env.seed();
    let port = free_port();
    env.mail_config(port);
    env.ok(&["user", "add", "admin@ops.example", "--name", "Admin", "--admin", "--login", "tester"]);
    env.ok(&["user", "add", "dsi@insee.fr", "--name", "DSI"]);
    let smtp = Smtp::start(&env.path("maildir"), port);
    let srv = Server::start(&env);

    // The administrator's password alone reaches only the set-up page.
    let password = set_password(&env, &srv, &smtp, "admin@ops.example");
    let first = sign_in(&srv, "admin@ops.example", &password, &[]);
    assert_eq!(first.header("location"), Some("/account/totp"));
    let half = first.cookie("__Host-amoe_session").expect("session").0;
    let h = std::slice::from_ref(&half);
    for path in ["/", "/sites", "/tickets", "/sites/www"] {
        assert_eq!(srv.call("GET", path, h, None).header("location"), Some("/login"), "{path}");
    }
    assert_eq!(srv.call("GET", "/login", h, None).header("location"), Some("/account/totp"));
    // Turning it off is not for administrators; a wrong first code enables nothing.
    let csrf = srv.call("GET", "/account/totp", h, None).field("csrf");
    assert_eq!(
        srv.call("POST", "/account/totp", h, Some(&format!("csrf={csrf}&action=confirm&code=123456"))).status,
        400
    );
    let (full, key, used) = enrol(&srv, &half);
    assert_ne!(full, half, "a new session id once the second factor is given");
    assert_eq!(srv.call("GET", "/", h, None).status, 303, "the half session is gone");
    assert_eq!(srv.call("GET", "/", std::slice::from_ref(&full), None).status, 200);
    let csrf = srv.call("GET", "/", std::slice::from_ref(&full), None).field("csrf");
    let off = srv.call(
        "POST",
        "/account/totp",
        std::slice::from_ref(&full),
        Some(&format!("csrf={csrf}&action=off&code={}", totp(&key, 1))),
    );
    assert_eq!(off.status, 400);
    assert!(off.body.contains("administrateurs doivent garder"), "{}", off.body);
    // The store keeps the secret sealed, never the key shown.
    let sealed: String = env
        .db()
        .query_row("SELECT sealed FROM web_totp WHERE email = 'admin@ops.example'", [], |r| r.get(0))
        .expect("row");
    assert!(!sealed.contains(&key) && !sealed.is_empty());
    let mut key_file = env.files_anchor().into_os_string();
    key_file.push(".extranet-key");
    let key_file = std::path::PathBuf::from(key_file);
    let key_file = if key_file.exists() {
        key_file
    } else {
        std::fs::read_dir(env.path(""))
            .expect("dir")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with(".extranet-key"))
            .expect("the server's key file")
    };
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&key_file).expect("key").permissions().mode() & 0o777, 0o600);
    // A backup takes the key with it: the second factors of a restored store stay readable.
    // (`amoe backup` is SQLite's; a PostgreSQL store is backed up with pg_dump.)
    if !env.is_pg() {
        let backup = env.path("backup.db");
        let said = env.ok(&["backup", backup.to_str().expect("utf8")]).stdout;
        let copied = env.path("backup.db.extranet-key");
        assert!(said.contains("extranet's key"), "{said}");
        assert_eq!(std::fs::read(&copied).expect("copied key"), std::fs::read(&key_file).expect("key"));
        assert_eq!(std::fs::metadata(&copied).expect("copy").permissions().mode() & 0o777, 0o600);
    }

    // Next sign-in: the code is asked; the code just used does not work again (replay), nor
    // a wrong one; the next step's does.
    let again = sign_in(&srv, "admin@ops.example", &password, &[]);
    assert_eq!(again.header("location"), Some("/login/code"));
    let waiting = again.cookie("__Host-amoe_session").expect("session").0;
    let w = std::slice::from_ref(&waiting);
    assert_eq!(srv.call("GET", "/", w, None).status, 303);
    let page = srv.call("GET", "/login/code", w, None);
    let csrf = page.field("csrf");
    // (The very code given at set-up, whatever the time step is now.)
    let replay = srv.call("POST", "/login/code", w, Some(&format!("csrf={csrf}&code={used}")));
    assert_eq!(replay.status, 401, "a code works once: {}", replay.body);
    assert_eq!(srv.call("POST", "/login/code", w, Some(&format!("csrf={csrf}&code=000000"))).status, 401);
    assert_eq!(
        srv.call("POST", "/login/code", w, Some(&format!("code={}", totp(&key, 1)))).status,
        403,
        "no form token"
    );
    let ok = srv.call("POST", "/login/code", w, Some(&format!("csrf={csrf}&code={}", totp(&key, 1))));
    assert_eq!(ok.status, 303, "{}", ok.body);
    let signed = ok.cookie("__Host-amoe_session").expect("new session").0;
    assert_ne!(signed, waiting);
    assert_eq!(srv.call("GET", "/sites", std::slice::from_ref(&signed), None).status, 200);

    // Optional for others: a reader signs in with a password, sets one up, removes it.
    let dsi_password = set_password(&env, &srv, &smtp, "dsi@insee.fr");
    let dsi = sign_in(&srv, "dsi@insee.fr", &dsi_password, &[]);
    assert_eq!(dsi.header("location"), Some("/"));
    let (dsi_session, dsi_key, _) = enrol(&srv, &dsi.cookie("__Host-amoe_session").expect("session").0);
    let d = std::slice::from_ref(&dsi_session);
    let csrf = srv.call("GET", "/", d, None).field("csrf");
    let removed =
        srv.call("POST", "/account/totp", d, Some(&format!("csrf={csrf}&action=off&code={}", totp(&dsi_key, 1))));
    assert_eq!(removed.status, 303, "{}", removed.body);
    assert_eq!(sign_in(&srv, "dsi@insee.fr", &dsi_password, &[]).header("location"), Some("/"));

    // A lost phone: the administrator's second factor reset from the command line ends its
    // sessions; the next sign-in asks to set one up again.
    env.ok(&["user", "totp-reset", "admin@ops.example"]);
    assert_eq!(srv.call("GET", "/", std::slice::from_ref(&signed), None).status, 303);
    let anew = sign_in(&srv, "admin@ops.example", &password, &[]);
    assert_eq!(anew.header("location"), Some("/account/totp"));
    let (_, key, _) = enrol(&srv, &anew.cookie("__Host-amoe_session").expect("session").0);
    // Wrong codes (two so far) count against the same limit as wrong passwords: the 11th try is refused
    // even with the right code.
    let third = sign_in(&srv, "admin@ops.example", &password, &[]).cookie("__Host-amoe_session").expect("session").0;
    let t = std::slice::from_ref(&third);
    let csrf = srv.call("GET", "/login/code", t, None).field("csrf");
    for _ in 0..8 {
        assert_eq!(srv.call("POST", "/login/code", t, Some(&format!("csrf={csrf}&code=000000"))).status, 401);
    }
    let locked = srv.call("POST", "/login/code", t, Some(&format!("csrf={csrf}&code={}", totp(&key, 1))));
    assert_eq!(locked.status, 429, "{}", locked.body);

    // One that has none: said, exit 1.
    env.fails(1, &["user", "totp-reset", "dsi@insee.fr"]);
    let audit = env.ok(&["audit", "list", "-o", "json"]).stdout;
    for said in [
        "set-up started",
        "enabled",
        "removed",
        "failed: a code already used",
        "signed in (password and second factor)",
        "second factor removed; ",
    ] {
        assert!(audit.contains(said), "{said}: {audit}");
    }
}

#[test]
fn the_systemd_unit_is_valid_and_its_command_serves_the_extranet() {
    let unit =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/dist/amoe-extranet.service")).expect("unit");
    let env = Env::new();
    // Its command line, run as written (the binary and port are this test's).
    let exec = unit.lines().find_map(|l| l.strip_prefix("ExecStart=")).expect("ExecStart");
    let mut words = exec.split_whitespace();
    assert_eq!(words.next(), Some("/usr/local/bin/amoe"));
    let args: Vec<String> = words.map(str::to_owned).collect();
    assert_eq!(args[..3], ["extranet", "serve", "--listen"]);
    assert!(args[3].starts_with("127.0.0.1:"), "loopback by default: {}", args[3]);
    let port = free_port();
    let srv = Server::spawn(env.cmd(&["extranet", "serve", "--listen", &format!("127.0.0.1:{port}")]), port);
    assert_eq!(srv.call("GET", "/login", &[], None).status, 200);
    // systemd's own check of the unit, with the binary where the unit says it is.
    let dir = tempfile::tempdir().expect("dir");
    let bin = dir.path().join("amoe");
    std::os::unix::fs::symlink(crate::support::AMOE, &bin).expect("link");
    let local = unit.replace("/usr/local/bin/amoe", bin.to_str().expect("utf8"));
    std::fs::write(dir.path().join("amoe-extranet.service"), local).expect("unit");
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no", "amoe-extranet.service"])
        .current_dir(dir.path())
        .output()
        .expect("systemd-analyze (Debian's systemd)");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !said.contains("amoe-extranet.service:"), "{said}");
}

#[test]
fn the_door_holds_against_parallel_guesses_floods_and_promotions() {
    let env = Env::new();
    env.seed();
    let port = free_port();
    env.mail_config(port);
    env.ok(&["user", "add", "admin@ops.example", "--name", "Admin", "--admin", "--login", "tester"]);
    env.ok(&["user", "add", "dsi@insee.fr", "--name", "DSI"]);
    env.ok(&["user", "add", "other@mairie.fr", "--name", "Other"]);
    for p in ["insee-portail", "mairie-secret"] {
        env.ok(&["project", "add", p, "--label", p]);
    }
    env.ok(&["space", "add", "insee", "--member", "dsi@insee.fr"]);
    env.ok(&["space", "add", "mairie", "--member", "other@mairie.fr"]);
    env.ok(&["acl", "grant", "dsi@insee.fr", "insee-portail", "write"]);
    env.ok(&["acl", "grant", "other@mairie.fr", "mairie-secret", "write"]);
    let smtp = Smtp::start(&env.path("maildir"), port);
    let srv = Server::start(&env);
    let password = set_password(&env, &srv, &smtp, "dsi@insee.fr");

    // Another customer's project names: not in the filter list, and refused as a missing one.
    let session = sign_in(&srv, "dsi@insee.fr", &password, &[]).cookie("__Host-amoe_session").expect("session").0;
    let me = std::slice::from_ref(&session);
    let list = srv.call("GET", "/tickets", me, None);
    assert!(list.body.contains("insee-portail") && !list.body.contains("mairie-secret"), "{}", list.body);
    let csrf = srv.call("GET", "/", me, None).field("csrf");
    let mut said = Vec::new();
    for project in ["mairie-secret", "no-such-project"] {
        let a = srv.upload(
            "/tickets/new",
            me,
            &[("csrf", &csrf), ("title", "t"), ("project", project), ("space", "insee")],
            None,
        );
        assert_eq!(a.status, 400);
        said.push(a.body.replace(project, "PROJECT"));
    }
    assert_eq!(said[0], said[1], "the same refusal for another's project and a missing one");

    // Promoted to administrator while signed in: no full session until a second factor.
    env.ok(&["user", "update", "dsi@insee.fr", "--admin", "true"]);
    assert_eq!(srv.call("GET", "/sites", me, None).header("location"), Some("/login"));
    env.ok(&["user", "update", "dsi@insee.fr", "--admin", "false"]);

    // A form body far over what a form needs is refused before it is read.
    let (pre, token) = form_of(&srv, "/login");
    let big = format!("csrf={token}&email=dsi%40insee.fr&password={}", "a".repeat(100 * 1024));
    assert_eq!(srv.call("POST", "/login", &[pre], Some(&big)).status, 413);

    // A forged session cookie sent again and again: journaled once.
    for _ in 0..5 {
        assert_eq!(srv.call("GET", "/sites", &["__Host-amoe_session=forged".to_string()], None).status, 303);
    }
    let journal = env.ok(&["audit", "list", "-o", "json"]).stdout;
    assert_eq!(journal.matches("session cookie this server does not know").count(), 1, "{journal}");

    // Thirty wrong guesses at once: no more than ten are checked, the rest are refused, and so
    // is the right password afterwards.
    let forms: Vec<(String, String)> = (0..30).map(|_| form_of(&srv, "/login")).collect();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = forms
            .into_iter()
            .enumerate()
            .map(|(i, (pre, token))| {
                let srv = &srv;
                scope.spawn(move || {
                    srv.call(
                        "POST",
                        "/login",
                        &[pre],
                        Some(&format!("csrf={token}&email=dsi%40insee.fr&password=guess-{i}")),
                    )
                    .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).collect()
    });
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + refused, 30, "{statuses:?}");
    assert!(checked <= 10, "{checked} guesses were checked at once: {statuses:?}");
    assert_eq!(sign_in(&srv, "dsi@insee.fr", &password, &[]).status, 429);
}

#[test]
fn the_extranet_serves_https_with_its_certificate_and_refuses_a_bad_pair() {
    let env = Env::new();
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "Test Extranet CA");
    let ca_pem = env.path("ca.pem");
    std::fs::write(&ca_pem, ca_params.self_signed(&ca_key).expect("ca").pem()).expect("write");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let (c, k) = crate::fleet::site_cert(&issuer, &["extranet.example.test"], 90);
    let (cp, kp) = (env.path("x.pem"), env.path("x.key"));
    std::fs::write(&cp, &c).expect("write");
    std::fs::write(&kp, &k).expect("write");
    let port = free_port();
    let (cs, ks) = (cp.to_str().expect("utf8"), kp.to_str().expect("utf8"));
    let _srv = Server::spawn(
        env.cmd(&["extranet", "serve", "--listen", &format!("127.0.0.1:{port}"), "--tls-cert", cs, "--tls-key", ks]),
        port,
    );
    let (version, text) = crate::fleet::curl(&ca_pem, "extranet.example.test", port, "/login").expect("https");
    assert_eq!(version, "1.1", "HTTP/1.1 over TLS");
    assert!(text.starts_with("HTTP/1.1 200") && text.contains("__Host-amoe_pre="), "{text}");
    assert!(text.to_ascii_lowercase().contains("strict-transport-security: max-age=31536000"), "{text}");
    // A key that is not the certificate's: refused at start, said, exit 1.
    let (_, other_key) = crate::fleet::site_cert(&issuer, &["other.example.test"], 90);
    let okp = env.path("other.key");
    std::fs::write(&okp, other_key).expect("write");
    let r = env.fails(
        1,
        &["extranet", "serve", "--listen", "127.0.0.1:0", "--tls-cert", cs, "--tls-key", okp.to_str().expect("utf8")],
    );
    assert!(r.stderr.contains("do not go together"), "{}", r.stderr);
}
