use crate::api;
use crate::components::channel_icon::ChannelIcon;
use crate::components::copy_field::VoiceWebhooks;
use crate::components::layout::{use_account, Load};
use crate::components::toast::use_toasts;
use crate::i18n::{t, t_error, tr, Locale};
use crate::pages::new_instagram::{
    connect_label, is_admin_of, strip_query_string, ConnectFlow, ConnectFlowError,
};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use shared::dto::{Inbox, UpdateInbox};
use shared::ChannelType;

/// `/app/accounts/:account_id/settings/inboxes/:inbox_id`.
#[component]
pub fn InboxSettings() -> impl IntoView {
    let ctx = use_account();
    let params = use_params_map();
    let inbox_id = Memo::new(move |_| {
        params
            .read()
            .get("inbox_id")
            .and_then(|s| s.parse::<i64>().ok())
    });
    let inbox = RwSignal::new(Load::<Inbox>::Loading);
    // Back from a successful Instagram re-authorization (`?reauthorized=1`): confirm, then clean the address.
    let toasts = use_toasts();
    if use_query_map().with_untracked(|q| q.get("reauthorized").as_deref() == Some("1")) {
        strip_query_string();
        toasts.show("ig-reauthorized");
    }
    let load = move || {
        let (Some(account_id), Some(id)) =
            (ctx.account_id.get_untracked(), inbox_id.get_untracked())
        else {
            inbox.set(Load::Failed(shared::ErrorBody {
                error: "not_found".into(),
                ..Default::default()
            }));
            return;
        };
        inbox.set(Load::Loading);
        leptos::task::spawn_local(async move {
            let result = api::get_inbox(account_id, id).await;
            if inbox_id.get_untracked() == Some(id) {
                inbox.set(match result {
                    Ok(i) => Load::Ready(i),
                    Err(e) => Load::Failed(e),
                });
            }
        });
    };
    Effect::new(move |_| {
        inbox_id.track();
        ctx.account_id.track();
        load();
    });

    view! {
        <section class="card">
            <a
                class="back-link"
                href=move || format!("/app/accounts/{}/settings/inboxes", ctx.account_id.get().unwrap_or_default())
            >
                {tr("new-inbox-back")}
            </a>
            <header class="card-header">
                <div>
                    <h1 data-testid="page-title">{tr("inbox-settings-title")}</h1>
                    <p class="muted">{tr("inbox-settings-description")}</p>
                </div>
            </header>
            {move || match inbox.get() {
                Load::Loading => {
                    view! {
                        <div data-testid="inbox-settings-loading" aria-busy="true">
                            <p class="sr-only" role="status">
                                {tr("loading")}
                            </p>
                            <div class="skeleton skeleton-text" aria-hidden="true"></div>
                        </div>
                    }
                        .into_any()
                }
                Load::Failed(err) => {
                    let code = err.error;
                    view! {
                        <div class="state state-error" data-testid="inbox-settings-error" role="alert">
                            <p>{move || t_error(&code)}</p>
                            <button type="button" class="btn btn-secondary" on:click=move |_| load()>
                                {tr("retry")}
                            </button>
                        </div>
                    }
                        .into_any()
                }
                Load::Ready(i) => view! { <InboxDetails inbox=i on_saved=move |i| inbox.set(Load::Ready(i)) /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn InboxDetails(inbox: Inbox, #[prop(into)] on_saved: Callback<Inbox>) -> impl IntoView {
    let ctx = use_account();
    let toasts = use_toasts();
    let label_key = inbox.channel_type.label_key();
    let saved_name = inbox.name.clone();
    let name = RwSignal::new(inbox.name.clone());
    // A voice inbox greets callers in its language; the other channels do not use it yet.
    let is_voice = inbox.channel_type == ChannelType::Voice;
    let saved_locale = inbox.locale.clone();
    let locale = RwSignal::new(inbox.locale.clone());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let blank = move || name.with(|n| n.trim().is_empty());
    let unchanged =
        move || name.with(|n| n.trim() == saved_name) && locale.with(|l| *l == saved_locale);
    let (account_id, inbox_id) = (inbox.account_id, inbox.id);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || blank() {
            return;
        }
        busy.set(true);
        error.set(None);
        let update = UpdateInbox {
            name: Some(name.get_untracked().trim().to_owned()),
            locale: is_voice.then(|| locale.get_untracked()),
            ..Default::default()
        };
        leptos::task::spawn_local(async move {
            let result = api::update_inbox(account_id, inbox_id, &update).await;
            busy.set(false);
            match result {
                Ok(updated) => {
                    toasts.show("inbox-settings-saved");
                    ctx.reload();
                    on_saved.run(updated);
                }
                Err(e) => error.set(Some(e.error)),
            }
        });
    };
    view! {
        <div class="inbox-summary" data-testid="inbox-settings" data-inbox-id=inbox.id>
            <ChannelIcon
                channel_type=inbox.channel_type.clone()
                provider=inbox.provider.clone()
                medium=inbox.medium.clone()
                size=40
            />
            <div>
                <p class="inbox-summary-name" data-testid="inbox-settings-name">
                    {inbox.name.clone()}
                </p>
                <p class="muted" data-testid="inbox-settings-type">
                    {move || t(label_key)}
                </p>
            </div>
        </div>
        {inbox
            .reauthorization_required
            .then(|| {
                let is_instagram = inbox.channel_type == ChannelType::Instagram;
                let flow = ConnectFlow::new();
                view! {
                    <div class="alert alert-warning" role="alert" data-testid="reauthorize-banner">
                        <p>
                            {move || {
                                if is_instagram {
                                    t("ig-reauthorize-banner")
                                } else {
                                    t("inbox-settings-reauthorize")
                                }
                            }}
                        </p>
                        {move || {
                            (is_instagram && is_admin_of(Some(account_id)))
                                .then(|| {
                                    view! {
                                        <div class="alert-actions">
                                            <button
                                                type="button"
                                                class="btn btn-primary btn-small"
                                                data-testid="ig-reconnect"
                                                aria-busy=move || flow.busy.get().to_string()
                                                disabled=move || flow.busy.get()
                                                on:click=move |_| flow.start(Some(account_id))
                                            >
                                                {connect_label(flow, "ig-reconnect")}
                                            </button>
                                        </div>
                                    }
                                })
                        }}
                    </div>
                    <ConnectFlowError testid="ig-reconnect-error" flow />
                }
            })}
        <dl class="details">
            <dt>{tr("inbox-settings-id")}</dt>
            <dd>{inbox.id}</dd>
            <dt>{tr("inbox-settings-type")}</dt>
            <dd>{move || t(label_key)}</dd>
            {inbox
                .phone_number
                .clone()
                .map(|p| {
                    let readable = crate::phone::readable(&p);
                    view! {
                        <dt>{tr("inbox-settings-phone")}</dt>
                        <dd>
                            <span data-testid="inbox-settings-phone-readable">{readable}</span>
                            <span class="muted">" · " {tr("inbox-settings-phone-e164")} " "</span>
                            <code data-testid="inbox-settings-phone-e164">{p}</code>
                        </dd>
                    }
                })}
            {(inbox.channel_type == ChannelType::Voice)
                .then(|| {
                    let provider = inbox.provider.clone().unwrap_or_else(|| "twilio".to_owned());
                    let provider_key = if provider == "twilio" { "voice-provider-twilio" } else { "channel-type-other" };
                    view! {
                        <dt>{tr("inbox-settings-provider")}</dt>
                        <dd data-testid="inbox-settings-provider" data-provider=provider>
                            {move || t(provider_key)}
                        </dd>
                    }
                })}
            {inbox
                .username
                .clone()
                .map(|u| {
                    let handle = format!("@{}", u.trim_start_matches('@'));
                    view! {
                        <dt>{tr("inbox-settings-username")}</dt>
                        <dd data-testid="inbox-settings-username">{handle}</dd>
                    }
                })}
            {inbox
                .instagram_id
                .clone()
                .map(|id| {
                    view! {
                        <dt>{tr("inbox-settings-instagram-id")}</dt>
                        <dd><code data-testid="inbox-settings-instagram-id">{id}</code></dd>
                    }
                })}
            {inbox
                .token_expires_at
                .map(|secs| {
                    let expired = secs * 1000 < js_sys::Date::now() as i64;
                    view! {
                        <dt>{tr("inbox-settings-token-expires")}</dt>
                        <dd data-testid="inbox-settings-token-expires" data-expires-at=secs>
                            <time datetime=iso_date(secs)>{move || local_date(secs)}</time>
                            {expired.then(|| view! { " " <span class="badge badge-warning">{tr("inbox-settings-token-expired")}</span> })}
                        </dd>
                    }
                })}
        </dl>
        {(inbox.channel_type == ChannelType::Voice)
            .then(|| {
                view! {
                    <section class="settings-section" aria-labelledby="voice-config-heading">
                        <h2 id="voice-config-heading">{tr("inbox-settings-voice-config")}</h2>
                        <VoiceWebhooks inbox=inbox.clone() />
                    </section>
                }
            })}
        <form class="form" on:submit=on_submit novalidate>
            <div class="field">
                <label for="inbox-name">{tr("inbox-settings-name")}</label>
                <input
                    id="inbox-name"
                    type="text"
                    data-testid="inbox-name-input"
                    placeholder=tr("inbox-settings-name-placeholder")
                    aria-describedby="inbox-name-help inbox-name-error"
                    aria-invalid=move || blank().to_string()
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                <p id="inbox-name-help" class="help">{tr("inbox-settings-name-help")}</p>
                <p id="inbox-name-error" class="field-error" aria-live="polite">
                    {move || blank().then(|| t("inbox-settings-name-required"))}
                </p>
            </div>
            {is_voice
                .then(|| {
                    view! {
                        <div class="field">
                            <label for="inbox-locale">{tr("inbox-settings-locale")}</label>
                            <select
                                id="inbox-locale"
                                data-testid="inbox-locale-select"
                                aria-describedby="inbox-locale-help"
                                prop:value=move || locale.get()
                                on:change=move |ev| locale.set(event_target_value(&ev))
                            >
                                {Locale::ALL
                                    .into_iter()
                                    .map(|l| {
                                        view! {
                                            <option value=l.tag() selected=move || locale.with(|c| c == l.tag())>
                                                {tr(l.label_key())}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                            <p id="inbox-locale-help" class="help">{tr("inbox-settings-locale-help")}</p>
                        </div>
                    }
                })}
            {move || {
                error
                    .get()
                    .map(|code| {
                        view! {
                            <p class="alert alert-error" role="alert" data-testid="inbox-settings-save-error">
                                {move || t_error(&code)}
                            </p>
                        }
                    })
            }}
            <button
                type="submit"
                class="btn btn-primary"
                data-testid="inbox-settings-save"
                disabled=move || busy.get() || blank() || unchanged()
            >
                {move || busy.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                {move || if busy.get() { t("inbox-settings-saving") } else { t("inbox-settings-save") }}
            </button>
        </form>
    }
}

/// `secs` (Unix seconds) as an ISO 8601 instant, for `<time datetime>`.
fn iso_date(secs: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0));
    date.to_iso_string().as_string().unwrap_or_default()
}

/// `secs` (Unix seconds) as a date and time in the current locale and the browser's time zone.
fn local_date(secs: i64) -> String {
    let locale = crate::i18n::use_i18n().locale.get().tag();
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(locale, &options)
        .as_string()
        .unwrap_or_default()
}
