//! Static sites (`amoe site update SITE --static`, DESIGN §10): answered from the site's
//! current release folder (`STATE/releases/SITE/current`), no origin. `GET` and `HEAD` only;
//! `index.html` for folders (a folder without its `/` is redirected); content types by
//! extension; `ETag` and `Last-Modified` with `If-None-Match` / `If-Modified-Since` (304);
//! one `Range` (206, 416); a precompressed `FILE.br` or `FILE.gz` when the client accepts it;
//! the site's 404 page. A path is resolved through every link and must stay inside the
//! release, or it is not found; `..` is refused.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header};

use crate::body::ProxyBody;
use crate::handler::text;
use crate::range::{RangeAnswer, answer};

/// What a static site is served from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticRoot {
    /// The `current` link of the site's releases.
    pub root: PathBuf,
    /// The page answered with 404 (a path in the release, `/404.html`), if any.
    pub not_found: Option<String>,
}

/// The content type of a file name.
pub fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "wasm" => "application/wasm",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// The path's segments, percent-decoded; `None` for `..`, a NUL, a `/` or `\\` inside one.
fn segments(path: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for raw in path.split('/') {
        let bytes = raw.as_bytes();
        let mut dec = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
                dec.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            } else {
                dec.push(bytes[i]);
                i += 1;
            }
        }
        let seg = String::from_utf8(dec).ok()?;
        if seg == ".." || seg.contains(['\0', '/', '\\']) {
            return None;
        }
        if !seg.is_empty() && seg != "." {
            out.push(seg);
        }
    }
    Some(out)
}

/// `path` resolved through every link, if it stays inside `root` (itself resolved).
async fn inside(root: &Path, path: &Path) -> Option<PathBuf> {
    let real = tokio::fs::canonicalize(path).await.ok()?;
    real.starts_with(root).then_some(real)
}

fn etag(len: u64, mtime: SystemTime, encoding: &str) -> String {
    let t = mtime.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("\"{len:x}-{t:x}{encoding}\"")
}

fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |part| {
            let mut it = part.split(';');
            let name = it.next().unwrap_or("").trim();
            let q_zero = it
                .any(|p| p.trim().strip_prefix("q=").is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)));
            name.eq_ignore_ascii_case(coding) && !q_zero
        },
    )
}

/// The answer to a request for `target` (path and query) of a static site.
pub async fn respond(st: &StaticRoot, method: &Method, target: &str, headers: &HeaderMap) -> Response<ProxyBody> {
    if !matches!(*method, Method::GET | Method::HEAD) {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "a static site answers GET and HEAD only\n");
        r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let path = target.split_once('?').map_or(target, |(p, _)| p);
    let Some(segs) = segments(path) else {
        return text(StatusCode::BAD_REQUEST, "bad path\n");
    };
    let Ok(root) = tokio::fs::canonicalize(&st.root).await else {
        return text(StatusCode::SERVICE_UNAVAILABLE, "no release of this site is current yet\n");
    };
    let mut file = root.clone();
    for s in &segs {
        file.push(s);
    }
    if tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_dir()) {
        if !path.ends_with('/') {
            let mut r = text(StatusCode::MOVED_PERMANENTLY, "moved\n");
            if let Ok(v) = HeaderValue::from_str(&format!("{path}/")) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            return r;
        }
        file.push("index.html");
    }
    match inside(&root, &file).await {
        Some(real) if tokio::fs::metadata(&real).await.is_ok_and(|m| m.is_file()) => {
            serve(&root, &real, StatusCode::OK, method, headers).await
        }
        _ => not_found(st, &root, method, headers).await,
    }
}

async fn not_found(st: &StaticRoot, root: &Path, method: &Method, headers: &HeaderMap) -> Response<ProxyBody> {
    if let Some(page) = &st.not_found
        && let Some(segs) = segments(page)
    {
        let mut p = root.to_path_buf();
        segs.iter().for_each(|s| p.push(s));
        if let Some(real) = inside(root, &p).await {
            return serve(root, &real, StatusCode::NOT_FOUND, method, headers).await;
        }
    }
    text(StatusCode::NOT_FOUND, "not found\n")
}

