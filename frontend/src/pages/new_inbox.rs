use crate::components::channel_icon::ChannelIcon;
use crate::components::layout::use_account;
use crate::i18n::{t, tr};
use leptos::prelude::*;
use shared::ChannelType;

/// A tile of the channel picker.
struct ChannelTile {
    /// Chatwoot's channel key: `data-channel`, the wizard path (`…/new/<key>`) and the i18n suffix.
    key: &'static str,
    channel_type: ChannelType,
    provider: Option<&'static str>,
    active: bool,
}

const fn tile(
    key: &'static str,
    channel_type: ChannelType,
    provider: Option<&'static str>,
    active: bool,
) -> ChannelTile {
    ChannelTile {
        key,
        channel_type,
        provider,
        active,
    }
}

/// Every channel kind, the ones with a wizard first.
const TILES: [ChannelTile; 12] = [
    tile("voice", ChannelType::Voice, Some("twilio"), true),
    tile("api", ChannelType::Api, None, true),
    tile("instagram", ChannelType::Instagram, None, false),
    tile("website", ChannelType::WebWidget, None, false),
    tile("facebook", ChannelType::FacebookPage, None, false),
    tile("whatsapp", ChannelType::Whatsapp, None, false),
    tile("sms", ChannelType::Sms, None, false),
    tile("email", ChannelType::Email, None, false),
    tile("telegram", ChannelType::Telegram, None, false),
    tile("line", ChannelType::Line, None, false),
    tile("tiktok", ChannelType::Tiktok, None, false),
    tile("twitter", ChannelType::TwitterProfile, None, false),
];

const STEPS: [&str; 4] = [
    "new-inbox-step-channel",
    "new-inbox-step-configure",
    "new-inbox-step-agents",
    "new-inbox-step-done",
];

/// Step numbers of the new-inbox wizard (0-based index into the step indicator).
pub const STEP_CHANNEL: usize = 0;
pub const STEP_CONFIGURE: usize = 1;
pub const STEP_AGENTS: usize = 2;
pub const STEP_DONE: usize = 3;

/// `…/settings/inboxes` of the current account.
pub fn inboxes_href(account_id: Option<i64>) -> String {
    format!(
        "/app/accounts/{}/settings/inboxes",
        account_id.unwrap_or_default()
    )
}

/// The step indicator: 1 Choose channel · 2 Configure · 3 Add agents · 4 Done.
#[component]
pub fn WizardSteps(current: usize) -> impl IntoView {
    view! {
        <ol class="steps" aria-label=tr("new-inbox-steps") data-testid="wizard-steps" data-current-step=current + 1>
            {STEPS
                .iter()
                .enumerate()
                .map(|(i, key)| {
                    let is_current = i == current;
                    view! {
                        <li
                            class="step"
                            class:step-current=is_current
                            class:step-done=i < current
                            aria-current=is_current.then_some("step")
                        >
                            <span class="step-number" aria-hidden="true">{i + 1}</span>
                            <span class="sr-only">{i + 1}". "</span>
                            <span>{move || t(key)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// The card frame of every wizard page: back link, title, description, steps.
#[component]
pub fn WizardCard(
    title: &'static str,
    description: &'static str,
    step: usize,
    children: Children,
) -> impl IntoView {
    let ctx = use_account();
    view! {
        <section class="card">
            <a class="back-link" href=move || inboxes_href(ctx.account_id.get())>
                {tr("new-inbox-back")}
            </a>
            <header class="card-header">
                <div>
                    <h1 data-testid="page-title">{move || t(title)}</h1>
                    <p class="muted">{move || t(description)}</p>
                </div>
            </header>
            <WizardSteps current=step />
            {children()}
        </section>
    }
}

/// `/app/accounts/:account_id/settings/inboxes/new`: step 1, choose a channel.
#[component]
pub fn NewInbox() -> impl IntoView {
    let ctx = use_account();
    view! {
        <WizardCard title="new-inbox-title" description="new-inbox-description" step=STEP_CHANNEL>
            <ul class="channel-grid" data-testid="channel-picker">
                {TILES
                    .iter()
                    .map(|tile| {
                        let key = tile.key;
                        let icon = view! {
                            <ChannelIcon
                                channel_type=tile.channel_type.clone()
                                provider=tile.provider.map(str::to_owned)
                                size=32
                            />
                        };
                        let title_key = format!("channel-{key}-title");
                        let desc_key = format!("channel-{key}-description");
                        let title = move || t(&title_key);
                        let desc = move || t(&desc_key);
                        if tile.active {
                            let href = move || format!("{}/new/{key}", inboxes_href(ctx.account_id.get()));
                            view! {
                                <li>
                                    <a
                                        class="channel-option channel-option-active"
                                        href=href
                                        data-testid="channel-option"
                                        data-channel=key
                                    >
                                        {icon}
                                        <span class="channel-option-label">{title}</span>
                                        <span class="channel-option-description">{desc}</span>
                                    </a>
                                </li>
                            }
                                .into_any()
                        } else {
                            view! {
                                <li>
                                    <div
                                        class="channel-option channel-option-disabled"
                                        data-testid="channel-option"
                                        data-channel=key
                                        aria-disabled="true"
                                    >
                                        {icon}
                                        <span class="channel-option-label">{title}</span>
                                        <span class="channel-option-description">{desc}</span>
                                        <span class="badge">{tr("new-inbox-coming-soon")}</span>
                                    </div>
                                </li>
                            }
                                .into_any()
                        }
                    })
                    .collect_view()}
            </ul>
        </WizardCard>
    }
}
