//! What hosts are owed, as outbox items: a site's whole configuration, its certificate, a
//! flush, a revocation list; signed by whoever queues them, and turned into the bytes sent.

use super::Caller;
use super::new_id;
use amoe_core::Host;
use amoe_pki::{Action, Role};
use amoe_store::outbox::{ItemKind, NewOutboxItem, OutboxItem};

/// What an outbox item of kind `put_cert` holds: the chain, and where the key is (read when
/// the item is delivered; keys never enter the store).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct QueuedCert {
    pub cert_pem: String,
    pub key_file: std::path::PathBuf,
}

/// What the agents get for a site: its whole configuration.
pub fn site_spec(store: &impl amoe_store::Reads, site: &amoe_core::Site) -> anyhow::Result<amoe_proto::SiteSpec> {
    use amoe_store::sites::RulesReads;
    Ok(amoe_proto::SiteSpec {
        name: site.name.to_string(),
        domains: site.domains.iter().map(ToString::to_string).collect(),
        origins: site.origins.iter().map(ToString::to_string).collect(),
        active: site.active,
        static_site: site.settings.static_site,
        not_found_page: site.settings.not_found_page.clone(),
        rules: store.site_rules(&site.name)?.map(|r| r.rules),
        balance: site.settings.balance.clone(),
        stale_limit_secs: site.settings.stale_limit_secs,
        https_redirect: site.settings.https_redirect,
        hsts_max_age_secs: site.settings.hsts_max_age_secs,
        hsts_include_subdomains: site.settings.hsts_include_subdomains,
        health_path: site.settings.health_path.clone(),
        health_interval_secs: site.settings.health_interval_secs,
        health_failures: site.settings.health_failures,
        max_body_bytes: site.settings.max_body_bytes,
        origin_insecure: site.settings.origin_insecure,
        origin_ca_pem: site.settings.origin_ca_pem.clone(),
        origin_sni: site.settings.origin_sni.clone(),
    })
}

/// The site's whole configuration, owed to each of its hosts (an idempotent `PUT`).
pub fn put_site_items(
    store: &impl amoe_store::Reads,
    site: &amoe_core::Site,
    caller: &Caller,
) -> anyhow::Result<Vec<NewOutboxItem>> {
    let body = serde_json::to_string(&site_spec(store, site)?)?;
    let path = format!("/v1/sites/{}", site.name);
    let mut items: Vec<NewOutboxItem> = site
        .hosts
        .iter()
        .map(|h| item(h.as_str(), caller, Some(site.name.as_str()), ItemKind::PutSite, "PUT", &path, Some(&body)))
        .collect();
    // Its certificate goes with it (a host added later must serve HTTPS too).
    if let (Some(stem), Some(ca_dir)) = (&site.settings.certificate, &caller.ca_dir) {
        let dir = ca_dir.join("sites").join(site.name.as_str());
        let cert_pem = std::fs::read_to_string(dir.join(format!("{stem}.pem"))).map_err(|e| {
            anyhow::anyhow!("the certificate of site `{}` is missing from `{}`: {e}", site.name, dir.display())
        })?;
        let queued = QueuedCert { cert_pem, key_file: dir.join(format!("{stem}.key")) };
        let body = serde_json::to_string(&queued)?;
        let path = format!("/v1/sites/{}/cert", site.name);
        items.extend(
            site.hosts.iter().map(|h| {
                item(h.as_str(), caller, Some(site.name.as_str()), ItemKind::PutCert, "PUT", &path, Some(&body))
            }),
        );
    }
    Ok(items)
}

/// What an outbox item asks of a host, for the role check.
pub fn action_of(kind: ItemKind) -> Action {
    match kind {
        ItemKind::Flush => Action::Flush,
        ItemKind::Switch => Action::Deploy,
        _ => Action::Change,
    }
}