/// `file` (inside `root`) with `status`: its precompressed variant if the client takes one,
/// conditional requests, ranges.
async fn serve(
    root: &Path,
    file: &Path,
    status: StatusCode,
    method: &Method,
    headers: &HeaderMap,
) -> Response<ProxyBody> {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
    let ranged = headers.contains_key(header::RANGE) && status == StatusCode::OK;
    // A precompressed variant, never for a range (its bytes are not the file's).
    let mut chosen = (file.to_path_buf(), "");
    if !ranged {
        for (coding, ext) in [("br", "br"), ("gzip", "gz")] {
            if accepts(headers, coding) {
                let alt = PathBuf::from(format!("{}.{ext}", file.display()));
                if let Some(real) = inside(root, &alt).await
                    && tokio::fs::metadata(&real).await.is_ok_and(|m| m.is_file())
                {
                    chosen = (real, coding);
                    break;
                }
            }
        }
    }
    let (path, coding) = chosen;
    let Ok(meta) = tokio::fs::metadata(&path).await else { return text(StatusCode::NOT_FOUND, "not found\n") };
    let len = meta.len();
    let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let suffix = if coding.is_empty() { String::new() } else { format!("-{coding}") };
    let tag = etag(len, mtime, &suffix);
    let mut h = HeaderMap::new();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&name)));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(mtime)) {
        h.insert(header::LAST_MODIFIED, v);
    }
    if !coding.is_empty() {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(if coding == "br" { "br" } else { "gzip" }));
    }
    if status == StatusCode::OK {
        let inm = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
        let fresh = match inm {
            Some(list) => list.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == tag),
            None => headers
                .get(header::IF_MODIFIED_SINCE)
                .and_then(|v| v.to_str().ok())
                .and_then(|s| httpdate::parse_http_date(s.trim()).ok())
                .is_some_and(|since| {
                    let secs = |t: SystemTime| t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
                    secs(mtime) <= secs(since)
                }),
        };
        if fresh {
            let mut r = Response::new(ProxyBody::Empty);
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            for k in [header::ETAG, header::LAST_MODIFIED, header::VARY] {
                if let Some(v) = h.get(&k) {
                    r.headers_mut().insert(k, v.clone());
                }
            }
            return r;
        }
    }
    let (mut start, mut count, mut code) = (0, len, status);
    if ranged {
        // `If-Range` with another validator: the whole file.
        let if_range = headers.get(header::IF_RANGE).and_then(|v| v.to_str().ok());
        let applies = if_range.is_none_or(|v| v.trim() == tag);
        let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).unwrap_or("");
        match answer(range, len) {
            RangeAnswer::Partial { start: s, end } if applies => {
                (start, count, code) = (s, end - s + 1, StatusCode::PARTIAL_CONTENT);
                if let Ok(v) = HeaderValue::from_str(&format!("bytes {s}-{end}/{len}")) {
                    h.insert(header::CONTENT_RANGE, v);
                }
            }
            RangeAnswer::Unsatisfiable if applies => {
                let mut r = text(StatusCode::RANGE_NOT_SATISFIABLE, "range not satisfiable\n");
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                    r.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                return r;
            }
            _ => {}
        }
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    let body = if *method == Method::HEAD || count == 0 {
        ProxyBody::Empty
    } else {
        match open_at(&path, start).await {
            Ok(f) => ProxyBody::File { file: Box::pin(f), remaining: count, buf: Vec::new(), verify: None },
            Err(_) => return text(StatusCode::NOT_FOUND, "not found\n"),
        }
    };
    let mut r = Response::new(body);
    *r.status_mut() = code;
    *r.headers_mut() = h;
    r
}

async fn open_at(path: &Path, start: u64) -> std::io::Result<tokio::fs::File> {
    use tokio::io::AsyncSeekExt;
    let mut f = tokio::fs::File::open(path).await?;
    if start > 0 {
        f.seek(std::io::SeekFrom::Start(start)).await?;
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_decoded_and_dot_dot_refused() {
        assert_eq!(segments("/a/b.html"), Some(vec!["a".into(), "b.html".into()]));
        assert_eq!(segments("/caf%C3%A9/"), Some(vec!["café".into()]));
        assert_eq!(segments("/a/%2e%2e/b"), None);
        assert_eq!(segments("/a/../b"), None);
        assert_eq!(segments("/a%2fb"), None);
        assert_eq!(segments("/a%00"), None);
        assert_eq!(segments("/./a//b"), Some(vec!["a".into(), "b".into()]));
    }

    #[test]
    fn encodings_with_q_zero_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip;q=0, br"));
        assert!(accepts(&h, "br") && !accepts(&h, "gzip"));
    }
}
