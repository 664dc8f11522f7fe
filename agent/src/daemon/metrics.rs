//! Prometheus metrics on the admin listener (loopback by default): `GET /metrics`, text format
//! 0.0.4. Per site: requests by cache outcome, bytes, responses by status class, the response
//! time histogram; the cache's objects and bytes per tier; control-API calls and refused TLS
//! handshakes.

use super::Agent;
use bytes::Bytes;
use http_body_util::Full;
use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::net::TcpListener;

fn render(agent: &Agent) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# TYPE amoe_requests_total counter");
    let sites = agent.proxy.sites.load();
    let mut bytes_lines = String::new();
    let mut status_lines = String::new();
    let mut hist = String::new();
    for site in sites.names() {
        let Some(s) = agent.proxy.stats(&site) else { continue };
        // Names are checked on the way in; escaped anyway (exposition format: \\, \", \n).
        let name = escape(&site);
        for (outcome, n) in [("hit", s.hit), ("miss", s.miss), ("stale", s.stale), ("pass", s.pass), ("error", s.error)]
        {
            let _ = writeln!(out, "amoe_requests_total{{site=\"{name}\",cache=\"{outcome}\"}} {n}");
        }
        let _ = writeln!(bytes_lines, "amoe_response_bytes_total{{site=\"{name}\"}} {}", s.bytes);
        for (i, n) in s.status.iter().enumerate() {
            let _ = writeln!(status_lines, "amoe_responses_total{{site=\"{name}\",class=\"{}xx\"}} {n}", i + 1);
        }
        let mut cumulative = 0;
        for (i, n) in s.histogram.iter().enumerate() {
            cumulative += n;
            let le = amoe_proxy::stats::BUCKETS_MS
                .get(i)
                .map_or("+Inf".to_string(), |ms| format!("{}", *ms as f64 / 1000.0));
            let _ = writeln!(hist, "amoe_response_seconds_bucket{{site=\"{name}\",le=\"{le}\"}} {cumulative}");
        }
        let _ = writeln!(hist, "amoe_response_seconds_sum{{site=\"{name}\"}} {}", s.seconds_sum);
        let _ = writeln!(hist, "amoe_response_seconds_count{{site=\"{name}\"}} {cumulative}");
    }
    let _ = writeln!(
        out,
        "# TYPE amoe_response_bytes_total counter\n{bytes_lines}# TYPE amoe_responses_total counter\n{status_lines}# TYPE amoe_response_seconds histogram\n{hist}"
    );
    let _ = writeln!(
        out,
        "# TYPE amoe_open_connections gauge\namoe_open_connections {}",
        agent.proxy.open_connections.load(Ordering::Relaxed)
    );
    let (objects, memory, disk) = agent.proxy.cache.usage();
    let _ = writeln!(out, "# TYPE amoe_cache_objects gauge\namoe_cache_objects {objects}");
    let _ = writeln!(
        out,
        "# TYPE amoe_cache_bytes gauge\namoe_cache_bytes{{tier=\"memory\"}} {memory}\namoe_cache_bytes{{tier=\"disk\"}} {disk}"
    );
    let _ = writeln!(
        out,
        "# HELP amoe_cache_damaged_files_total Disk-tier files found truncated, resized or failing their checksum (dropped, never served).\n# TYPE amoe_cache_damaged_files_total counter\namoe_cache_damaged_files_total {}",
        agent.proxy.cache.damaged()
    );
    let _ = writeln!(
        out,
        "# HELP amoe_cache_disk_writes_skipped_total Small objects not written to the disk tier because its writer was behind (they stay in memory while used).\n# TYPE amoe_cache_disk_writes_skipped_total counter\namoe_cache_disk_writes_skipped_total {}",
        agent.proxy.cache.writes_skipped()
    );
    let _ = writeln!(
        out,
        "# TYPE amoe_control_calls_total counter\namoe_control_calls_total{{outcome=\"accepted\"}} {}\namoe_control_calls_total{{outcome=\"refused\"}} {}",
        agent.calls_ok.load(Ordering::Relaxed),
        agent.calls_refused.load(Ordering::Relaxed)
    );
    let _ = writeln!(
        out,
        "# TYPE amoe_control_handshakes_refused_total counter\namoe_control_handshakes_refused_total {}",
        agent.handshakes_refused.load(Ordering::Relaxed)
    );
    let _ = writeln!(
        out,
        "# HELP amoe_tls_handshake_failures_total HTTPS handshakes on the public listeners that failed or timed out.\n# TYPE amoe_tls_handshake_failures_total counter\namoe_tls_handshake_failures_total {}",
        agent.proxy.tls_handshake_failures.load(Ordering::Relaxed)
    );
    let _ = writeln!(
        out,
        "# HELP amoe_agent_reload_failures_total SIGHUP reloads refused (the previous configuration kept running).\n# TYPE amoe_agent_reload_failures_total counter\namoe_agent_reload_failures_total {}",
        agent.reload_failures.load(Ordering::Relaxed)
    );
    let _ = writeln!(
        out,
        "# HELP amoe_certificate_expiry_seconds Seconds until each certificate the agent serves expires (negative: expired).\n# TYPE amoe_certificate_expiry_seconds gauge"
    );
    let now = jiff::Timestamp::now().as_second();
    for (name, not_after) in agent.certificate_expiries() {
        let _ =
            writeln!(out, "amoe_certificate_expiry_seconds{{certificate=\"{}\"}} {}", escape(&name), not_after - now);
    }
    out
}

/// A label value in the exposition format (`\\`, `\"`, `\n` escaped).
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

pub async fn serve(agent: Arc<Agent>, listener: TcpListener, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    loop {
        let (tcp, _) = tokio::select! {
            a = listener.accept() => match a { Ok(a) => a, Err(_) => continue },
            () = &mut stop => return,
        };
        let agent = agent.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                let agent = agent.clone();
                async move {
                    let text = |status: u16, body: String| {
                        http::Response::builder()
                            .status(status)
                            .header("content-type", "text/plain")
                            .body(Full::new(Bytes::from(body)))
                    };
                    let r = match req.uri().path() {
                        "/metrics" => http::Response::builder()
                            .header("content-type", "text/plain; version=0.0.4")
                            .body(Full::new(Bytes::from(render(&agent)))),
                        // Live: the process answers.
                        "/healthz" => text(200, "ok\n".into()),
                        // Ready for traffic: sites loaded, certificates valid.
                        "/readyz" => match agent.readiness() {
                            problems if problems.is_empty() => text(200, "ready\n".into()),
                            problems => text(503, problems.join("\n") + "\n"),
                        },
                        _ => text(404, "see /metrics, /healthz, /readyz\n".into()),
                    };
                    Ok::<_, std::convert::Infallible>(r.unwrap_or_default())
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc)
                .await;
        });
    }
}
