//! A read-only value (a webhook URL) with a Copy button and a polite "Copied" confirmation.

use crate::i18n::t;
use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::JsCast;

#[derive(Clone, Copy, PartialEq)]
enum CopyState {
    Idle,
    Copied,
    Failed,
}

/// `id` is the input's id and `data-testid`; the button is `{id}-copy`, the confirmation `{id}-status`.
#[component]
pub fn CopyField(
    id: &'static str,
    /// i18n key of the label.
    label: &'static str,
    /// i18n key of the line explaining what to do with the value.
    #[prop(optional)]
    hint: Option<&'static str>,
    value: String,
) -> impl IntoView {
    let state = RwSignal::new(CopyState::Idle);
    let hint_id = format!("{id}-hint");
    let status_id = format!("{id}-status");
    let copy_value = value.clone();
    let on_copy = move |_| {
        let text = copy_value.clone();
        leptos::task::spawn_local(async move {
            let ok = write_clipboard(&text).await;
            if !ok {
                select_input(id);
            }
            state.set(if ok {
                CopyState::Copied
            } else {
                CopyState::Failed
            });
            set_timeout(move || state.set(CopyState::Idle), Duration::from_secs(3));
        });
    };
    view! {
        <div class="field copy-field">
            <label for=id>{move || t(label)}</label>
            <div class="input-group">
                <input
                    id=id
                    type="text"
                    readonly
                    data-testid=id
                    aria-describedby=hint.map(|_| hint_id.clone())
                    prop:value=value
                    on:focus=move |ev| {
                        if let Some(input) = ev
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                        {
                            input.select();
                        }
                    }
                />
                <button
                    type="button"
                    class="btn btn-secondary btn-small"
                    data-testid=format!("{id}-copy")
                    aria-describedby=status_id.clone()
                    on:click=on_copy
                >
                    {move || t("copy")}
                </button>
            </div>
            {hint.map(|key| view! { <p id=hint_id class="help">{move || t(key)}</p> })}
            <p
                id=status_id.clone()
                class="copy-status"
                data-testid=status_id
                role="status"
                aria-live="polite"
            >
                {move || match state.get() {
                    CopyState::Idle => String::new(),
                    CopyState::Copied => t("copied"),
                    CopyState::Failed => t("copy-failed"),
                }}
            </p>
        </div>
    }
}

/// `navigator.clipboard.writeText`; false when the API is missing (insecure context) or refused.
async fn write_clipboard(text: &str) -> bool {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return false;
    };
    let has_clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .map(|c| !c.is_undefined() && !c.is_null())
        .unwrap_or(false);
    if !has_clipboard {
        return false;
    }
    let promise = navigator.clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Selects the input's text so the user can copy it by hand.
fn select_input(id: &str) {
    if let Some(input) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        let _ = input.focus();
        input.select();
    }
}

/// The two URLs of a voice inbox to paste into the Twilio number's Voice Configuration.
#[component]
pub fn VoiceWebhooks(inbox: shared::dto::Inbox) -> impl IntoView {
    view! {
        <div class="webhooks" data-testid="voice-webhooks">
            <p class="muted">{move || t("voice-webhooks-intro")}</p>
            {inbox
                .voice_call_webhook_url
                .map(|url| {
                    view! {
                        <CopyField
                            id="voice-call-webhook-url"
                            label="voice-call-webhook-url-label"
                            hint="voice-call-webhook-url-hint"
                            value=url
                        />
                    }
                })}
            {inbox
                .voice_status_webhook_url
                .map(|url| {
                    view! {
                        <CopyField
                            id="voice-status-webhook-url"
                            label="voice-status-webhook-url-label"
                            hint="voice-status-webhook-url-hint"
                            value=url
                        />
                    }
                })}
        </div>
    }
}
