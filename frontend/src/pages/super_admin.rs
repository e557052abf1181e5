//! `/app/super_admin/app_config?config=instagram`: the installation's Instagram app credentials (Chatwoot's
//! super-admin "App config" page), with the URLs to paste into Meta's dashboard.

use crate::api;
use crate::components::copy_field::CopyField;
use crate::components::form::{place_server_errors, FormError, TextField};
use crate::components::language_select::LanguageSelect;
use crate::components::layout::{guard_session, Load};
use crate::components::toast::use_toasts;
use crate::i18n::{t, t_error, tr};
use crate::session::{self, Session};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use serde_json::{Map, Value};
use shared::dto::InstagramAppConfig;
use shared::ErrorBody;
use std::collections::BTreeMap;

const KEY_APP_ID: &str = "INSTAGRAM_APP_ID";
const KEY_APP_SECRET: &str = "INSTAGRAM_APP_SECRET";
const KEY_VERIFY_TOKEN: &str = "INSTAGRAM_VERIFY_TOKEN";
const KEY_API_VERSION: &str = "INSTAGRAM_API_VERSION";
const KEY_HUMAN_AGENT: &str = "ENABLE_INSTAGRAM_CHANNEL_HUMAN_AGENT";

/// Where the page lives (the sidebar link and the picker's hint point here).
pub const INSTAGRAM_CONFIG_HREF: &str = "/app/super_admin/app_config?config=instagram";

#[component]
pub fn SuperAdmin() -> impl IntoView {
    guard_session();
    let allowed = move || match session::session().get() {
        Session::SignedIn(me) => Some(me.super_admin),
        _ => None,
    };
    let home = move || match session::session().get() {
        Session::SignedIn(me) => me.home(),
        _ => "/app/".to_owned(),
    };
    view! {
        <main id="main" class="centered">
            <section class="card wide">
                <a class="back-link" href=home>
                    {tr("not-found-home")}
                </a>
                <header class="card-header">
                    <div>
                        <h1 data-testid="page-title">{tr("super-admin-title")}</h1>
                        <p class="muted">{tr("super-admin-description")}</p>
                    </div>
                </header>
                {move || match allowed() {
                    None => {
                        view! {
                            <p class="muted" role="status" aria-busy="true">
                                {tr("loading")}
                            </p>
                        }
                            .into_any()
                    }
                    Some(false) => view! { <NotAllowed /> }.into_any(),
                    Some(true) => view! { <InstagramConfig /> }.into_any(),
                }}
                <LanguageSelect id="language-select-admin" />
            </section>
        </main>
    }
}

#[component]
fn NotAllowed() -> impl IntoView {
    view! {
        <div class="state state-error" role="alert" data-testid="super-admin-forbidden">
            <p class="state-title">{tr("super-admin-forbidden-title")}</p>
            <p>{tr("super-admin-forbidden-text")}</p>
        </div>
    }
}

/// Loads the config, then shows the form.
#[component]
fn InstagramConfig() -> impl IntoView {
    let config = RwSignal::new(Load::<InstagramAppConfig>::Loading);
    let load = move || {
        config.set(Load::Loading);
        leptos::task::spawn_local(async move {
            config.set(match api::instagram_app_config().await {
                Ok(c) => Load::Ready(c),
                Err(e) => Load::Failed(e),
            });
        });
    };
    load();
    move || match config.get() {
        Load::Loading => view! {
            <div data-testid="ig-config-loading" aria-busy="true">
                <p class="sr-only" role="status">{tr("loading")}</p>
                <div class="skeleton skeleton-text" aria-hidden="true"></div>
                <div class="skeleton skeleton-text" aria-hidden="true"></div>
            </div>
        }
        .into_any(),
        Load::Failed(e) if e.error == "forbidden" => view! { <NotAllowed /> }.into_any(),
        Load::Failed(e) => {
            let code = e.error;
            view! {
                <div class="state state-error" role="alert" data-testid="ig-config-error">
                    <p>{move || t_error(&code)}</p>
                    <button type="button" class="btn btn-secondary" on:click=move |_| load()>
                        {tr("retry")}
                    </button>
                </div>
            }
            .into_any()
        }
        Load::Ready(c) => view! { <InstagramConfigForm config=c /> }.into_any(),
    }
}

/// One text input of the form.
#[derive(Clone, Copy)]
struct Input {
    key: &'static str,
    value: RwSignal<String>,
    touched: RwSignal<bool>,
}

