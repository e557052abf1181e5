use crate::components::channel_icon::ChannelIcon;
use crate::components::layout::use_account;
use crate::i18n::{t, tr};
use leptos::prelude::*;
use shared::ChannelType;

/// The channel kinds offered, with the provider that picks their icon.
const CHANNELS: [(ChannelType, Option<&str>); 12] = [
    (ChannelType::WebWidget, None),
    (ChannelType::Api, None),
    (ChannelType::Email, None),
    (ChannelType::FacebookPage, None),
    (ChannelType::Whatsapp, None),
    (ChannelType::Sms, None),
    (ChannelType::Telegram, None),
    (ChannelType::Line, None),
    (ChannelType::Instagram, None),
    (ChannelType::Voice, Some("twilio")),
    (ChannelType::Tiktok, None),
    (ChannelType::TwitterProfile, None),
];

const STEPS: [&str; 4] = [
    "new-inbox-step-channel",
    "new-inbox-step-configure",
    "new-inbox-step-agents",
    "new-inbox-step-done",
];

/// `/app/accounts/:account_id/settings/inboxes/new`: step 1, choose a channel.
#[component]
pub fn NewInbox() -> impl IntoView {
    let ctx = use_account();
    let back = move || {
        format!(
            "/app/accounts/{}/settings/inboxes",
            ctx.account_id.get().unwrap_or_default()
        )
    };
    view! {
        <section class="card">
            <a class="back-link" href=back>
                {tr("new-inbox-back")}
            </a>
            <header class="card-header">
                <div>
                    <h1 data-testid="page-title">{tr("new-inbox-title")}</h1>
                    <p class="muted">{tr("new-inbox-description")}</p>
                </div>
            </header>
            <ol class="steps" aria-label=tr("new-inbox-steps") data-testid="wizard-steps">
                {STEPS
                    .iter()
                    .enumerate()
                    .map(|(i, key)| {
                        let current = i == 0;
                        view! {
                            <li class="step" class:step-current=current aria-current=current.then_some("step")>
                                <span class="step-number">{i + 1}</span>
                                <span>{move || t(key)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <ul class="channel-grid" data-testid="channel-picker">
                {CHANNELS
                    .iter()
                    .map(|(channel_type, provider)| {
                        let label_key = channel_type.label_key();
                        view! {
                            <li
                                class="channel-option"
                                data-testid="channel-option"
                                data-channel=channel_type.as_str().to_owned()
                                aria-disabled="true"
                            >
                                <ChannelIcon
                                    channel_type=channel_type.clone()
                                    provider=provider.map(str::to_owned)
                                    size=32
                                />
                                <span class="channel-option-label">{move || t(label_key)}</span>
                                <span class="badge">{tr("new-inbox-coming-soon")}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
