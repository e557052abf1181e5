//! `…/settings/inboxes/new/api`: step 2 for an API inbox.

use crate::api;
use crate::components::form::{place_server_errors, FormError, TextField};
use crate::components::layout::use_account;
use crate::i18n::{t, tr};
use crate::pages::new_inbox::{inboxes_href, WizardCard, STEP_CONFIGURE};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use shared::dto::{CreateInbox, NewChannel};
use shared::error::FieldErrors;
use shared::ErrorBody;
use std::collections::BTreeMap;

/// The API's `details` keys of the webhook URL.
const WEBHOOK_FIELDS: [&str; 2] = ["webhook_url", "channel.webhook_url"];

#[component]
pub fn NewApiInbox() -> impl IntoView {
    let ctx = use_account();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let name_touched = RwSignal::new(false);
    let webhook = RwSignal::new(String::new());
    let webhook_touched = RwSignal::new(false);
    let server_errors = RwSignal::new(BTreeMap::<String, Vec<String>>::new());
    let form_error = RwSignal::new(None::<ErrorBody>);
    let busy = RwSignal::new(false);
    let attempted = RwSignal::new(false);

    // The shared name rule (required, bounded), as the server applies it.
    let name_errors = Memo::new(move |_| {
        let mut errors = FieldErrors::new();
        shared::validate::check_name(&mut errors, "name", &name.get());
        errors.0
    });
    Effect::new(move |previous: Option<String>| {
        let now = name.get();
        if previous.is_some_and(|p| p != now) {
            server_errors.update(|e| {
                e.remove("name");
            });
        }
        now
    });
    Effect::new(move |previous: Option<String>| {
        let now = webhook.get();
        if previous.is_some_and(|p| p != now) {
            server_errors.update(|e| e.retain(|k, _| !WEBHOOK_FIELDS.contains(&k.as_str())));
        }
        now
    });

    let name_error = Signal::derive(move || {
        if server_errors.with(|e| e.contains_key("name")) {
            return Some(t("api-name-invalid"));
        }
        if !(name_touched.get() || attempted.get()) {
            return None;
        }
        name_errors.with(|e| e.get("name").is_some()).then(|| {
            if name.with(|n| n.trim().is_empty()) {
                t("api-name-required")
            } else {
                t("api-name-too-long")
            }
        })
    });
    let webhook_error = Signal::derive(move || {
        server_errors
            .with(|e| WEBHOOK_FIELDS.iter().any(|f| e.contains_key(*f)))
            .then(|| t("api-webhook-url-invalid"))
    });
    let invalid = move || name_errors.with(|e| !e.is_empty());

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        if busy.get_untracked() || invalid() {
            return;
        }
        let Some(account_id) = ctx.account_id.get_untracked() else {
            return;
        };
        let url = webhook.get_untracked().trim().to_owned();
        let body = CreateInbox {
            name: name.get_untracked().trim().to_owned(),
            channel: NewChannel::Api {
                webhook_url: (!url.is_empty()).then_some(url),
            },
        };
        busy.set(true);
        form_error.set(None);
        server_errors.set(BTreeMap::new());
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = api::create_inbox(account_id, &body).await;
            busy.set(false);
            match result {
                Ok(inbox) => {
                    ctx.reload();
                    navigate(
                        &format!("{}/new/{}/agents", inboxes_href(Some(account_id)), inbox.id),
                        NavigateOptions::default(),
                    );
                }
                Err(e) => {
                    let known = |k: &str| k == "name" || WEBHOOK_FIELDS.contains(&k);
                    place_server_errors(e, &known, server_errors, form_error);
                }
            }
        });
    };

    view! {
        <WizardCard title="api-title" description="api-description" step=STEP_CONFIGURE>
            <form class="form" on:submit=on_submit novalidate data-testid="api-form" aria-busy=move || busy.get().to_string()>
                <TextField
                    id="api-name"
                    label="api-name-label"
                    placeholder="api-name-placeholder"
                    help="api-name-help"
                    required=true
                    value=name
                    touched=name_touched
                    error=name_error
                />
                <TextField
                    id="api-webhook-url"
                    label="api-webhook-url-label"
                    placeholder="api-webhook-url-placeholder"
                    help="api-webhook-url-help"
                    input_type="url"
                    value=webhook
                    touched=webhook_touched
                    error=webhook_error
                />
                <FormError testid="api-form-error" error=form_error />
                <div class="form-actions">
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="api-submit"
                        disabled=move || busy.get() || invalid()
                    >
                        {move || busy.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                        {move || if busy.get() { t("api-submitting") } else { t("api-submit") }}
                    </button>
                    <a class="btn btn-secondary" href=move || format!("{}/new", inboxes_href(ctx.account_id.get()))>
                        {tr("wizard-back-to-channels")}
                    </a>
                </div>
            </form>
        </WizardCard>
    }
}
