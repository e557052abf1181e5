//! `/app/accounts/:account_id/conversations(/:conversation_id)`: the conversation list (mine / unassigned / all,
//! status filter, pages of 25) beside the thread (`pages::thread`, the route's outlet). Under 720 px one column
//! at a time. Live updates come from `live::Live` (events, else polling).

use crate::api;
use crate::components::channel_icon::ChannelIcon;
use crate::components::layout::{use_account, AccountInboxes, Load};
use crate::i18n::{t, t_args, t_error, tr};
use crate::live::Live;
use crate::time;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;
use shared::conversation::{
    AssigneeType, Conversation, ConversationCounts, Message, StatusFilter, CONVERSATIONS_PER_PAGE,
    MESSAGE_ACTIVITY, MESSAGE_OUTGOING,
};
use shared::dto::{Agent, Inbox};
use shared::ChannelType;

/// Shared by the list and the thread.
#[derive(Clone, Copy)]
pub struct ConversationsCtx {
    pub account_id: i64,
    pub live: Live,
    /// Bumped to refetch the list (after an action in the thread).
    pub list_refresh: RwSignal<u64>,
    pub items: RwSignal<Load<Vec<Conversation>>>,
    /// The account's agents (assignee picker); empty until loaded or when not allowed.
    pub agents: RwSignal<Vec<Agent>>,
}

impl ConversationsCtx {
    pub fn refresh_list(self) {
        self.list_refresh.update(|n| *n += 1);
    }

    /// Replaces the list's copy of a conversation (after reading it in the thread).
    pub fn patch_row(self, conversation: &Conversation) {
        self.items.update(|items| {
            if let Load::Ready(list) = items {
                if let Some(row) = list.iter_mut().find(|c| c.id == conversation.id) {
                    *row = conversation.clone();
                }
            }
        });
    }

    pub fn mark_row_read(self, id: i64) {
        self.items.update(|items| {
            if let Load::Ready(list) = items {
                if let Some(row) = list.iter_mut().find(|c| c.id == id) {
                    row.unread_count = 0;
                }
            }
        });
    }
}

pub fn use_conversations() -> ConversationsCtx {
    expect_context::<ConversationsCtx>()
}

/// The inbox of `inbox_id` in the sidebar's list.
pub fn find_inbox(account: AccountInboxes, inbox_id: i64) -> Option<Inbox> {
    match account.inboxes.get() {
        Load::Ready(list) => list.into_iter().find(|i| i.id == inbox_id),
        _ => None,
    }
}

/// Up to two initials of a name, for avatars without a picture.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

#[component]
pub fn Avatar(name: String, thumbnail: String, #[prop(optional)] large: bool) -> impl IntoView {
    let failed = RwSignal::new(thumbnail.is_empty());
    let letters = initials(&name);
    // Sizes are classes: the server's CSP allows no inline styles.
    let class = if large {
        "avatar avatar-large"
    } else {
        "avatar"
    };
    view! {
        <span class=class aria-hidden="true">
            {move || {
                if failed.get() {
                    view! { <span class="avatar-initials">{letters.clone()}</span> }.into_any()
                } else {
                    view! {
                        <img src=thumbnail.clone() alt="" loading="lazy" on:error=move |_| failed.set(true) />
                    }
                        .into_any()
                }
            }}
        </span>
    }
}

/// The inbox's icon (looked up by id in the sidebar's inboxes; the conversation's channel type meanwhile).
#[component]
pub fn InboxIcon(inbox_id: i64, channel: String, #[prop(default = 16)] size: u32) -> impl IntoView {
    let account = use_account();
    move || {
        match find_inbox(account, inbox_id) {
        Some(inbox) => view! {
            <span class="inbox-icon" title=inbox.name.clone()>
                <ChannelIcon channel_type=inbox.channel_type provider=inbox.provider medium=inbox.medium size />
            </span>
        }
        .into_any(),
        None => view! {
            <span class="inbox-icon">
                <ChannelIcon channel_type=ChannelType::parse(&channel) size />
            </span>
        }
        .into_any(),
    }
    }
}

/// The one-line summary of a message in the list.
pub fn preview(message: &Message) -> String {
    let attrs = &message.content_attributes;
    let flag = |key: &str| attrs.get(key).and_then(|v| v.as_bool()).unwrap_or(false);
    let text = message.content.clone().unwrap_or_default();
    if let Some(call) = attrs.get("call").filter(|c| c.is_object()) {
        let missed = call
            .get("missed")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        return t(if missed {
            "conv-preview-missed-call"
        } else {
            "conv-preview-call"
        });
    }
    let body = if flag("deleted") {
        t("conv-preview-deleted")
    } else if flag("is_unsupported") {
        t("conv-preview-unsupported")
    } else if text.trim().is_empty() && !message.attachments.is_empty() {
        t("conv-preview-attachment")
    } else {
        text
    };
    if message.private {
        t_args("conv-preview-private", &[("text", body)])
    } else if message.message_type == MESSAGE_OUTGOING {
        t_args("conv-preview-outgoing", &[("text", body)])
    } else {
        body
    }
}

