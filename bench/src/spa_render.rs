//! Time from navigation to the rendered inbox list (200 inboxes) in headless Chromium, read from the page's
//! own clock (`performance.now()`, which starts at navigation) by a script that Chromium runs in every new
//! document before the page's own (`Page.addScriptToEvaluateOnNewDocument`): a `MutationObserver` notes the
//! moment all rows are in the DOM, and the next animation frame the moment they go to the screen. The harness
//! reads those notes afterwards, so nothing polls the page while it renders (a tight WebDriver polling loop
//! had the page's main thread, chromedriver and the harness take turns on the same two cores).

use crate::{create_db, drop_db, http_client, spawn_server, Config};
use anyhow::{ensure, Context};
use backend::config::Settings;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::process::Command;

pub const INBOXES: usize = 200;
/// Navigations measured after the first (cold-cache) one; the median is reported.
const WARM_RUNS: usize = 7;

pub struct RenderTimes {
    /// First navigation: empty HTTP cache, the wasm fetched and compiled.
    pub cold_ms: f64,
    /// Median of the later navigations (cached assets, as an agent reopening the dashboard).
    pub warm_median_ms: f64,
    /// Where the time of the cold and the median warm navigation went.
    pub cold_steps: String,
    pub warm_steps: String,
}

/// Installed in every new document before its own scripts. `__sbRows` is when the last row arrived in the DOM
/// (the observer's callback runs right after the task that inserted it); `__sbPainted` is just after the next
/// frame, in which the browser laid them out and painted them (a task queued from that frame's animation
/// callback runs after its rendering); `__sbLong` lists the main thread's tasks over 50 ms (start + duration),
/// which tell where the time went.
const OBSERVER_JS: &str = "(() => { \
    const rows = () => document.querySelectorAll('[data-testid=inbox-row]').length; \
    const observer = new MutationObserver(() => { \
      if (window.__sbRows !== undefined || rows() < INBOXES) return; \
      window.__sbRows = performance.now(); \
      observer.disconnect(); \
      requestAnimationFrame(() => setTimeout(() => { window.__sbPainted = performance.now(); })); \
    }); \
    observer.observe(document, {childList: true, subtree: true}); \
    window.__sbLong = []; \
    try { \
      new PerformanceObserver(list => { for (const e of list.getEntries()) \
        window.__sbLong.push(`${Math.round(e.startTime)}+${Math.round(e.duration)}`); }) \
        .observe({type: 'longtask', buffered: true}); \
    } catch (_) {} \
  })();";

/// When the requests on the way to the list started and ended (ms since navigation), from the page's
/// resource timings: what the render waits for, in order, then the observer's notes.
const STEPS_JS: &str = "const r = performance.getEntriesByType('resource'); \
    const step = (label, re) => { const e = r.find(x => re.test(x.name)); \
      return e ? `${label} ${Math.round(e.startTime)}–${Math.round(e.responseEnd)}` : `${label} –`; }; \
    const nav = performance.getEntriesByType('navigation')[0]; \
    return [`html 0–${Math.round(nav.responseEnd)}`, step('js', /\\.js$/), step('wasm', /_bg\\.wasm$/), \
      step('messages', /main\\.ftl$/), step('profile', /\\/profile$/), step('inboxes', /\\/inboxes$/), \
      step('icon', /\\.svg$/), `rows in DOM ${Math.round(window.__sbRows)}`, `long tasks ${(window.__sbLong || []).join(' ') || '–'}`].join(', ');";

pub async fn measure(cfg: &Config) -> anyhow::Result<RenderTimes> {
    let bdb = create_db("sqlite", cfg).await?;
    let result = measure_on(cfg, &bdb.url, bdb._dir.path()).await;
    drop_db(&bdb).await;
    result
}

