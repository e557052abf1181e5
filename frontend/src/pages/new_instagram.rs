//! `…/settings/inboxes/new/instagram`: step 2 for an Instagram inbox (Instagram Business Login). The button asks
//! the server for the authorize URL and sends the browser there; Instagram sends it back to the server's
//! `/instagram/callback`, which redirects to the agents step, or back here with `error_type`, `code` and
//! `error_message` in the query.

use crate::api;
use crate::components::layout::use_account;
use crate::i18n::{t, t_error, tr};
use crate::pages::new_inbox::{inboxes_href, WizardCard, STEP_CONFIGURE};
use crate::session::{self, Session};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::dto::Role;
use shared::ErrorBody;

/// Is the signed-in user an administrator of `account_id`?
pub fn is_admin_of(account_id: Option<i64>) -> bool {
    match (session::session().get(), account_id) {
        (Session::SignedIn(me), Some(id)) => me
            .accounts
            .iter()
            .any(|a| a.id == id && a.role == Role::Administrator),
        _ => false,
    }
}

/// Is the signed-in user a super admin?
pub fn is_super_admin() -> bool {
    matches!(session::session().get(), Session::SignedIn(me) if me.super_admin)
}

/// The state of one "Continue with Instagram" / "Reconnect Instagram" button.
#[derive(Clone, Copy)]
pub struct ConnectFlow {
    /// Requesting the URL, then while the browser leaves for Instagram.
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<ErrorBody>>,
}

impl ConnectFlow {
    pub fn new() -> Self {
        ConnectFlow {
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// `POST …/instagram/authorization`, then `window.location = url` (the spinner stays on while leaving).
    pub fn start(self, account_id: Option<i64>) {
        let Some(account_id) = account_id else {
            return;
        };
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.error.set(None);
        leptos::task::spawn_local(async move {
            match api::instagram_authorization(account_id).await {
                Ok(answer) => {
                    let assigned = web_sys::window()
                        .map(|w| w.location().set_href(&answer.url).is_ok())
                        .unwrap_or(false);
                    if !assigned {
                        self.busy.set(false);
                        self.error
                            .set(Some(api::network_error("navigation refused")));
                    }
                }
                Err(e) => {
                    self.busy.set(false);
                    self.error.set(Some(e));
                }
            }
        });
    }
}

impl Default for ConnectFlow {
    fn default() -> Self {
        Self::new()
    }
}

/// What the server's callback reported (the wizard's query string).
#[derive(Debug, Clone, PartialEq)]
pub struct CallbackError {
    pub error_type: String,
    pub code: Option<i64>,
    pub message: String,
}

/// The i18n key of the heading for an Instagram error: by `error_type` first, then by Graph code.
pub fn instagram_error_key(error_type: &str, code: Option<i64>) -> &'static str {
    match error_type {
        "access_denied" | "user_denied" => return "ig-error-access-denied",
        "state_expired" => return "ig-error-state-expired",
        "state_reused" => return "ig-error-state-reused",
        "state_invalid" | "invalid_state" | "bad_state" => return "ig-error-state-invalid",
        "account_already_connected" => return "ig-error-account-already-connected",
        "instagram_not_configured" => return "ig-error-not-configured",
        "forbidden" => return "ig-error-forbidden",
        "timeout" => return "ig-error-timeout",
        "network_error" => return "ig-error-network",
        "invalid_response" => return "ig-error-invalid-response",
        _ => {}
    }
    match code {
        Some(190) => "ig-error-token",
        Some(4 | 17 | 32 | 613) => "ig-error-rate-limited",
        Some(10 | 200..=299) => "ig-error-permissions",
        _ => "ig-error-generic",
    }
}

/// The error alert: a translated heading and, below it, the server's own explanation.
#[component]
pub fn InstagramErrorBox(
    testid: &'static str,
    #[prop(into)] heading: Signal<String>,
    detail: Option<String>,
) -> impl IntoView {
    view! {
        <div class="alert alert-error" role="alert" data-testid=testid>
            <p class="state-title">{move || heading.get()}</p>
            {detail
                .filter(|d| !d.trim().is_empty())
                .map(|d| view! { <p class="alert-detail" data-testid=format!("{testid}-detail")>{d}</p> })}
        </div>
    }
}

/// The alert for a failed `POST …/authorization` (translated by error code).
#[component]
pub fn ConnectFlowError(testid: &'static str, flow: ConnectFlow) -> impl IntoView {
    move || {
        flow.error.get().map(|e| {
            let code = e.error.clone();
            let heading = Signal::derive(move || match code.as_str() {
                "instagram_not_configured" | "forbidden" => t(instagram_error_key(&code, None)),
                _ => t_error(&code),
            });
            view! { <InstagramErrorBox testid heading detail=None /> }
        })
    }
}

/// The spinner + label of a connect button.
pub fn connect_label(
    flow: ConnectFlow,
    idle_key: &'static str,
) -> impl Fn() -> AnyView + Send + Sync + 'static {
    move || {
        if flow.busy.get() {
            view! {
                <span class="spinner" aria-hidden="true"></span>
                <span>{tr("ig-redirecting")}</span>
            }
            .into_any()
        } else {
            view! { <span>{move || t(idle_key)}</span> }.into_any()
        }
    }
}

