use crate::api;
use crate::components::channel_icon::ChannelIcon;
use crate::components::layout::{use_account, AccountInboxes};
use crate::i18n::{t, tr};
use crate::pages::new_instagram::is_super_admin;
use crate::pages::super_admin::INSTAGRAM_CONFIG_HREF;
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
static TILES: [ChannelTile; 12] = [
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
    // Instagram is offered once the installation has its app credentials (`None` while asking).
    let instagram_configured = RwSignal::new(None::<bool>);
    Effect::new(move |_| {
        let Some(account_id) = ctx.account_id.get() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let configured = api::instagram_status(account_id)
                .await
                .map(|s| s.configured)
                .unwrap_or(false);
            instagram_configured.set(Some(configured));
        });
    });
    view! {
        <WizardCard title="new-inbox-title" description="new-inbox-description" step=STEP_CHANNEL>
            <ul class="channel-grid" data-testid="channel-picker">
                {TILES
                    .iter()
                    .map(|tile| {
                        if tile.key == "instagram" {
                            (move || match instagram_configured.get() {
                                Some(true) => active_tile(tile, ctx).into_any(),
                                Some(false) => {
                                    disabled_tile(tile, Some(view! { <InstagramNotConfigured /> }.into_any()))
                                        .into_any()
                                }
                                None => disabled_tile(tile, None).into_any(),
                            })
                                .into_any()
                        } else if tile.active {
                            active_tile(tile, ctx).into_any()
                        } else {
                            disabled_tile(
                                tile,
                                Some(view! { <span class="badge">{tr("new-inbox-coming-soon")}</span> }.into_any()),
                            )
                                .into_any()
                        }
                    })
                    .collect_view()}
            </ul>
        </WizardCard>
    }
}

fn tile_icon(tile: &ChannelTile) -> impl IntoView {
    view! {
        <ChannelIcon
            channel_type=tile.channel_type.clone()
            provider=tile.provider.map(str::to_owned)
            size=32
        />
    }
}

fn tile_text(
    tile: &ChannelTile,
) -> (
    impl Fn() -> String + Send + Sync + 'static,
    impl Fn() -> String + Send + Sync + 'static,
) {
    let title_key = format!("channel-{}-title", tile.key);
    let desc_key = format!("channel-{}-description", tile.key);
    (move || t(&title_key), move || t(&desc_key))
}

fn active_tile(tile: &'static ChannelTile, ctx: AccountInboxes) -> impl IntoView {
    let key = tile.key;
    let (title, desc) = tile_text(tile);
    let href = move || format!("{}/new/{key}", inboxes_href(ctx.account_id.get()));
    view! {
        <li>
            <a
                class="channel-option channel-option-active"
                href=href
                data-testid="channel-option"
                data-channel=key
            >
                {tile_icon(tile)}
                <span class="channel-option-label">{title}</span>
                <span class="channel-option-description">{desc}</span>
            </a>
        </li>
    }
}

fn disabled_tile(tile: &'static ChannelTile, extra: Option<AnyView>) -> impl IntoView {
    let (title, desc) = tile_text(tile);
    view! {
        <li>
            <div
                class="channel-option channel-option-disabled"
                data-testid="channel-option"
                data-channel=tile.key
                aria-disabled="true"
            >
                {tile_icon(tile)}
                <span class="channel-option-label">{title}</span>
                <span class="channel-option-description">{desc}</span>
                {extra}
            </div>
        </li>
    }
}

/// Why the Instagram tile is disabled, and (for super admins) where to fix it.
#[component]
fn InstagramNotConfigured() -> impl IntoView {
    view! {
        <span class="help" data-testid="instagram-not-configured">
            {tr("channel-instagram-not-configured")}
        </span>
        {move || {
            is_super_admin()
                .then(|| {
                    view! {
                        <a class="btn btn-secondary btn-small" href=INSTAGRAM_CONFIG_HREF data-testid="instagram-configure-link">
                            {tr("channel-instagram-configure")}
                        </a>
                    }
                })
        }}
    }
}
