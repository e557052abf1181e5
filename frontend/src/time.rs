//! Dates and times in the user's locale and the browser's time zone (`Date.toLocaleString`).

use crate::i18n::{t, t_args, use_i18n};
use js_sys::{Date, Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// The locale to format with: the browser's own tag when it is a variant of the UI language (`en-GB` keeps
/// day/month order), else the UI language.
pub fn format_locale() -> String {
    let ui = use_i18n().locale.get().tag();
    let browser = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_default();
    let primary = |tag: &str| {
        tag.split('-')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    if !browser.is_empty() && primary(&browser) == primary(ui) {
        browser
    } else {
        ui.to_owned()
    }
}

pub fn now_secs() -> i64 {
    (Date::now() / 1000.0) as i64
}

fn date_of(unix_secs: i64) -> Date {
    Date::new(&JsValue::from_f64(unix_secs as f64 * 1000.0))
}

fn options(pairs: &[(&str, &str)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    object.into()
}

fn locale_string(unix_secs: i64, pairs: &[(&str, &str)]) -> String {
    date_of(unix_secs)
        .to_locale_string(&format_locale(), &options(pairs))
        .into()
}

/// "27 Nov 2026, 14:05" in the user's locale.
pub fn date_time(unix_secs: i64) -> String {
    locale_string(
        unix_secs,
        &[("dateStyle", "medium"), ("timeStyle", "short")],
    )
}

/// "14:05" (today's messages) or the date and time (older ones).
pub fn message_time(unix_secs: i64) -> String {
    let today = date_of(now_secs()).to_date_string();
    if date_of(unix_secs).to_date_string() == today {
        locale_string(unix_secs, &[("timeStyle", "short")])
    } else {
        date_time(unix_secs)
    }
}

/// "now", "5 min", "3 h", a weekday within the week, else the day and month (and year when not this year).
pub fn relative(unix_secs: i64) -> String {
    let diff = now_secs() - unix_secs;
    if diff < 60 {
        t("time-now")
    } else if diff < 3600 {
        t_args("time-minutes", &[("n", (diff / 60).to_string())])
    } else if diff < 86_400 {
        t_args("time-hours", &[("n", (diff / 3600).to_string())])
    } else if diff < 6 * 86_400 {
        locale_string(unix_secs, &[("weekday", "short")])
    } else if date_of(unix_secs).get_full_year() == date_of(now_secs()).get_full_year() {
        locale_string(unix_secs, &[("day", "numeric"), ("month", "short")])
    } else {
        locale_string(
            unix_secs,
            &[("day", "numeric"), ("month", "short"), ("year", "numeric")],
        )
    }
}

/// `datetime` attribute of `<time>`.
pub fn iso(unix_secs: i64) -> String {
    date_of(unix_secs).to_iso_string().into()
}
