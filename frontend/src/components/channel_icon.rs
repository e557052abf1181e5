//! The one place in the SPA that draws an inbox icon: `shared::channel_icon` picks the name, this file the artwork
//! (Remix Icon SVGs in `frontend/icons/`, Apache-2.0). Trunk copies them to `dist/icons/` (`copy-dir` in
//! `index.html`) and each icon `<use>`s its file, which the browser fetches once and caches, so no path data is
//! compiled into the wasm.

use crate::i18n::t;
use leptos::prelude::*;
use shared::ChannelType;

/// The artwork of an icon name (`shared::channel::ICON_NAMES`): the root `<svg id="icon">` of its file, served
/// under `/app/icons/`. Every file has the `0 0 24 24` view box.
pub fn icon_href(name: &str) -> String {
    format!("/app/icons/{name}.svg#icon")
}

#[component]
pub fn ChannelIcon(
    channel_type: ChannelType,
    #[prop(default = None)] provider: Option<String>,
    #[prop(default = None)] medium: Option<String>,
    #[prop(default = 20)] size: u32,
) -> impl IntoView {
    let name = shared::channel_icon(Some(&channel_type), provider.as_deref(), medium.as_deref());
    let label_key = channel_type.label_key();
    view! {
        <svg
            class="channel-icon"
            data-icon=name
            role="img"
            aria-label=move || t(label_key)
            width=size
            height=size
            viewBox="0 0 24 24"
            fill="currentColor"
            xmlns="http://www.w3.org/2000/svg"
            focusable="false"
        >
            <use href=icon_href(name) />
        </svg>
    }
}
