//! Serves the built SPA from `STATIC_DIR` under `/app`, falling back to `index.html` for client-side routes,
//! with a Content-Security-Policy that admits Trunk's inline loader by its hash and nothing else inline.

use actix_files::NamedFile;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The built SPA. `index.html` is read on each request (it is small): a rebuild with new asset hashes is
/// served at once, without restarting the server.
#[derive(Clone)]
pub struct Spa {
    dir: PathBuf,
}

impl Spa {
    pub fn load(dir: &Path) -> Self {
        if !dir.join("index.html").is_file() {
            tracing::warn!(dir = %dir.display(), "no index.html in STATIC_DIR: build the SPA with `make spa`");
        }
        Spa {
            dir: dir.to_path_buf(),
        }
    }

    async fn index_response(&self) -> HttpResponse {
        match tokio::fs::read_to_string(self.dir.join("index.html")).await {
            Ok(html) => HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .insert_header((
                    header::CONTENT_SECURITY_POLICY,
                    csp(&inline_script_hashes(&html)),
                ))
                .insert_header((header::CACHE_CONTROL, "no-cache"))
                .body(html),
            Err(_) => HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("The dashboard has not been built. Run `make spa` (or `make run`)."),
        }
    }
}

/// `script-src` hashes of every inline `<script>` (Trunk's module loader), so no 'unsafe-inline' is needed.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body = &after[open_end + 1..];
        let Some(close) = body.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") && !body[..close].trim().is_empty() {
            hashes.push(format!(
                "'sha256-{}'",
                STANDARD.encode(Sha256::digest(&body.as_bytes()[..close]))
            ));
        }
        rest = &body[close..];
    }
    hashes
}

pub fn csp(script_hashes: &[String]) -> String {
    let mut script_src = vec!["'self'".to_owned(), "'wasm-unsafe-eval'".to_owned()];
    script_src.extend(script_hashes.iter().cloned());
    format!(
        "default-src 'self'; script-src {}; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        script_src.join(" ")
    )
}

/// `/app/{tail}`: a built asset if one exists at that path, else the SPA shell.
pub async fn serve(req: HttpRequest, spa: web::Data<Spa>) -> actix_web::Result<HttpResponse> {
    let tail = req.match_info().get("tail").unwrap_or_default();
    let safe = !tail.is_empty()
        && tail
            .split('/')
            .all(|seg| !seg.is_empty() && seg != ".." && !seg.starts_with('.'));
    if safe {
        let path = spa.dir.join(tail);
        if path.is_file() && tail != "index.html" {
            let file = NamedFile::open_async(&path).await?;
            let mut response = file.into_response(&req);
            // Trunk names the wasm and CSS by their content; the message files keep their names across
            // releases, so the browser must ask again (a 304 when unchanged) before using a cached copy.
            if tail.starts_with("i18n/") {
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    header::HeaderValue::from_static("no-cache"),
                );
            }
            return Ok(response);
        }
    }
    Ok(spa.index_response().await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = r#"<html><head><script src="/app/x.js"></script><script type="module">import init from '/app/x.js';await init();</script></head></html>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        let want = STANDARD.encode(Sha256::digest(
            b"import init from '/app/x.js';await init();",
        ));
        assert_eq!(hashes[0], format!("'sha256-{want}'"));
        let policy = csp(&hashes);
        assert!(policy.contains("'wasm-unsafe-eval'"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("unsafe-inline"));
    }
}
