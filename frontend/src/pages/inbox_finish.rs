//! `…/settings/inboxes/new/:inbox_id/finish`: step 4, the inbox is ready; what to do next.

use crate::api;
use crate::components::channel_icon::ChannelIcon;
use crate::components::copy_field::VoiceWebhooks;
use crate::components::layout::{use_account, Load};
use crate::i18n::{has_key, t, t_error, tr};
use crate::pages::inbox_agents::use_inbox_id;
use crate::pages::new_inbox::{inboxes_href, WizardCard, STEP_DONE};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::dto::Inbox;
use shared::ChannelType;

/// The i18n key of a provisioning warning code (`phone_number_not_found_in_twilio` →
/// `warning-phone-number-not-found-in-twilio`); unknown codes → `warning-generic`.
pub fn warning_key(code: &str) -> String {
    let key = format!("warning-{}", code.replace('_', "-"));
    if has_key(&key) {
        key
    } else {
        "warning-generic".to_owned()
    }
}

#[component]
pub fn InboxFinish() -> impl IntoView {
    let ctx = use_account();
    let inbox_id = use_inbox_id();
    let query = use_query_map();
    let warning = Memo::new(move |_| query.read().get("warning"));
    let inbox = RwSignal::new(Load::<Inbox>::Loading);
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
        <WizardCard title="finish-title" description="finish-description" step=STEP_DONE>
            {move || match inbox.get() {
                Load::Loading => {
                    view! {
                        <div data-testid="inbox-finish-loading" aria-busy="true">
                            <p class="sr-only" role="status">{tr("loading")}</p>
                            <div class="skeleton skeleton-text" aria-hidden="true"></div>
                        </div>
                    }
                        .into_any()
                }
                Load::Failed(err) => {
                    let code = err.error;
                    view! {
                        <div class="state state-error" data-testid="inbox-finish-error" role="alert">
                            <p>{move || t_error(&code)}</p>
                            <button type="button" class="btn btn-secondary" on:click=move |_| load()>
                                {tr("retry")}
                            </button>
                        </div>
                    }
                        .into_any()
                }
                Load::Ready(i) => {
                    let settings_href = format!("{}/{}", inboxes_href(Some(i.account_id)), i.id);
                    let is_voice = i.channel_type == ChannelType::Voice;
                    view! {
                        <div class="finish" data-testid="inbox-finish" data-inbox-id=i.id>
                            <h2 class="finish-title">{tr("finish-ready")}</h2>
                            <div class="inbox-summary">
                                <ChannelIcon
                                    channel_type=i.channel_type.clone()
                                    provider=i.provider.clone()
                                    medium=i.medium.clone()
                                    size=40
                                />
                                <p class="inbox-summary-name" data-testid="inbox-finish-name">
                                    {i.name.clone()}
                                </p>
                            </div>
                            {move || {
                                warning
                                    .get()
                                    .map(|code| {
                                        let key = warning_key(&code);
                                        view! {
                                            <p class="alert alert-warning" role="alert" data-testid="inbox-finish-warning">
                                                {move || t(&key)}
                                            </p>
                                        }
                                    })
                            }}
                            {is_voice.then(|| view! { <VoiceWebhooks inbox=i.clone() /> })}
                            {(i.channel_type == ChannelType::Instagram)
                                .then(|| {
                                    let username = i.username.clone().unwrap_or_else(|| i.name.clone());
                                    let username = username.trim_start_matches('@').to_owned();
                                    view! {
                                        <p class="muted" data-testid="inbox-finish-instagram">
                                            {move || crate::i18n::t_args("finish-instagram-connected", &[("username", username.clone())])}
                                        </p>
                                    }
                                })}
                            <div class="form-actions">
                                <a class="btn btn-primary" href=settings_href data-testid="finish-settings">
                                    {tr("finish-go-to-settings")}
                                </a>
                                <a
                                    class="btn btn-secondary"
                                    href=inboxes_href(Some(i.account_id))
                                    data-testid="finish-back"
                                >
                                    {tr("new-inbox-back")}
                                </a>
                            </div>
                        </div>
                    }
                        .into_any()
                }
            }}
        </WizardCard>
    }
}