/// An operation for every host of a list, queued by `caller`.
pub fn items_for(
    hosts: &[Host],
    caller: &Caller,
    site: Option<&str>,
    kind: ItemKind,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Vec<NewOutboxItem> {
    hosts.iter().map(|h| item(h.name.as_str(), caller, site, kind, method, path, body)).collect()
}

/// One operation for one host, queued by `caller`.
pub fn item(
    host: &str,
    caller: &Caller,
    site: Option<&str>,
    kind: ItemKind,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> NewOutboxItem {
    let id = new_id(host);
    // A flush carries its id as idempotency key, written into the body now: what is stored is
    // what is signed and sent.
    let body = match (kind, body) {
        (ItemKind::Flush, Some(b)) => Some(with_idempotency_key(b, &id)),
        (_, b) => b.map(str::to_string),
    };
    // Signed as it will be sent (a certificate with its key, read from its file).
    let (queued_cert, signature) = match &caller.signer {
        Some((cert, key)) => {
            let sent = wire_bytes(kind, &id, body.as_deref()).ok().flatten().unwrap_or_default();
            let msg = amoe_pki::item_sig::message(host, method, path, &sent);
            match amoe_pki::item_sig::sign(key, &msg) {
                Ok(sig) => (Some(amoe_pki::hex(cert)), Some(amoe_pki::hex(&sig))),
                Err(_) => (None, None),
            }
        }
        None => (None, None),
    };
    NewOutboxItem {
        id,
        host: host.to_string(),
        site: site.map(str::to_string),
        kind,
        method: method.into(),
        path: path.into(),
        body,
        queued_by: caller.name.clone(),
        queued_role: caller.role.to_string(),
        queued_cert,
        signature,
    }
}

/// The body actually sent: a flush carries its outbox id as idempotency key; a certificate
/// its key, read from the file it was queued with (keys never enter the store). `Err` when
/// that file is gone.
pub(super) fn wire_body(item: &OutboxItem, key_dir: Option<&std::path::Path>) -> Result<Option<Vec<u8>>, String> {
    if item.kind == ItemKind::PutCert {
        // A key is read only from where `site cert` keeps that site's keys: a row written into
        // the store by hand must not make this CLI read (and send) another file.
        let queued: QueuedCert = serde_json::from_str(item.body.as_deref().unwrap_or(""))
            .map_err(|e| format!("unreadable certificate item: {e}"))?;
        let site = item.site.as_deref().unwrap_or("");
        let allowed = key_dir.map(|d| d.join("sites").join(site)).and_then(|d| d.canonicalize().ok());
        let actual = queued.key_file.canonicalize().ok();
        match (allowed, actual) {
            (Some(dir), Some(file)) if file.parent() == Some(dir.as_path()) => {}
            _ => {
                return Err(format!(
                    "the key `{}` is not one `amoe site cert` keeps for site `{site}`",
                    queued.key_file.display()
                ));
            }
        }
    }
    wire_bytes(item.kind, &item.id, item.body.as_deref())
}

/// A flush body with `id` as its idempotency key (left as it is if it is not JSON: the agent
/// refuses it, and the item is parked).
fn with_idempotency_key(body: &str, id: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(mut v) => {
            v["idempotency_key"] = serde_json::Value::String(id.to_string());
            v.to_string()
        }
        Err(_) => body.to_string(),
    }
}

fn wire_bytes(kind: ItemKind, id: &str, body: Option<&str>) -> Result<Option<Vec<u8>>, String> {
    let Some(body) = body else { return Ok(None) };
    if kind == ItemKind::Flush && !body.contains("\"idempotency_key\":\"") {
        // Queued by an older amoe, which added the key when sending.
        return Ok(Some(with_idempotency_key(body, id).into_bytes()));
    }
    if kind == ItemKind::PutCert {
        let queued: QueuedCert = serde_json::from_str(body).map_err(|e| format!("unreadable certificate item: {e}"))?;
        let key_pem = std::fs::read_to_string(&queued.key_file).map_err(|e| {
            format!("the key `{}` is gone ({e}): run `amoe site cert` again", queued.key_file.display())
        })?;
        let wire = amoe_proto::SiteCert { cert_pem: queued.cert_pem, key_pem };
        return serde_json::to_vec(&wire).map(Some).map_err(|e| e.to_string());
    }
    Ok(Some(body.as_bytes().to_vec()))
}

/// The headers telling the agent who queued an item: its certificate and signature (the
/// agent takes the role from the certificate, checked against its CA), and the name.
pub(super) fn queued_headers(item: &OutboxItem) -> Vec<(&'static str, String)> {
    let (Some(cert), Some(sig)) = (&item.queued_cert, &item.signature) else { return Vec::new() };
    let printable = |s: &str| s.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').take(64).collect::<String>();
    vec![
        ("amoe-queued-by", printable(item.queued_by.as_deref().unwrap_or("?"))),
        ("amoe-queued-cert", cert.clone()),
        ("amoe-queued-sig", sig.clone()),
    ]
}

/// Why an item can never be delivered, whoever runs the outbox.
pub(super) fn undeliverable(item: &OutboxItem) -> Option<String> {
    if item.kind == ItemKind::Unknown {
        return Some("an item of a kind this amoe does not know: drop it with `amoe outbox drop`".into());
    }
    // A revocation list is signed by the CA and checked by the agent: whoever queued it, it
    // may go (a list owed at an upgrade must not be lost).
    if item.kind == ItemKind::Crl {
        // Only the list's own call: a row of kind `crl` is sent unsigned, so it must not
        // carry anything else.
        let pem = item.body.as_deref().unwrap_or("");
        if item.method == "PUT" && item.path == "/v1/crl" && pem.trim_start().starts_with("-----BEGIN X509 CRL-----") {
            return None;
        }
        return Some("a revocation-list item that is not one (`PUT /v1/crl` with a PEM list)".into());
    }
    let Some(role) = item.queued_role.as_deref() else {
        return Some(
            "queued before amoe recorded who queues items: run the command that queued it again, then drop this one"
                .into(),
        );
    };
    let signed = item
        .queued_cert
        .as_deref()
        .zip(item.signature.as_deref())
        .is_some_and(|(c, s)| amoe_pki::from_hex(c).is_some() && amoe_pki::from_hex(s).is_some());
    if !signed {
        return Some(format!(
            "not signed by whoever queued it (`{}`): run the command that queued it again, then drop this one",
            item.queued_by.as_deref().unwrap_or("?")
        ));
    }
    match role.parse::<Role>() {
        Ok(r) if r.allows(action_of(item.kind)) => None,
        _ => Some(format!(
            "queued by `{}` (role {role}), which may not {}",
            item.queued_by.as_deref().unwrap_or("?"),
            item.kind
        )),
    }
}
