//! Fluent bundles, fetched at run time for the language on screen (and English, the fallback), and the reactive
//! current locale.
//!
//! The `.ftl` files are not compiled into the wasm: Trunk copies `i18n/` into `dist/` (`copy-dir` in
//! `index.html`), the backend serves it under `/app/i18n/`, and a visitor downloads only the languages shown.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use gloo_net::http::Request;
use leptos::prelude::*;
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;

pub const STORAGE_KEY: &str = "switchboard.locale";

/// Where `dist/i18n/` is served (Trunk's `public_url` is `/app/`).
const BUNDLE_BASE: &str = "/app/i18n";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    En,
    Es,
    PtBr,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::En, Locale::Es, Locale::PtBr];

    /// The BCP 47 tag, also the `<option value>` and the `i18n/` directory name.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
            Locale::PtBr => "pt-BR",
        }
    }

    /// The i18n key naming the language (in its own language).
    pub fn label_key(self) -> &'static str {
        match self {
            Locale::En => "language-en",
            Locale::Es => "language-es",
            Locale::PtBr => "language-pt-BR",
        }
    }

    /// An exact stored tag.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.tag() == tag)
    }

    /// A browser language (`es-MX`, `pt`, `en-US`, …): es* → Spanish, pt* → Brazilian Portuguese, else English.
    pub fn negotiate(language: &str) -> Locale {
        let lower = language.trim().to_ascii_lowercase();
        if lower.starts_with("es") {
            Locale::Es
        } else if lower.starts_with("pt") {
            Locale::PtBr
        } else {
            Locale::En
        }
    }
}

type Bundle = FluentBundle<FluentResource>;

thread_local! {
    /// The bundles fetched so far; a locale is only shown once its bundle is here.
    static BUNDLES: RefCell<HashMap<Locale, Bundle>> = RefCell::new(HashMap::new());
    static CURRENT: OnceCell<I18n> = const { OnceCell::new() };
    /// The locale most recently asked for: a slower, older request must not win over it.
    static REQUESTED: Cell<Option<Locale>> = const { Cell::new(None) };
}

fn build_bundle(locale: Locale, source: String) -> Bundle {
    let langid = locale.tag().parse().expect("valid language tag");
    let mut bundle = FluentBundle::new(vec![langid]);
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(source).unwrap_or_else(|(res, errors)| {
        leptos::logging::warn!("{}: {} Fluent syntax error(s)", locale.tag(), errors.len());
        res
    });
    if let Err(errors) = bundle.add_resource(resource) {
        leptos::logging::warn!(
            "{}: {} duplicate Fluent message(s)",
            locale.tag(),
            errors.len()
        );
    }
    bundle
}

fn is_loaded(locale: Locale) -> bool {
    BUNDLES.with(|bundles| bundles.borrow().contains_key(&locale))
}

/// `GET /app/i18n/<tag>/main.ftl`. The file name carries no content hash, so the server marks it `no-cache`: the
/// browser revalidates it (a 304 when unchanged) rather than pairing a new wasm with stale messages. The request
/// is a plain one so that it takes over the English file `index.html` preloads while the wasm downloads.
async fn fetch_source(locale: Locale) -> Result<String, String> {
    let url = format!("{BUNDLE_BASE}/{}/main.ftl", locale.tag());
    let response = Request::get(&url).send().await.map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    response.text().await.map_err(|e| e.to_string())
}

/// Fetches and parses `locale`'s bundle unless it is already here; a failure is logged and leaves it missing.
async fn load_bundle(locale: Locale) {
    if is_loaded(locale) {
        return;
    }
    match fetch_source(locale).await {
        Ok(source) => {
            let bundle = build_bundle(locale, source);
            BUNDLES.with(|bundles| bundles.borrow_mut().insert(locale, bundle));
        }
        Err(error) => leptos::logging::warn!("{}: messages not loaded: {error}", locale.tag()),
    }
}

