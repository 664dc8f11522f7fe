//! Certificates from an ACME server (RFC 8555) with HTTP-01 challenges answered by the hosts.
//!
//! The order runs from the operator's machine: the CLI places each challenge's key
//! authorization on every host of the site over the control API (`PUT
//! /v1/sites/{name}/acme/{token}`), so that whichever host the ACME server reaches answers it;
//! only when every host holds every challenge does it ask for validation. A host that cannot
//! take a challenge fails the order at once, naming the host: nothing is installed and the
//! previous certificate keeps serving. The new key is made here (ECDSA P-256), the certificate
//! is then installed like an uploaded one (`amoe site cert --cert --key`).
//!
//! The ACME account key is kept beside the CA key: `CA_DIR/acme/ACCOUNT.json`, mode 0600, one
//! account per directory URL.

use crate::fleet::client::{Client, error_message};
use amoe_core::Host;
use bytes::Bytes;
use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, BodyWrapper, BytesResponse, ChallengeType, HttpClient,
    Identifier, NewAccount, NewOrder, OrderStatus, RetryPolicy,
};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// Let's Encrypt's production directory, the default.
pub const DEFAULT_DIRECTORY: &str = "https://acme-v02.api.letsencrypt.org/directory";

/// How long one request to the ACME server may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Where and as whom certificates are ordered.
#[derive(Debug, Clone)]
pub struct Directory {
    pub url: String,
    pub email: Option<String>,
    /// Extra CA certificates (PEM) trusted for the ACME server's own HTTPS, beside the
    /// system's (a test or in-house ACME server).
    pub trust: Option<PathBuf>,
    /// `CA_DIR/acme`.
    pub account_dir: PathBuf,
}

/// Why an order failed; the message names the host or the ACME server's reason.
#[derive(Debug, thiserror::Error)]
pub enum AcmeError {
    #[error("ACME server `{url}`: {reason}")]
    Server { url: String, reason: String },
    #[error("host `{host}` could not take the challenge for `{domain}`: {reason}")]
    Host { host: String, domain: String, reason: String },
    #[error("the ACME server refused `{domain}`: {reason}")]
    Validation { domain: String, reason: String },
    #[error("{0}")]
    Local(String),
}

/// What an order gave: the chain (leaf first) and its new private key (PEM).
#[derive(Debug)]
pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
}

/// The HTTP client instant-acme talks through: hyper with rustls (ring), the system's roots
/// and the optional extra CA, a time-out per request.
struct AcmeHttp(
    hyper_util::client::legacy::Client<
        hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
        BodyWrapper<Bytes>,
    >,
);

impl HttpClient for AcmeHttp {
    fn request(
        &self,
        req: http::Request<BodyWrapper<Bytes>>,
    ) -> Pin<Box<dyn Future<Output = Result<BytesResponse, instant_acme::Error>> + Send>> {
        let fut = self.0.request(req);
        Box::pin(async move {
            match tokio::time::timeout(REQUEST_TIMEOUT, fut).await {
                Ok(Ok(rsp)) => Ok(BytesResponse::from(rsp)),
                Ok(Err(e)) => Err(instant_acme::Error::Other(Box::new(e))),
                Err(_) => Err(instant_acme::Error::Str("no answer within 30 s")),
            }
        })
    }
}

fn http_client(trust: Option<&Path>) -> Result<AcmeHttp, AcmeError> {
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(c);
    }
    if let Some(path) = trust {
        let bad = |e: String| AcmeError::Local(format!("the ACME CA file `{}`: {e}", path.display()));
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .map_err(|e| bad(e.to_string()))?
            .collect::<Result<_, _>>()
            .map_err(|e| bad(e.to_string()))?;
        if certs.is_empty() {
            return Err(bad("no certificate in it".into()));
        }
        for c in certs {
            roots.add(c).map_err(|e| bad(e.to_string()))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| AcmeError::Local(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector =
        hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config).https_only().enable_http1().build();
    Ok(AcmeHttp(hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector)))
}

/// The account file for a directory URL.
pub fn account_file(dir: &Path, url: &str) -> PathBuf {
    let digest = Sha256::digest(url.as_bytes());
    dir.join(format!("{}.json", &amoe_pki::hex(&digest)[..16]))
}