impl Input {
    fn new(key: &'static str, value: Option<String>) -> Self {
        Input {
            key,
            value: RwSignal::new(value.unwrap_or_default()),
            touched: RwSignal::new(false),
        }
    }
}

/// The client-side rules, mirroring the server's (`details` keys are the config keys).
fn local_error(key: &str, value: &str) -> Option<&'static str> {
    let value = value.trim();
    match key {
        KEY_APP_ID if !value.is_empty() && !value.bytes().all(|b| b.is_ascii_digit()) => {
            Some("ig-app-id-invalid")
        }
        KEY_API_VERSION if !value.is_empty() && !is_api_version(value) => {
            Some("ig-api-version-invalid")
        }
        _ => None,
    }
}

/// `v22.0`: a `v`, digits, a dot, digits.
fn is_api_version(value: &str) -> bool {
    let Some(rest) = value.strip_prefix('v') else {
        return false;
    };
    let Some((major, minor)) = rest.split_once('.') else {
        return false;
    };
    [major, minor]
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The translated message for a key the server refused.
fn server_error(key: &str) -> &'static str {
    match key {
        KEY_APP_ID => "ig-app-id-invalid",
        KEY_API_VERSION => "ig-api-version-invalid",
        KEY_APP_SECRET => "ig-app-secret-invalid",
        KEY_VERIFY_TOKEN => "ig-verify-token-invalid",
        _ => "ig-human-agent-invalid",
    }
}

fn current_values_untracked(inputs: &[Input], human_agent: RwSignal<bool>) -> (Vec<String>, bool) {
    (
        inputs.iter().map(|i| i.value.get_untracked()).collect(),
        human_agent.get_untracked(),
    )
}