async fn measure_on(cfg: &Config, url: &str, dir: &std::path::Path) -> anyhow::Result<RenderTimes> {
    let env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), url.to_owned()),
        ("SECRET_KEY_BASE".into(), "0123456789abcdef".repeat(8)),
        (
            "STATIC_DIR".into(),
            cfg.root.join("dist").display().to_string(),
        ),
        (
            "FILE_STORE_DIR".into(),
            dir.join("files").display().to_string(),
        ),
    ]);
    let settings = Settings::from_lookup(|k| env.get(k).cloned());
    let state = backend::startup::prepare(&settings).await?;
    let admin = backend::cli::create_admin(
        &state,
        "render@example.com",
        "password123",
        Some("Render"),
        Some("Render"),
        false,
    )
    .await?;
    let account = admin.account_id.context("account")?;
    let logs = cfg.root.join("target/bench");
    let (server, base) = spawn_server(cfg, &env, &[], &logs.join("server-spa.log")).await?;
    let client = http_client();
    for i in 0..INBOXES {
        let r = client
            .post(format!("{base}/api/v1/accounts/{account}/inboxes"))
            .header("api_access_token", &admin.access_token)
            .json(&json!({"name": format!("Inbox {i:03}"), "channel": {"type": "api"}}))
            .send()
            .await?;
        ensure!(
            r.status().is_success(),
            "creating inbox {i}: {}",
            r.status()
        );
    }
    let driver = ChromeDriver::start(&logs).await?;
    let browser = driver.connect(dir).await?;
    let outcome = async {
        browser
            .issue_cmd(Cdp {
                cmd: "Page.addScriptToEvaluateOnNewDocument",
                params: json!({"source": OBSERVER_JS.replace("INBOXES", &INBOXES.to_string())}),
            })
            .await
            .context("installing the render observer")?;
        browser.goto(&format!("{base}/app/login")).await?;
        // Sign in from the page itself, so the browser holds the session cookie as after the login form.
        let status = browser
            .execute(
                "return fetch('/auth/sign_in', {method: 'POST', headers: {'content-type': 'application/json'}, \
                 body: JSON.stringify({email: 'render@example.com', password: 'password123'})}).then(r => r.status);",
                vec![],
            )
            .await?;
        ensure!(status == json!(200), "sign-in from the page answered {status}");
        let page = format!("{base}/app/accounts/{account}/settings/inboxes");
        let (cold_ms, cold_steps) = navigate_and_time(&browser, &page).await?;
        let mut warm = Vec::new();
        for _ in 0..WARM_RUNS {
            warm.push(navigate_and_time(&browser, &page).await?);
        }
        warm.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (warm_median_ms, warm_steps) = warm.swap_remove(warm.len() / 2);
        anyhow::Ok(RenderTimes {
            cold_ms,
            warm_median_ms,
            cold_steps,
            warm_steps,
        })
    }
    .await;
    let _ = browser.close().await;
    server.stop().await;
    outcome
}

/// Navigates and waits for the observer's notes (`OBSERVER_JS`); returns when every row had been painted, and
/// the steps on the way.
async fn navigate_and_time(browser: &Client, page: &str) -> anyhow::Result<(f64, String)> {
    browser.goto(page).await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let v: Value = browser
            .execute(
                "return [window.__sbPainted, document.querySelectorAll('[data-testid=inbox-row]').length];",
                vec![],
            )
            .await?;
        if let Some(at) = v[0].as_f64() {
            let steps = browser.execute(STEPS_JS, vec![]).await?;
            let steps = steps.as_str().unwrap_or_default().to_owned();
            return Ok((at, steps));
        }
        ensure!(
            Instant::now() < deadline,
            "the inbox list did not show {INBOXES} rows within 30 s (saw {})",
            v[1]
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// A Chromium DevTools command, through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.cmd, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}

struct ChromeDriver {
    child: tokio::process::Child,
    port: u16,
}

impl ChromeDriver {
    async fn start(logs: &std::path::Path) -> anyhow::Result<Self> {
        let port = crate::free_port()?;
        let log = std::fs::File::create(logs.join("chromedriver.log"))?;
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .context("starting chromedriver (`make setup-test` installs it)")?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            ensure!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(ChromeDriver { child, port })
    }

    async fn connect(&self, dir: &std::path::Path) -> anyhow::Result<Client> {
        let profile = dir.join("chromium-profile");
        std::fs::create_dir_all(&profile)?;
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".to_owned()),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-sync", "--disable-background-networking",
                    "--window-size=1280,900", "--lang=en-US",
                    format!("--user-data-dir={}", profile.display()),
                ],
            }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .context("WebDriver session")
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}
