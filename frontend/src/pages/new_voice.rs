//! `…/settings/inboxes/new/voice`: step 2 for a Twilio Voice inbox (Chatwoot's `Voice.vue`).

use crate::api;
use crate::components::form::{place_server_errors, FormError, TextField};
use crate::components::layout::use_account;
use crate::i18n::{t, tr};
use crate::pages::new_inbox::{inboxes_href, WizardCard, STEP_CONFIGURE};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use shared::dto::{CreateInbox, NewChannel, NewVoiceChannel, TwilioConfig};
use shared::ErrorBody;
use std::collections::BTreeMap;

/// One input of the form: the field name used by `shared::validate::voice_channel` and the API's `details`, its
/// id (also its `data-testid`) and its i18n keys.
struct Spec {
    field: &'static str,
    id: &'static str,
    label: &'static str,
    placeholder: &'static str,
    help: &'static str,
    required: &'static str,
    /// The message when the value is there but malformed (`None`: only presence is checked).
    invalid: Option<&'static str>,
    secret: bool,
}

/// Chatwoot's order: number, Account SID, Auth Token, API Key SID, API Key Secret.
static SPECS: [Spec; 5] = [
    Spec {
        field: "phone_number",
        id: "voice-phone-number",
        label: "voice-phone-number-label",
        placeholder: "voice-phone-number-placeholder",
        help: "voice-phone-number-help",
        required: "voice-phone-number-required",
        invalid: Some("voice-phone-number-invalid"),
        secret: false,
    },
    Spec {
        field: "provider_config.account_sid",
        id: "voice-account-sid",
        label: "voice-account-sid-label",
        placeholder: "voice-account-sid-placeholder",
        help: "voice-account-sid-help",
        required: "voice-account-sid-required",
        invalid: Some("voice-account-sid-invalid"),
        secret: false,
    },
    Spec {
        field: "provider_config.auth_token",
        id: "voice-auth-token",
        label: "voice-auth-token-label",
        placeholder: "voice-auth-token-placeholder",
        help: "voice-auth-token-help",
        required: "voice-auth-token-required",
        invalid: None,
        secret: true,
    },
    Spec {
        field: "provider_config.api_key_sid",
        id: "voice-api-key-sid",
        label: "voice-api-key-sid-label",
        placeholder: "voice-api-key-sid-placeholder",
        help: "voice-api-key-sid-help",
        required: "voice-api-key-sid-required",
        invalid: Some("voice-api-key-sid-invalid"),
        secret: false,
    },
    Spec {
        field: "provider_config.api_key_secret",
        id: "voice-api-key-secret",
        label: "voice-api-key-secret-label",
        placeholder: "voice-api-key-secret-placeholder",
        help: "voice-api-key-secret-help",
        required: "voice-api-key-secret-required",
        invalid: None,
        secret: true,
    },
];

/// A spec with its state.
#[derive(Clone, Copy)]
struct VoiceInput {
    spec: &'static Spec,
    value: RwSignal<String>,
    touched: RwSignal<bool>,
}

/// The translated message of a server-side error on a field.
fn server_message(spec: &Spec, messages: &[String]) -> String {
    if messages.iter().any(|m| m.contains("taken")) {
        return t("voice-phone-number-taken");
    }
    t(spec.invalid.unwrap_or(spec.required))
}

#[component]
pub fn NewVoiceInbox() -> impl IntoView {
    let ctx = use_account();
    let navigate = use_navigate();
    let inputs = SPECS.each_ref().map(|spec| VoiceInput {
        spec,
        value: RwSignal::new(String::new()),
        touched: RwSignal::new(false),
    });
    let [phone, account_sid, auth_token, api_key_sid, api_key_secret] = inputs;

    let channel = move || NewVoiceChannel {
        phone_number: Some(phone.value.get()),
        provider: Some("twilio".to_owned()),
        provider_config: Some(TwilioConfig {
            account_sid: Some(account_sid.value.get()),
            auth_token: Some(auth_token.value.get()),
            api_key_sid: Some(api_key_sid.value.get()),
            api_key_secret: Some(api_key_secret.value.get()),
        }),
    };
    // The shared rules, exactly as the server applies them.
    let errors = Memo::new(move |_| shared::validate::voice_channel(&channel()).0);
    let server_errors = RwSignal::new(BTreeMap::<String, Vec<String>>::new());
    let form_error = RwSignal::new(None::<ErrorBody>);
    let busy = RwSignal::new(false);
    let attempted = RwSignal::new(false);

    // A server error on a field is shown until that field changes.
    for i in inputs {
        Effect::new(move |previous: Option<String>| {
            let now = i.value.get();
            if previous.is_some_and(|p| p != now) {
                server_errors.update(|e| {
                    e.remove(i.spec.field);
                });
            }
            now
        });
    }

    let field_error = move |i: VoiceInput| {
        Signal::derive(move || {
            if let Some(messages) = server_errors.with(|e| e.get(i.spec.field).cloned()) {
                return Some(server_message(i.spec, &messages));
            }
            if !(i.touched.get() || attempted.get()) {
                return None;
            }
            errors.with(|e| e.contains_key(i.spec.field)).then(|| {
                if i.value.with(|v| v.trim().is_empty()) {
                    t(i.spec.required)
                } else {
                    t(i.spec.invalid.unwrap_or(i.spec.required))
                }
            })
        })
    };
    let invalid = move || errors.with(|e| !e.is_empty());

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        if busy.get_untracked() || invalid() {
            return;
        }
        let Some(account_id) = ctx.account_id.get_untracked() else {
            return;
        };
        let channel = channel();
        let body = CreateInbox {
            name: format!(
                "Voice ({})",
                channel.phone_number.clone().unwrap_or_default()
            ),
            channel: NewChannel::Voice(channel),
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
                    let mut href =
                        format!("{}/new/{}/agents", inboxes_href(Some(account_id)), inbox.id);
                    if let Some(warning) = inbox.provisioning_warnings.first() {
                        href.push_str(&format!("?warning={}", query_escape(warning)));
                    }
                    navigate(&href, NavigateOptions::default());
                }
                Err(e) => {
                    let known = |k: &str| inputs.iter().any(|i| i.spec.field == k);
                    place_server_errors(e, &known, server_errors, form_error);
                }
            }
        });
    };

    view! {
        <WizardCard title="voice-title" description="voice-description" step=STEP_CONFIGURE>
            <form class="form" on:submit=on_submit novalidate data-testid="voice-form" aria-busy=move || busy.get().to_string()>
                {inputs
                    .into_iter()
                    .map(|i| {
                        view! {
                            <TextField
                                id=i.spec.id
                                label=i.spec.label
                                placeholder=i.spec.placeholder
                                help=i.spec.help
                                secret=i.spec.secret
                                required=true
                                input_type=if i.spec.field == "phone_number" { "tel" } else { "text" }
                                value=i.value
                                touched=i.touched
                                error=field_error(i)
                            />
                        }
                    })
                    .collect_view()}
                <FormError testid="voice-form-error" error=form_error />
                <div class="form-actions">
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="voice-submit"
                        disabled=move || busy.get() || invalid()
                    >
                        {move || busy.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                        {move || if busy.get() { t("voice-submitting") } else { t("voice-submit") }}
                    </button>
                    <a class="btn btn-secondary" href=move || format!("{}/new", inboxes_href(ctx.account_id.get()))>
                        {tr("wizard-back-to-channels")}
                    </a>
                </div>
            </form>
        </WizardCard>
    }
}

/// Percent-encodes a query value (warning codes are plain snake_case; anything else is escaped).
pub fn query_escape(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
