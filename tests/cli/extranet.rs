//! `amoe extranet serve` as a real process on loopback, driven over raw HTTP: a password set
//! from a link mailed through a real SMTP server (aiosmtpd), sign-in, sessions, CSRF, the
//! brute-force limit, fixation, escaping and the security headers.

use crate::fleet::free_port;
use crate::servers::Smtp;
use crate::support::Env;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};

/// The extranet server, stopped (by its PID) when dropped.
struct Server {
    child: Child,
    port: u16,
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
        let mut cmd: Command = env.cmd(&["extranet", "serve", "--listen", &format!("127.0.0.1:{port}")]);
        let child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("extranet serve");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "the extranet did not listen on {port}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Server { child, port }
    }

    /// One request: (status, headers lowercased, body).
    fn call(&self, method: &str, path: &str, cookies: &[String], form: Option<&str>) -> Answer {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(std::time::Duration::from_secs(20))).expect("timeout");
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        if !cookies.is_empty() {
            head.push_str(&format!("Cookie: {}\r\n", cookies.join("; ")));
        }
        let body = form.unwrap_or("");
        if form.is_some() {
            head.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).expect("write");
        s.write_all(body.as_bytes()).expect("write");
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

    // Brute force: ten failures, then even the right password is refused for a while.
    for i in 0..9 {
        assert_eq!(sign_in(&srv, "dsi@mairie.example", &format!("guess number {i}"), &[]).status, 401);
    }
    let eleventh = sign_in(&srv, "dsi@mairie.example", good, &[]);
    assert_eq!(eleventh.status, 429, "{}", eleventh.body);
    assert!(eleventh.body.contains("Trop de tentatives"), "{}", eleventh.body);
    // A sign-in form posted from elsewhere (no matching cookie) does nothing.
    let (_, csrf) = form_of(&srv, "/login");
    let forged = srv.call("POST", "/login", &[], Some(&format!("csrf={csrf}&email=a%40b.c&password=x")));
    assert_eq!(forged.status, 403);

    // What is typed as an e-mail reaches the journal without control characters.
    assert_eq!(
        sign_in(&srv, "evil\u{1b}[2J@x.example", "whatever password", &[]).status,
        429,
        "past the limit: refused, and journaled"
    );
    let journal = env.ok(&["audit", "list", "-o", "json"]).stdout;
    assert!(journal.contains("evil[2j@x.example") && !journal.contains("\\u001b"), "escape kept out");

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
    ] {
        assert!(journal.contains(what), "{what} not journaled");
    }
    assert!(!journal.contains(&token), "no token in the journal");
}

/// The password of `email` set through its link (mailed through `smtp`); returns it.
fn set_password(env: &Env, srv: &Server, smtp: &Smtp, email: &str) -> String {
    let before = smtp.messages().len();
    env.ok(&["user", "password", email, "--url", &format!("http://127.0.0.1:{}", srv.port)]);
    let mails = smtp.messages();
    assert_eq!(mails.len(), before + 1);
    let token = link_token(mails.iter().find(|m| m.contains(&format!("To: {email}"))).expect("the mail"));
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
    let admin_password = set_password(&env, &srv, &smtp, "admin@ops.example");
    let (admin, _) =
        sign_in(&srv, "admin@ops.example", &admin_password, &[]).cookie("__Host-amoe_session").expect("admin");
    let all = srv.call("GET", "/sites", &[admin], None);
    assert!(all.body.contains("www.example.fr") && all.body.contains("www.mairie.fr"), "{}", all.body);
}