/// The account for this directory: the kept one, or a new one (kept 0600).
async fn account(d: &Directory) -> Result<Account, AcmeError> {
    let file = account_file(&d.account_dir, &d.url);
    match std::fs::read_to_string(&file) {
        Ok(text) => return restore(d, &file, &text).await,
        // Only a missing file makes a new account: an unreadable one must not be replaced.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(AcmeError::Local(format!("the ACME account `{}` is unreadable: {e}", file.display())));
        }
    }
    create(d, &file).await
}

/// The kept account.
async fn restore(d: &Directory, file: &Path, text: &str) -> Result<Account, AcmeError> {
    let server = |e: instant_acme::Error| AcmeError::Server { url: d.url.clone(), reason: e.to_string() };
    let creds: AccountCredentials = serde_json::from_str(text)
        .map_err(|e| AcmeError::Local(format!("the ACME account `{}` is unreadable: {e}", file.display())))?;
    Account::builder_with_http(Box::new(http_client(d.trust.as_deref())?)).from_credentials(creds).await.map_err(server)
}

/// A new account (terms of service agreed on the operator's behalf, see `docs/install.md`),
/// kept 0600.
async fn create(d: &Directory, file: &Path) -> Result<Account, AcmeError> {
    let server = |e: instant_acme::Error| AcmeError::Server { url: d.url.clone(), reason: e.to_string() };
    let contact = d.email.as_ref().map(|e| format!("mailto:{e}"));
    let contacts: Vec<&str> = contact.iter().map(String::as_str).collect();
    let (account, creds) = Account::builder_with_http(Box::new(http_client(d.trust.as_deref())?))
        .create(
            &NewAccount { contact: &contacts, terms_of_service_agreed: true, only_return_existing: false },
            d.url.clone(),
            None,
        )
        .await
        .map_err(server)?;
    let text = serde_json::to_vec(&creds).map_err(|e| AcmeError::Local(e.to_string()))?;
    crate::ops::write_private(file, &text)
        .map_err(|e| AcmeError::Local(format!("cannot keep the ACME account in `{}`: {e}", file.display())))?;
    Ok(account)
}

/// One challenge to answer: the domain it proves, its token and key authorization.
struct Pending {
    domain: String,
    token: String,
    key_authorization: String,
}

/// Places (or, with `None`, removes) a challenge on every host at once; the first host that
/// could not take it, with its reason.
async fn on_hosts(
    client: &Client,
    hosts: &[Host],
    site: &str,
    token: &str,
    key_authorization: Option<&str>,
) -> Result<(), (String, String)> {
    let path = format!("/v1/sites/{site}/acme/{token}");
    let mut set = tokio::task::JoinSet::new();
    for h in hosts {
        let (client, address, name, path) = (client.clone(), h.address.to_string(), h.name.to_string(), path.clone());
        let body = key_authorization
            .map(|ka| serde_json::to_vec(&amoe_proto::AcmeChallenge { key_authorization: ka.to_string() }));
        set.spawn(async move {
            let r = match body {
                Some(Ok(b)) => client.call(&address, http::Method::PUT, &path, Some(b)).await,
                Some(Err(e)) => return Err((name, e.to_string())),
                None => client.call(&address, http::Method::DELETE, &path, None).await,
            };
            match r {
                Ok(a) if (200..300).contains(&a.status) => Ok(()),
                Ok(a) => Err((name, format!("HTTP {}: {}", a.status, error_message(&a.body)))),
                Err(e) => Err((name, e.to_string())),
            }
        });
    }
    let mut first = None;
    while let Some(r) = set.join_next().await {
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                first.get_or_insert(e);
            }
            Err(e) => {
                first.get_or_insert(("?".to_string(), format!("the call did not complete: {e}")));
            }
        }
    }
    first.map_or(Ok(()), Err)
}

/// Orders a certificate for `domains` of `site`, the challenges answered by `hosts`. Whatever
/// happens, the challenges placed are removed again.
pub async fn order(
    d: &Directory,
    client: &Client,
    site: &str,
    hosts: &[Host],
    domains: &[String],
) -> Result<Issued, AcmeError> {
    let account = account(d).await?;
    let mut placed = Vec::new();
    let result = order_with(d, &account, client, site, hosts, domains, &mut placed).await;
    for token in &placed {
        let _ = on_hosts(client, hosts, site, token, None).await;
    }
    result
}