/// Formats `key` in `locale`; falls back to English, then to the key itself.
pub fn format(locale: Locale, key: &str, args: Option<&FluentArgs>) -> String {
    BUNDLES.with(|bundles| {
        let bundles = bundles.borrow();
        for candidate in [locale, Locale::En] {
            let Some(bundle) = bundles.get(&candidate) else {
                continue;
            };
            if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
                let mut errors = vec![];
                return bundle
                    .format_pattern(pattern, args, &mut errors)
                    .into_owned();
            }
        }
        key.to_owned()
    })
}

pub fn has_key(key: &str) -> bool {
    BUNDLES.with(|bundles| {
        bundles
            .borrow()
            .get(&Locale::En)
            .is_some_and(|bundle| bundle.has_message(key))
    })
}

/// The locale on screen and whether its messages are here (context), also kept for `t` so event handlers can
/// translate without an owner.
#[derive(Clone, Copy)]
pub struct I18n {
    /// The language on screen: it changes only once the new language's messages have loaded.
    pub locale: RwSignal<Locale>,
    /// False until the first messages have loaded (or failed to): the app shows only its spinner until then.
    pub ready: RwSignal<bool>,
}

impl I18n {
    /// Remembers `locale` and shows it once its messages are here; the current language stays until then.
    pub fn set(self, locale: Locale) {
        if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = storage.set_item(STORAGE_KEY, locale.tag());
        }
        self.show(locale);
    }

    /// Loads `locale` and English (the fallback) side by side, then switches to `locale` unless another one was
    /// asked for meanwhile. A language whose file cannot be fetched falls back to English, then to the keys.
    fn show(self, locale: Locale) {
        REQUESTED.with(|r| r.set(Some(locale)));
        leptos::task::spawn_local(async move {
            if locale == Locale::En {
                load_bundle(Locale::En).await;
            } else {
                futures_util::future::join(load_bundle(locale), load_bundle(Locale::En)).await;
            }
            if REQUESTED.with(Cell::get) != Some(locale) {
                return;
            }
            let shown = if is_loaded(locale) {
                locale
            } else {
                Locale::En
            };
            self.locale.set(shown);
            self.ready.set(true);
        });
    }
}

fn initial_locale() -> Locale {
    let window = web_sys::window();
    let stored = window
        .as_ref()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|tag| Locale::from_tag(&tag));
    stored.unwrap_or_else(|| {
        let language = window
            .and_then(|w| w.navigator().language())
            .unwrap_or_default();
        Locale::negotiate(&language)
    })
}

/// Creates the locale signals, provides them as context, starts loading the messages and keeps `<html lang>` and
/// the document title in step.
pub fn provide_i18n() -> I18n {
    let i18n = I18n {
        locale: RwSignal::new(initial_locale()),
        ready: RwSignal::new(false),
    };
    CURRENT.with(|c| {
        let _ = c.set(i18n);
    });
    provide_context(i18n);
    i18n.show(i18n.locale.get_untracked());
    Effect::new(move |_| {
        let locale = i18n.locale.get();
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", locale.tag());
        }
        if !i18n.ready.get() {
            return;
        }
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&format(locale, "app-name", None));
        }
    });
    i18n
}

pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(current)
}

fn current() -> I18n {
    CURRENT.with(|c| {
        *c.get_or_init(|| I18n {
            locale: RwSignal::new(Locale::En),
            ready: RwSignal::new(false),
        })
    })
}

/// Translates `key` in the current locale (tracks the locale when called in a reactive context).
pub fn t(key: &str) -> String {
    format(current().locale.get(), key, None)
}

/// Translates `key` with Fluent arguments.
pub fn t_args(key: &str, args: &[(&'static str, String)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, FluentValue::from(value.clone()));
    }
    format(current().locale.get(), key, Some(&fluent_args))
}

/// A reactive text node: `{tr("inboxes-title")}` re-renders when the locale changes.
pub fn tr(key: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || t(key)
}

/// The i18n key of an API error code: `invalid_credentials` → `error-invalid-credentials`; unknown codes →
/// `error-generic`.
pub fn error_key(code: &str) -> String {
    let key = format!("error-{}", code.replace('_', "-"));
    if has_key(&key) {
        key
    } else {
        "error-generic".to_owned()
    }
}

/// The translated message of an API error code.
pub fn t_error(code: &str) -> String {
    t(&error_key(code))
}
