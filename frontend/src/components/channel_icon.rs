//! The one place in the SPA that draws an inbox icon: `shared::channel_icon` picks the name, this file the artwork
//! (Remix Icon SVGs in `frontend/icons/`, Apache-2.0, embedded at compile time).

use crate::i18n::t;
use leptos::prelude::*;
use shared::ChannelType;

/// The SVG file of an icon name (`shared::channel::ICON_NAMES`); unknown names get the globe.
pub fn icon_svg(name: &str) -> &'static str {
    match name {
        "i-woot-api" => include_str!("../../icons/i-woot-api.svg"),
        "i-woot-mail" => include_str!("../../icons/i-woot-mail.svg"),
        "i-woot-outlook" => include_str!("../../icons/i-woot-outlook.svg"),
        "i-woot-gmail" => include_str!("../../icons/i-woot-gmail.svg"),
        "i-woot-messenger" => include_str!("../../icons/i-woot-messenger.svg"),
        "i-woot-line" => include_str!("../../icons/i-woot-line.svg"),
        "i-woot-sms" => include_str!("../../icons/i-woot-sms.svg"),
        "i-woot-telegram" => include_str!("../../icons/i-woot-telegram.svg"),
        "i-woot-whatsapp" => include_str!("../../icons/i-woot-whatsapp.svg"),
        "i-ri-twitter-x-fill" => include_str!("../../icons/i-ri-twitter-x-fill.svg"),
        "i-woot-website" => include_str!("../../icons/i-woot-website.svg"),
        "i-woot-instagram" => include_str!("../../icons/i-woot-instagram.svg"),
        "i-woot-tiktok" => include_str!("../../icons/i-woot-tiktok.svg"),
        "i-ri-phone-fill" => include_str!("../../icons/i-ri-phone-fill.svg"),
        _ => include_str!("../../icons/i-ri-global-fill.svg"),
    }
}

/// The markup inside the file's `<svg …>` element (the paths).
pub fn svg_inner(svg: &str) -> &str {
    let start = svg.find('>').map_or(0, |i| i + 1);
    let end = svg.rfind("</svg>").unwrap_or(svg.len());
    svg.get(start..end).unwrap_or_default().trim()
}

/// The `viewBox` of the file's `<svg>` element.
pub fn svg_view_box(svg: &str) -> &str {
    svg.split_once("viewBox=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or("0 0 24 24", |(v, _)| v)
}

#[component]
pub fn ChannelIcon(
    channel_type: ChannelType,
    #[prop(default = None)] provider: Option<String>,
    #[prop(default = None)] medium: Option<String>,
    #[prop(default = 20)] size: u32,
) -> impl IntoView {
    let name = shared::channel_icon(Some(&channel_type), provider.as_deref(), medium.as_deref());
    let svg = icon_svg(name);
    let label_key = channel_type.label_key();
    view! {
        <svg
            class="channel-icon"
            data-icon=name
            role="img"
            aria-label=move || t(label_key)
            width=size
            height=size
            viewBox=svg_view_box(svg)
            fill="currentColor"
            xmlns="http://www.w3.org/2000/svg"
            focusable="false"
            inner_html=svg_inner(svg)
        ></svg>
    }
}