async fn order_with(
    d: &Directory,
    account: &Account,
    client: &Client,
    site: &str,
    hosts: &[Host],
    domains: &[String],
    placed: &mut Vec<String>,
) -> Result<Issued, AcmeError> {
    let server = |e: instant_acme::Error| AcmeError::Server { url: d.url.clone(), reason: e.to_string() };
    let identifiers: Vec<Identifier> = domains.iter().map(|n| Identifier::Dns(n.clone())).collect();
    let mut order = account.new_order(&NewOrder::new(&identifiers)).await.map_err(server)?;

    // What must be proven (an authorization still valid from an earlier order needs nothing).
    let mut pending = Vec::new();
    let mut authorizations = order.authorizations();
    while let Some(a) = authorizations.next().await {
        let mut a = a.map_err(server)?;
        let domain = a.identifier().to_string();
        match a.status {
            AuthorizationStatus::Valid => continue,
            AuthorizationStatus::Pending => {}
            other => {
                return Err(AcmeError::Validation { domain, reason: format!("the authorization is {other:?}") });
            }
        }
        let c = a.challenge(ChallengeType::Http01).ok_or_else(|| AcmeError::Validation {
            domain: domain.clone(),
            reason: "the server offers no http-01 challenge".into(),
        })?;
        // RFC 8555 §8.3: base64url; anything else would not survive the control API's path.
        if c.token.is_empty()
            || c.token.len() > 128
            || !c.token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(AcmeError::Server {
                url: d.url.clone(),
                reason: format!("the http-01 token for `{domain}` is not base64url"),
            });
        }
        pending.push(Pending {
            domain,
            token: c.token.clone(),
            key_authorization: c.key_authorization().as_str().to_string(),
        });
    }
    // Every host answers every challenge before the server is asked to look.
    for p in &pending {
        placed.push(p.token.clone());
        on_hosts(client, hosts, site, &p.token, Some(&p.key_authorization))
            .await
            .map_err(|(host, reason)| AcmeError::Host { host, domain: p.domain.clone(), reason })?;
    }
    let mut authorizations = order.authorizations();
    while let Some(a) = authorizations.next().await {
        let mut a = a.map_err(server)?;
        if a.status != AuthorizationStatus::Pending {
            continue;
        }
        if let Some(mut c) = a.challenge(ChallengeType::Http01) {
            c.set_ready().await.map_err(server)?;
        }
    }
    let patience = RetryPolicy::new().initial_delay(Duration::from_millis(250)).timeout(Duration::from_secs(90));
    let status = match order.poll_ready(&patience).await {
        Ok(status) => status,
        // The order failed: say which domain and why, as the server's validation saw it.
        Err(instant_acme::Error::Api(problem)) => {
            return Err(why_invalid(&mut order)
                .await
                .unwrap_or_else(|| AcmeError::Validation { domain: domains.join(", "), reason: problem.to_string() }));
        }
        Err(e) => return Err(server(e)),
    };
    if status != OrderStatus::Ready {
        return Err(why_invalid(&mut order).await.unwrap_or_else(|| AcmeError::Validation {
            domain: domains.join(", "),
            reason: format!("the order is {status:?}"),
        }));
    }
    // The key is made here and never leaves this machine but to the hosts.
    let key = rcgen::KeyPair::generate().map_err(|e| AcmeError::Local(e.to_string()))?;
    let mut params = rcgen::CertificateParams::new(domains.to_vec()).map_err(|e| AcmeError::Local(e.to_string()))?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    let csr = params.serialize_request(&key).map_err(|e| AcmeError::Local(e.to_string()))?;
    order.finalize_csr(csr.der()).await.map_err(server)?;
    let cert_pem = order.poll_certificate(&patience).await.map_err(server)?;
    Ok(Issued { cert_pem, key_pem: key.serialize_pem() })
}

/// The first failed challenge's reason, as the ACME server gave it.
async fn why_invalid(order: &mut instant_acme::Order) -> Option<AcmeError> {
    let mut authorizations = order.authorizations();
    while let Some(Ok(mut a)) = authorizations.next().await {
        let state = a.refresh().await.ok()?;
        if state.status == AuthorizationStatus::Invalid {
            let domain = state.identifier().to_string();
            let reason = state
                .challenges
                .iter()
                .find_map(|c| c.error.as_ref().map(ToString::to_string))
                .unwrap_or_else(|| "the authorization is invalid".into());
            return Some(AcmeError::Validation { domain, reason });
        }
    }
    None
}
