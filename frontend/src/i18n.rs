//! Fluent bundles compiled into the binary and the reactive current locale.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use leptos::prelude::*;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

pub const STORAGE_KEY: &str = "switchboard.locale";

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

    fn source(self) -> &'static str {
        match self {
            Locale::En => include_str!("../../i18n/en/main.ftl"),
            Locale::Es => include_str!("../../i18n/es/main.ftl"),
            Locale::PtBr => include_str!("../../i18n/pt-BR/main.ftl"),
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
    static BUNDLES: RefCell<HashMap<Locale, Bundle>> = RefCell::new(HashMap::new());
    static CURRENT: OnceCell<RwSignal<Locale>> = const { OnceCell::new() };
}

fn build_bundle(locale: Locale) -> Bundle {
    let langid = locale.tag().parse().expect("valid language tag");
    let mut bundle = FluentBundle::new(vec![langid]);
    bundle.set_use_isolating(false);
    let resource =
        FluentResource::try_new(locale.source().to_owned()).unwrap_or_else(|(res, errors)| {
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

/// Formats `key` in `locale`; falls back to English, then to the key itself.
pub fn format(locale: Locale, key: &str, args: Option<&FluentArgs>) -> String {
    BUNDLES.with(|bundles| {
        let mut bundles = bundles.borrow_mut();
        for candidate in [locale, Locale::En] {
            let bundle = bundles
                .entry(candidate)
                .or_insert_with(|| build_bundle(candidate));
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
        let mut bundles = bundles.borrow_mut();
        let bundle = bundles
            .entry(Locale::En)
            .or_insert_with(|| build_bundle(Locale::En));
        bundle.has_message(key)
    })
}

/// The current locale signal (context), also kept for `t` so event handlers can translate without an owner.
#[derive(Clone, Copy)]
pub struct I18n {
    pub locale: RwSignal<Locale>,
}

impl I18n {
    pub fn set(self, locale: Locale) {
        self.locale.set(locale);
        if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = storage.set_item(STORAGE_KEY, locale.tag());
        }
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

/// Creates the locale signal, provides it as context and keeps `<html lang>` in step.
pub fn provide_i18n() -> I18n {
    let i18n = I18n {
        locale: RwSignal::new(initial_locale()),
    };
    CURRENT.with(|c| {
        let _ = c.set(i18n.locale);
    });
    provide_context(i18n);
    Effect::new(move |_| {
        let locale = i18n.locale.get();
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", locale.tag());
        }
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&format(locale, "app-name", None));
        }
    });
    i18n
}

pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n {
        locale: current_signal(),
    })
}

fn current_signal() -> RwSignal<Locale> {
    CURRENT.with(|c| *c.get_or_init(|| RwSignal::new(Locale::En)))
}

/// Translates `key` in the current locale (tracks the locale when called in a reactive context).
pub fn t(key: &str) -> String {
    format(current_signal().get(), key, None)
}

/// Translates `key` with Fluent arguments.
pub fn t_args(key: &str, args: &[(&'static str, String)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, FluentValue::from(value.clone()));
    }
    format(current_signal().get(), key, Some(&fluent_args))
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