fn tab_key(tab: AssigneeType) -> &'static str {
    match tab {
        AssigneeType::Me => "conv-tab-mine",
        AssigneeType::Unassigned => "conv-tab-unassigned",
        AssigneeType::All => "conv-tab-all",
    }
}

fn tab_testid(tab: AssigneeType) -> &'static str {
    match tab {
        AssigneeType::Me => "conv-tab-mine",
        AssigneeType::Unassigned => "conv-tab-unassigned",
        AssigneeType::All => "conv-tab-all",
    }
}

fn tab_count(tab: AssigneeType, counts: ConversationCounts) -> u64 {
    match tab {
        AssigneeType::Me => counts.mine_count,
        AssigneeType::Unassigned => counts.unassigned_count,
        AssigneeType::All => counts.all_count,
    }
}

const STATUSES: [(StatusFilter, &str, &str); 4] = [
    (StatusFilter::Open, "open", "conv-status-open"),
    (StatusFilter::Resolved, "resolved", "conv-status-resolved"),
    (StatusFilter::Pending, "pending", "conv-status-pending"),
    (StatusFilter::All, "all", "conv-status-all"),
];

#[component]
pub fn Conversations() -> impl IntoView {
    let account = use_account();
    view! {
        {move || {
            account
                .account_id
                .get()
                .map(|account_id| view! { <ConversationsPage account_id /> })
        }}
    }
}

#[component]
fn ConversationsPage(account_id: i64) -> impl IntoView {
    let live = Live::start(account_id);
    let ctx = ConversationsCtx {
        account_id,
        live,
        list_refresh: RwSignal::new(0),
        items: RwSignal::new(Load::Loading),
        agents: RwSignal::new(Vec::new()),
    };
    provide_context(ctx);
    leptos::task::spawn_local(async move {
        if let Ok(agents) = api::list_agents(account_id).await {
            ctx.agents.set(agents);
        }
    });

    let location = use_location();
    let thread_open = Memo::new(move |_| {
        location
            .pathname
            .get()
            .split_once("/conversations/")
            .is_some_and(|(_, rest)| !rest.trim_matches('/').is_empty())
    });

    view! {
        <div class="conv-layout" class:thread-open=move || thread_open.get() data-testid="conversations">
            <section class="conv-list-pane" aria-labelledby="conv-list-title">
                <ConversationList />
            </section>
            <section class="conv-thread-pane">
                <Outlet />
            </section>
        </div>
    }
}