/// Removes the query string from the address bar without a navigation (Chatwoot does the same), so a reload
/// does not show the error again.
pub fn strip_query_string() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(path) = window.location().pathname() else {
        return;
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
}

#[component]
pub fn NewInstagramInbox() -> impl IntoView {
    let ctx = use_account();
    let query = use_query_map();
    let flow = ConnectFlow::new();

    // Read once: the query string is removed right after.
    let returned = query.with_untracked(|q| {
        let error_type = q.get("error_type").unwrap_or_default();
        let message = q.get("error_message").unwrap_or_default();
        let code = q.get("code").and_then(|c| c.trim().parse::<i64>().ok());
        (!error_type.is_empty() || !message.is_empty() || code.is_some()).then_some(CallbackError {
            error_type,
            code,
            message,
        })
    });
    if returned.is_some() {
        strip_query_string();
    }
    let returned = RwSignal::new(returned);
    let admin = move || is_admin_of(ctx.account_id.get());

    view! {
        <WizardCard title="ig-wizard-title" description="ig-wizard-description" step=STEP_CONFIGURE>
            <div class="form" data-testid="ig-wizard">
                {move || {
                    returned
                        .get()
                        .map(|e| {
                            let key = instagram_error_key(&e.error_type, e.code);
                            view! {
                                <InstagramErrorBox
                                    testid="ig-connect-error"
                                    heading=Signal::derive(move || t(key))
                                    detail=Some(e.message.clone())
                                />
                            }
                        })
                }}
                <section class="ig-how" aria-labelledby="ig-wizard-how">
                    <h2 id="ig-wizard-how" class="state-title">{tr("ig-wizard-how-title")}</h2>
                    <ol class="steps-list">
                        <li>{tr("ig-wizard-how-1")}</li>
                        <li>{tr("ig-wizard-how-2")}</li>
                        <li>{tr("ig-wizard-how-3")}</li>
                    </ol>
                    <p class="help">{tr("ig-wizard-requirements")}</p>
                </section>
                <ConnectFlowError testid="ig-connect-request-error" flow />
                {move || {
                    (!admin())
                        .then(|| {
                            view! {
                                <p class="alert alert-warning" data-testid="ig-connect-admin-only">
                                    {tr("ig-wizard-admin-only")}
                                </p>
                            }
                        })
                }}
                <div class="form-actions">
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-testid="ig-connect"
                        aria-busy=move || flow.busy.get().to_string()
                        disabled=move || flow.busy.get() || !admin()
                        on:click=move |_| {
                            returned.set(None);
                            flow.start(ctx.account_id.get_untracked());
                        }
                    >
                        {connect_label(flow, "ig-connect")}
                    </button>
                    <a class="btn btn-secondary" href=move || format!("{}/new", inboxes_href(ctx.account_id.get()))>
                        {tr("wizard-back-to-channels")}
                    </a>
                </div>
            </div>
        </WizardCard>
    }
}