#[component]
fn InstagramConfigForm(config: InstagramAppConfig) -> impl IntoView {
    let toasts = use_toasts();
    let urls = config.urls.clone();
    let configured = RwSignal::new(config.configured);
    let app_id = Input::new(KEY_APP_ID, config.app_id);
    let app_secret = Input::new(KEY_APP_SECRET, config.app_secret);
    let verify_token = Input::new(KEY_VERIFY_TOKEN, config.verify_token);
    let api_version = Input::new(KEY_API_VERSION, Some(config.api_version));
    let human_agent = RwSignal::new(config.human_agent);
    let inputs = [app_id, app_secret, verify_token, api_version];

    let server_errors = RwSignal::new(BTreeMap::<String, Vec<String>>::new());
    let form_error = RwSignal::new(None::<ErrorBody>);
    let busy = RwSignal::new(false);
    // The values as last saved: "Saved" shows while the form still holds them.
    let saved_values = RwSignal::new(None::<(Vec<String>, bool)>);
    let current_values = move || {
        (
            inputs.iter().map(|i| i.value.get()).collect::<Vec<_>>(),
            human_agent.get(),
        )
    };
    let saved = move || saved_values.with(|s| s.as_ref() == Some(&current_values()));

    // A server error on a field is shown until that field changes.
    for i in inputs {
        Effect::new(move |previous: Option<String>| {
            let now = i.value.get();
            if previous.is_some_and(|p| p != now) {
                server_errors.update(|e| {
                    e.remove(i.key);
                });
            }
            now
        });
    }

    let field_error = move |i: Input| {
        Signal::derive(move || {
            if server_errors.with(|e| e.contains_key(i.key)) {
                return Some(t(server_error(i.key)));
            }
            i.value.with(|v| local_error(i.key, v)).map(t)
        })
    };
    let invalid = move || {
        inputs
            .iter()
            .any(|i| i.value.with(|v| local_error(i.key, v)).is_some())
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || invalid() {
            return;
        }
        let mut body = Map::new();
        for i in inputs {
            body.insert(
                i.key.to_owned(),
                Value::String(i.value.get_untracked().trim().to_owned()),
            );
        }
        body.insert(
            KEY_HUMAN_AGENT.to_owned(),
            Value::Bool(human_agent.get_untracked()),
        );
        busy.set(true);
        saved_values.set(None);
        form_error.set(None);
        server_errors.set(BTreeMap::new());
        leptos::task::spawn_local(async move {
            let result = api::save_instagram_app_config(&body).await;
            busy.set(false);
            match result {
                Ok(c) => {
                    app_id.value.set(c.app_id.unwrap_or_default());
                    app_secret.value.set(c.app_secret.unwrap_or_default());
                    verify_token.value.set(c.verify_token.unwrap_or_default());
                    api_version.value.set(c.api_version);
                    human_agent.set(c.human_agent);
                    configured.set(c.configured);
                    saved_values.set(Some(current_values_untracked(&inputs, human_agent)));
                    toasts.show("ig-config-saved");
                }
                Err(e) => {
                    let known = |k: &str| inputs.iter().any(|i| i.key == k) || k == KEY_HUMAN_AGENT;
                    place_server_errors(e, &known, server_errors, form_error);
                }
            }
        });
    };

    view! {
        <section class="settings-section" aria-labelledby="ig-config-heading" data-testid="ig-config">
            <h2 id="ig-config-heading">{tr("ig-config-title")}</h2>
            <p class="muted">{tr("ig-config-description")}</p>
            <p class="help" data-testid="ig-configured" data-configured=move || configured.get().to_string()>
                {move || if configured.get() { t("ig-config-status-configured") } else { t("ig-config-status-missing") }}
            </p>
            <form
                class="form"
                on:submit=on_submit
                novalidate
                data-testid="ig-config-form"
                aria-busy=move || busy.get().to_string()
            >
                <TextField
                    id="ig-app-id"
                    label="ig-app-id-label"
                    placeholder="ig-app-id-placeholder"
                    help="ig-app-id-help"
                    input_type="text"
                    value=app_id.value
                    touched=app_id.touched
                    error=field_error(app_id)
                />
                <TextField
                    id="ig-app-secret"
                    label="ig-app-secret-label"
                    placeholder="ig-not-set"
                    help="ig-app-secret-help"
                    secret=true
                    value=app_secret.value
                    touched=app_secret.touched
                    error=field_error(app_secret)
                />
                <TextField
                    id="ig-verify-token"
                    label="ig-verify-token-label"
                    placeholder="ig-not-set"
                    help="ig-verify-token-help"
                    secret=true
                    value=verify_token.value
                    touched=verify_token.touched
                    error=field_error(verify_token)
                />
                <TextField
                    id="ig-api-version"
                    label="ig-api-version-label"
                    placeholder="ig-api-version-placeholder"
                    help="ig-api-version-help"
                    value=api_version.value
                    touched=api_version.touched
                    error=field_error(api_version)
                />
                <div class="field field-checkbox">
                    <label class="checkbox-label" for="ig-human-agent">
                        <input
                            id="ig-human-agent"
                            type="checkbox"
                            data-testid="ig-human-agent"
                            aria-describedby="ig-human-agent-help ig-human-agent-error"
                            prop:checked=move || human_agent.get()
                            on:change=move |ev| {
                                human_agent.set(event_target_checked(&ev));
                                server_errors.update(|e| {
                                    e.remove(KEY_HUMAN_AGENT);
                                });
                            }
                        />
                        <span>{tr("ig-human-agent-label")}</span>
                    </label>
                    <p id="ig-human-agent-error" class="field-error" aria-live="polite">
                        {move || {
                            server_errors
                                .with(|e| e.contains_key(KEY_HUMAN_AGENT))
                                .then(|| t("ig-human-agent-invalid"))
                        }}
                    </p>
                    <p id="ig-human-agent-help" class="help">{tr("ig-human-agent-help")}</p>
                </div>
                <FormError testid="ig-config-form-error" error=form_error />
                <div class="form-actions">
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="ig-save"
                        disabled=move || busy.get() || invalid()
                    >
                        {move || busy.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                        {move || if busy.get() { t("ig-saving") } else { t("ig-save") }}
                    </button>
                    <span class="help" role="status" aria-live="polite">
                        {move || {
                            saved()
                                .then(|| view! { <span data-testid="ig-saved">{tr("ig-config-saved")}</span> })
                        }}
                    </span>
                </div>
            </form>
        </section>
        <section class="settings-section" aria-labelledby="ig-urls-heading" data-testid="ig-urls">
            <h2 id="ig-urls-heading">{tr("ig-urls-title")}</h2>
            <p class="muted">{tr("ig-urls-description")}</p>
            <CopyField id="ig-url-webhook" label="ig-url-webhook-label" hint="ig-url-webhook-hint" value=urls.webhook_callback_url />
            <CopyField id="ig-url-redirect" label="ig-url-redirect-label" hint="ig-url-redirect-hint" value=urls.oauth_redirect_url />
            <CopyField id="ig-url-deauthorize" label="ig-url-deauthorize-label" hint="ig-url-deauthorize-hint" value=urls.deauthorize_url />
            <CopyField id="ig-url-data-deletion" label="ig-url-data-deletion-label" hint="ig-url-data-deletion-hint" value=urls.data_deletion_url />
        </section>
    }
}