#[component]
fn ConversationList() -> impl IntoView {
    let ctx = use_conversations();
    let tab = RwSignal::new(AssigneeType::All);
    let status = RwSignal::new(StatusFilter::Open);
    let counts = RwSignal::new(None::<ConversationCounts>);
    let page = RwSignal::new(1u64);
    let has_more = RwSignal::new(false);
    let loading_more = RwSignal::new(false);
    let more_error = RwSignal::new(None::<String>);
    let generation = StoredValue::new(0u64);
    let items = ctx.items;
    let account_id = ctx.account_id;

    // `skeleton`: a filter changed (show the skeleton); otherwise a refresh merged into what is shown.
    let fetch_first = move |skeleton: bool| {
        let this_gen = generation.get_value() + 1;
        generation.set_value(this_gen);
        let (tab_now, status_now) = (tab.get_untracked(), status.get_untracked());
        if skeleton {
            items.set(Load::Loading);
            page.set(1);
            more_error.set(None);
        }
        leptos::task::spawn_local(async move {
            let result = api::list_conversations(account_id, status_now, tab_now, 1).await;
            if generation.try_get_value() != Some(this_gen) {
                return;
            }
            match result {
                Ok(first) => {
                    counts.set(Some(first.meta));
                    let full = first.payload.len() as u64 >= CONVERSATIONS_PER_PAGE;
                    items.update(|current| {
                        let merged = match current {
                            Load::Ready(old) if !skeleton && page.get_untracked() > 1 => {
                                let mut list = first.payload.clone();
                                list.extend(
                                    old.iter()
                                        .filter(|c| !first.payload.iter().any(|n| n.id == c.id))
                                        .cloned(),
                                );
                                list
                            }
                            _ => {
                                page.set(1);
                                has_more.set(full);
                                first.payload.clone()
                            }
                        };
                        *current = Load::Ready(merged);
                    });
                }
                Err(e) => {
                    // A failed background refresh keeps what is shown.
                    if skeleton || !matches!(items.get_untracked(), Load::Ready(_)) {
                        items.set(Load::Failed(e));
                    }
                }
            }
        });
    };

    let load_more = move |_| {
        if loading_more.get_untracked() {
            return;
        }
        let next = page.get_untracked() + 1;
        let this_gen = generation.get_value();
        let (tab_now, status_now) = (tab.get_untracked(), status.get_untracked());
        loading_more.set(true);
        more_error.set(None);
        leptos::task::spawn_local(async move {
            let result = api::list_conversations(account_id, status_now, tab_now, next).await;
            if generation.try_get_value() != Some(this_gen) {
                loading_more.set(false);
                return;
            }
            loading_more.set(false);
            match result {
                Ok(more) => {
                    counts.set(Some(more.meta));
                    has_more.set(more.payload.len() as u64 >= CONVERSATIONS_PER_PAGE);
                    page.set(next);
                    items.update(|current| {
                        if let Load::Ready(list) = current {
                            for c in more.payload {
                                if !list.iter().any(|o| o.id == c.id) {
                                    list.push(c);
                                }
                            }
                        }
                    });
                }
                Err(e) => more_error.set(Some(e.error)),
            }
        });
    };

    // Filters: reload with a skeleton.
    Effect::new(move |_| {
        tab.track();
        status.track();
        fetch_first(true);
    });
    // Live changes and actions in the thread: refresh in place.
    Effect::new(move |previous: Option<()>| {
        ctx.live.change.track();
        ctx.list_refresh.track();
        if previous.is_some() {
            fetch_first(false);
        }
    });

    let base = move || format!("/app/accounts/{account_id}/conversations");
    let inboxes_href = format!("/app/accounts/{account_id}/settings/inboxes");

    view! {
        <header class="conv-list-header">
            <h1 id="conv-list-title" data-testid="page-title">{tr("conversations-title")}</h1>
            <label class="sr-only" for="conv-status-filter">{tr("conv-status-label")}</label>
            <select
                id="conv-status-filter"
                class="select-small"
                data-testid="status-filter"
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if let Some((s, _, _)) = STATUSES.iter().find(|(_, v, _)| *v == value) {
                        status.set(*s);
                    }
                }
            >
                {STATUSES
                    .iter()
                    .map(|(s, value, key)| {
                        let s = *s;
                        view! {
                            <option value=*value selected=move || status.get() == s>
                                {move || t(key)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </header>
        <div class="conv-tabs" role="group" aria-label=tr("conv-tabs-label")>
            {[AssigneeType::Me, AssigneeType::Unassigned, AssigneeType::All]
                .into_iter()
                .map(|which| {
                    view! {
                        <button
                            type="button"
                            class="conv-tab"
                            data-testid=tab_testid(which)
                            aria-pressed=move || (tab.get() == which).to_string()
                            on:click=move |_| tab.set(which)
                        >
                            <span>{move || t(tab_key(which))}</span>
                            <span class="conv-tab-count" data-testid="conv-tab-count">
                                {move || counts.get().map(|c| tab_count(which, c).to_string())}
                            </span>
                        </button>
                    }
                })
                .collect_view()}
        </div>
        <div class="conv-list-body">
            {move || match items.get() {
                Load::Loading => {
                    view! {
                        <div data-testid="conversations-loading" aria-busy="true">
                            <p class="sr-only" role="status">{tr("conv-loading")}</p>
                            <ul class="conv-list" aria-hidden="true">
                                {(0..6)
                                    .map(|_| {
                                        view! {
                                            <li class="conv-row skeleton-row">
                                                <span class="skeleton avatar-skeleton"></span>
                                                <span class="conv-row-main">
                                                    <span class="skeleton skeleton-text"></span>
                                                    <span class="skeleton skeleton-text short"></span>
                                                </span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </div>
                    }
                        .into_any()
                }
                Load::Failed(err) => {
                    let code = err.error;
                    view! {
                        <div class="state state-error" data-testid="conversations-error" role="alert">
                            <p>{move || t_error(&code)}</p>
                            <button
                                type="button"
                                class="btn btn-secondary"
                                data-testid="conversations-retry"
                                on:click=move |_| fetch_first(true)
                            >
                                {tr("retry")}
                            </button>
                        </div>
                    }
                        .into_any()
                }
                Load::Ready(list) if list.is_empty() => {
                    let which = tab.get_untracked();
                    let (text, hint) = match which {
                        AssigneeType::Me => ("conv-empty-mine", "conv-empty-mine-hint"),
                        AssigneeType::Unassigned => {
                            ("conv-empty-unassigned", "conv-empty-unassigned-hint")
                        }
                        AssigneeType::All => ("conversations-empty", "conversations-empty-hint"),
                    };
                    let inboxes_href = inboxes_href.clone();
                    view! {
                        <div class="state" data-testid="conversations-empty">
                            <p class="state-title">{tr(text)}</p>
                            <p class="muted">{tr(hint)}</p>
                            {match which {
                                AssigneeType::All => {
                                    view! {
                                        <a class="btn btn-secondary" href=inboxes_href>
                                            {tr("conversations-go-to-inboxes")}
                                        </a>
                                    }
                                        .into_any()
                                }
                                _ => {
                                    view! {
                                        <button
                                            type="button"
                                            class="btn btn-secondary"
                                            on:click=move |_| tab.set(AssigneeType::All)
                                        >
                                            {tr("conv-show-all")}
                                        </button>
                                    }
                                        .into_any()
                                }
                            }}
                        </div>
                    }
                        .into_any()
                }
                Load::Ready(list) => {
                    view! {
                        <ul class="conv-list" data-testid="conversation-list">
                            {list
                                .into_iter()
                                .map(|conversation| {
                                    let href = format!("{}/{}", base(), conversation.id);
                                    view! { <ConversationRow conversation href /> }
                                })
                                .collect_view()}
                        </ul>
                        <Show when=move || has_more.get()>
                            <div class="conv-more">
                                <button
                                    type="button"
                                    class="btn btn-secondary btn-block"
                                    data-testid="conversations-load-more"
                                    aria-busy=move || loading_more.get().to_string()
                                    disabled=move || loading_more.get()
                                    on:click=load_more
                                >
                                    {move || {
                                        if loading_more.get() { t("loading") } else { t("conv-load-more") }
                                    }}
                                </button>
                                {move || {
                                    more_error
                                        .get()
                                        .map(|code| {
                                            view! {
                                                <p class="field-error" role="alert">{t_error(&code)}</p>
                                            }
                                        })
                                }}
                            </div>
                        </Show>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}

#[component]
fn ConversationRow(conversation: Conversation, href: String) -> impl IntoView {
    let location = use_location();
    let href_current = href.clone();
    let current = move || {
        let path = location.pathname.get();
        (path == href_current || path == format!("{href_current}/")).then_some("page")
    };
    let sender = conversation.meta.sender.clone();
    let last = conversation.messages.last().cloned();
    let last_preview = last.clone();
    let preview_text = move || {
        last_preview
            .as_ref()
            .filter(|m| m.message_type != MESSAGE_ACTIVITY || m.content.is_some())
            .map(preview)
            .unwrap_or_default()
    };
    let timestamp = conversation.timestamp;
    let unread = conversation.unread_count;
    let has_unread = unread > 0;
    let unread_label = move || t_args("conv-unread", &[("count", unread.to_string())]);
    view! {
        <li>
            <a
                class="conv-row"
                class:conv-row-unread=has_unread
                href=href
                data-testid="conversation-row"
                data-conversation-id=conversation.id
                aria-current=current
            >
                <Avatar name=sender.name.clone() thumbnail=sender.thumbnail.clone() />
                <span class="conv-row-main">
                    <span class="conv-row-top">
                        <InboxIcon inbox_id=conversation.inbox_id channel=sender.channel.clone() size=14 />
                        <span class="conv-row-name truncate" data-testid="conversation-name">
                            {sender.name.clone()}
                        </span>
                        <time
                            class="conv-row-time"
                            datetime=time::iso(timestamp)
                            title=move || time::date_time(timestamp)
                        >
                            {move || time::relative(timestamp)}
                        </time>
                    </span>
                    <span class="conv-row-bottom">
                        <span class="conv-row-preview truncate" data-testid="conversation-preview">
                            {preview_text}
                        </span>
                        {(unread > 0)
                            .then(|| {
                                view! {
                                    <span class="unread-badge" data-testid="unread-badge" aria-label=unread_label>
                                        {unread.min(99).to_string()}
                                    </span>
                                }
                            })}
                    </span>
                </span>
            </a>
        </li>
    }
}

/// The outlet of `/conversations` without a conversation: a hint on wide screens (hidden under 720 px).
#[component]
pub fn NoConversationSelected() -> impl IntoView {
    view! {
        <div class="state conv-no-thread" data-testid="no-conversation-selected">
            <p class="muted">{tr("conv-select-hint")}</p>
        </div>
    }
}
