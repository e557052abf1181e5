//! The conversation thread (outlet of the conversations page): header with status and assignee controls, the
//! messages (load earlier via `before`), and the reply box with optimistic sending and the messaging window.

use crate::api;
use crate::components::layout::{use_account, Load};
use crate::i18n::{t, t_args, t_error, tr};
use crate::pages::conversations::{
    find_inbox, use_conversations, Avatar, ConversationsCtx, InboxIcon,
};
use crate::session::{self, Session};
use crate::time;
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde_json::{json, Value};
use shared::conversation::{
    file_type_of, Conversation, ConversationStatus, Message, MessageSender, MAX_FILE_BYTES,
    MAX_REPLY_FILES, MESSAGES_PER_PAGE, MESSAGE_ACTIVITY, MESSAGE_INCOMING, MESSAGE_OUTGOING,
};
use shared::ChannelType;

const DAY: i64 = 86_400;

fn me() -> Option<session::Me> {
    match session::session().get() {
        Session::SignedIn(me) => Some(me),
        _ => None,
    }
}

/// Route view of `/conversations/:conversation_id`: a fresh thread per conversation.
#[component]
pub fn Thread() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("conversation_id")
            .and_then(|s| s.parse::<i64>().ok())
    });
    move || match id.get() {
        Some(id) => view! { <ThreadView id /> }.into_any(),
        None => view! {
            <div class="state state-error" role="alert" data-testid="thread-error">
                <p>{tr("error-not-found")}</p>
            </div>
        }
        .into_any(),
    }
}

/// Messages sorted by id, optimistic ones (negative ids) last in the order they were written.
fn sort_key(m: &Message) -> (u8, i64) {
    if m.id < 0 {
        (1, -m.id)
    } else {
        (0, m.id)
    }
}

fn merge(into: &mut Vec<Message>, fetched: Vec<Message>) {
    for m in fetched {
        match into.iter_mut().find(|o| o.id == m.id) {
            Some(old) => *old = m,
            None => into.push(m),
        }
    }
    into.sort_by_key(sort_key);
}

fn attr_bool(m: &Message, key: &str) -> bool {
    m.content_attributes
        .get(key)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn attr_str(m: &Message, key: &str) -> Option<String> {
    m.content_attributes
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn scroll_to_bottom(node: NodeRef<html::Div>) {
    request_animation_frame(move || {
        if let Some(el) = node.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    });
}

fn near_bottom(node: NodeRef<html::Div>) -> bool {
    node.get_untracked()
        .map(|el| el.scroll_height() - el.scroll_top() - el.client_height() < 120)
        .unwrap_or(true)
}

#[derive(Clone, Copy)]
struct ThreadState {
    ctx: ConversationsCtx,
    account_id: i64,
    id: i64,
    conversation: RwSignal<Load<Conversation>>,
    messages: RwSignal<Vec<Message>>,
    messages_state: RwSignal<Load<()>>,
    has_earlier: RwSignal<bool>,
    loading_earlier: RwSignal<bool>,
    scroller: NodeRef<html::Div>,
    next_temp_id: StoredValue<i64>,
    /// The reply box's text.
    draft: RwSignal<String>,
    /// Files picked for the next reply.
    picked: RwSignal<Vec<web_sys::File>, LocalStorage>,
    /// The files of replies the server has not taken yet, by temporary id, for sending them again.
    unsent_files: StoredValue<Vec<(i64, Vec<web_sys::File>)>, LocalStorage>,
    /// The reader is at the bottom: keep them there when images load or messages arrive.
    stick: StoredValue<bool>,
}

impl ThreadState {
    fn reload_conversation(self) {
        let ctx = self.ctx;
        leptos::task::spawn_local(async move {
            match api::get_conversation(self.account_id, self.id).await {
                Ok(conversation) => {
                    let unread = conversation.unread_count;
                    ctx.patch_row(&conversation);
                    self.conversation.set(Load::Ready(conversation));
                    if unread > 0 {
                        self.mark_read();
                    }
                }
                Err(e) => {
                    if !matches!(self.conversation.try_get_untracked(), Some(Load::Ready(_))) {
                        self.conversation.set(Load::Failed(e));
                    }
                }
            }
        });
    }

    /// The newest page, merged into what is shown.
    fn reload_messages(self, initial: bool) {
        leptos::task::spawn_local(async move {
            let was_at_bottom = self.stick.get_value();
            match api::list_messages(self.account_id, self.id, None).await {
                Ok(list) => {
                    if initial {
                        self.has_earlier
                            .set(list.payload.len() as u64 >= MESSAGES_PER_PAGE);
                    }
                    self.messages.update(|m| merge(m, list.payload));
                    self.messages_state.set(Load::Ready(()));
                    if initial || was_at_bottom {
                        scroll_to_bottom(self.scroller);
                    }
                }
                Err(e) => {
                    if initial {
                        self.messages_state.set(Load::Failed(e));
                    }
                }
            }
        });
    }

    fn load_earlier(self) {
        let Some(oldest) = self
            .messages
            .get_untracked()
            .iter()
            .map(|m| m.id)
            .filter(|id| *id > 0)
            .min()
        else {
            return;
        };
        self.loading_earlier.set(true);
        leptos::task::spawn_local(async move {
            let result = api::list_messages(self.account_id, self.id, Some(oldest)).await;
            self.loading_earlier.set(false);
            if let Ok(list) = result {
                self.has_earlier
                    .set(list.payload.len() as u64 >= MESSAGES_PER_PAGE);
                let before = self
                    .scroller
                    .get_untracked()
                    .map(|el| el.scroll_height() - el.scroll_top());
                self.messages.update(|m| merge(m, list.payload));
                // Keep the reader where they were.
                let scroller = self.scroller;
                request_animation_frame(move || {
                    if let (Some(el), Some(before)) = (scroller.get_untracked(), before) {
                        el.set_scroll_top(el.scroll_height() - before);
                    }
                });
            }
        });
    }

    fn mark_read(self) {
        let ctx = self.ctx;
        leptos::task::spawn_local(async move {
            if api::update_last_seen(self.account_id, self.id)
                .await
                .is_ok()
            {
                ctx.mark_row_read(self.id);
            }
        });
    }

    fn replace_message(self, temp_id: i64, message: Option<Message>) {
        self.unsent_files
            .update_value(|files| files.retain(|(id, _)| *id != temp_id));
        self.messages.update(|list| {
            // The local previews of the files go with the optimistic copy.
            for m in list.iter().filter(|m| m.id == temp_id) {
                for a in m
                    .attachments
                    .iter()
                    .filter(|a| a.data_url.starts_with("blob:"))
                {
                    let _ = web_sys::Url::revoke_object_url(&a.data_url);
                }
            }
            list.retain(|m| m.id != temp_id);
            if let Some(message) = message {
                merge(list, vec![message]);
            }
        });
    }

    fn set_local_failure(self, temp_id: i64, code: &str) {
        self.messages.update(|list| {
            if let Some(m) = list.iter_mut().find(|m| m.id == temp_id) {
                m.status = "failed".into();
                m.content_attributes = json!({ "local_error": code });
            }
        });
    }

    /// Files waiting to go out with the reply `temp_id`.
    fn files_of(self, temp_id: i64) -> Vec<web_sys::File> {
        self.unsent_files.with_value(|files| {
            files
                .iter()
                .find(|(id, _)| *id == temp_id)
                .map(|(_, f)| f.clone())
                .unwrap_or_default()
        })
    }

    /// Appends the message right away (`progress`, files shown from the browser's copy), then replaces it by the
    /// server's copy.
    fn send(
        self,
        content: String,
        private: bool,
        files: Vec<web_sys::File>,
        error: RwSignal<Option<String>>,
    ) {
        let Load::Ready(conversation) = self.conversation.get_untracked() else {
            return;
        };
        let temp_id = self.next_temp_id.get_value() - 1;
        self.next_temp_id.set_value(temp_id);
        let me = me();
        let optimistic = Message {
            id: temp_id,
            content: Some(content.clone()),
            account_id: self.account_id,
            inbox_id: conversation.inbox_id,
            conversation_id: self.id,
            message_type: MESSAGE_OUTGOING,
            created_at: time::now_secs(),
            private,
            status: "progress".into(),
            source_id: None,
            content_type: "text".into(),
            content_attributes: json!({}),
            sender_type: Some("User".into()),
            sender_id: me.as_ref().map(|m| m.id),
            sender: me.map(|m| MessageSender {
                id: m.id,
                name: m.name,
                thumbnail: String::new(),
                kind: "user".into(),
            }),
            attachments: files.iter().map(local_preview).collect(),
        };
        if !files.is_empty() {
            self.unsent_files
                .update_value(|unsent| unsent.push((temp_id, files)));
        }
        self.messages.update(|list| list.push(optimistic));
        scroll_to_bottom(self.scroller);
        self.post(temp_id, content, private, error);
    }

    fn post(self, temp_id: i64, content: String, private: bool, error: RwSignal<Option<String>>) {
        let ctx = self.ctx;
        leptos::task::spawn_local(async move {
            let files = self.files_of(temp_id);
            match api::send_message(self.account_id, self.id, &content, private, &files).await {
                Ok(message) => {
                    self.replace_message(temp_id, Some(message));
                    ctx.refresh_list();
                }
                Err(e) if e.error == "messaging_window_closed" => {
                    // Nothing was stored: take the message back into the box and say why.
                    self.replace_message(temp_id, None);
                    if self.draft.get_untracked().trim().is_empty() {
                        self.draft.set(content);
                    }
                    if self.picked.with_untracked(Vec::is_empty) {
                        self.picked.set(files);
                    }
                    error.set(Some(e.error));
                    self.reload_conversation();
                }
                Err(e) => self.set_local_failure(temp_id, &e.error),
            }
        });
    }

    fn retry(self, message: Message, error: RwSignal<Option<String>>) {
        self.messages.update(|list| {
            if let Some(m) = list.iter_mut().find(|m| m.id == message.id) {
                m.status = "progress".into();
            }
        });
        if message.id < 0 {
            self.post(
                message.id,
                message.content.unwrap_or_default(),
                message.private,
                error,
            );
            return;
        }
        leptos::task::spawn_local(async move {
            match api::retry_message(self.account_id, self.id, message.id).await {
                Ok(updated) => self.replace_message(message.id, Some(updated)),
                Err(e) => {
                    self.messages.update(|list| {
                        if let Some(m) = list.iter_mut().find(|m| m.id == message.id) {
                            m.status = "failed".into();
                        }
                    });
                    error.set(Some(e.error));
                }
            }
        });
    }
}

/// An optimistic reply's file, shown from the browser's own copy until the server's comes back.
fn local_preview(file: &web_sys::File) -> shared::conversation::Attachment {
    shared::conversation::Attachment {
        id: 0,
        file_type: file_type_of(&file.type_()).to_owned(),
        data_url: web_sys::Url::create_object_url_with_blob(file).unwrap_or_default(),
        // An image without a thumbnail is shown itself.
        thumb_url: String::new(),
    }
}

#[component]
fn ThreadView(id: i64) -> impl IntoView {
    let ctx = use_conversations();
    let state = ThreadState {
        ctx,
        account_id: ctx.account_id,
        id,
        conversation: RwSignal::new(Load::Loading),
        messages: RwSignal::new(Vec::new()),
        messages_state: RwSignal::new(Load::Loading),
        has_earlier: RwSignal::new(false),
        loading_earlier: RwSignal::new(false),
        scroller: NodeRef::new(),
        next_temp_id: StoredValue::new(0),
        draft: RwSignal::new(String::new()),
        picked: RwSignal::new_local(Vec::new()),
        unsent_files: StoredValue::new_local(Vec::new()),
        stick: StoredValue::new(true),
    };
    let reply_error = RwSignal::new(None::<String>);

    let open = move || {
        state.conversation.set(Load::Loading);
        state.reload_conversation();
        state.reload_messages(true);
        state.mark_read();
    };
    open();
    Effect::new(move |previous: Option<()>| {
        let change = ctx.live.change.get();
        if previous.is_some() && change.conversation_id.is_none_or(|c| c == id) {
            state.reload_conversation();
            state.reload_messages(false);
        }
    });

    view! {
        {move || match state.conversation.get() {
            Load::Loading => {
                view! {
                    <div class="thread" aria-busy="true" data-testid="thread-loading">
                        <p class="sr-only" role="status">{tr("loading")}</p>
                        <div class="thread-header"><span class="skeleton skeleton-text"></span></div>
                    </div>
                }
                    .into_any()
            }
            Load::Failed(err) => {
                let code = err.error;
                view! {
                    <div class="thread">
                        <BackLink />
                        <div class="state state-error" role="alert" data-testid="thread-error">
                            <p>{move || t_error(&code)}</p>
                            <button type="button" class="btn btn-secondary" data-testid="thread-retry" on:click=move |_| open()>
                                {tr("retry")}
                            </button>
                        </div>
                    </div>
                }
                    .into_any()
            }
            Load::Ready(_) => view! { <ThreadBody state reply_error /> }.into_any(),
        }}
    }
}

#[component]
fn BackLink() -> impl IntoView {
    let ctx = use_conversations();
    view! {
        <a class="conv-back" href=format!("/app/accounts/{}/conversations", ctx.account_id) data-testid="conv-back">
            <span aria-hidden="true">"← "</span>
            {tr("conv-back")}
        </a>
    }
}

#[component]
fn ThreadBody(state: ThreadState, reply_error: RwSignal<Option<String>>) -> impl IntoView {
    let conversation = move || match state.conversation.get() {
        Load::Ready(c) => Some(c),
        _ => None,
    };
    let conv_untracked = match state.conversation.get_untracked() {
        Load::Ready(c) => c,
        _ => unreachable!("rendered only when ready"),
    };
    let name = Memo::new(move |_| {
        conversation()
            .map(|c| c.meta.sender.name)
            .unwrap_or_default()
    });
    let sender = conv_untracked.meta.sender.clone();
    let inbox_id = conv_untracked.inbox_id;
    let account = use_account();
    let inbox_name = move || find_inbox(account, inbox_id).map(|i| i.name);
    let needs_reauth = move || find_inbox(account, inbox_id).filter(|i| i.reauthorization_required);

    view! {
        <div class="thread" data-testid="thread" data-conversation-id=state.id>
            <header class="thread-header">
                <BackLink />
                <div class="thread-contact">
                    <Avatar name=sender.name.clone() thumbnail=sender.thumbnail.clone() large=true />
                    <div class="thread-contact-text">
                        <h2 class="thread-contact-name truncate" data-testid="thread-contact-name">
                            {move || name.get()}
                        </h2>
                        <span class="thread-inbox muted">
                            <InboxIcon inbox_id channel=sender.channel.clone() size=14 />
                            <span class="truncate">{inbox_name}</span>
                        </span>
                    </div>
                </div>
                <ThreadActions state />
            </header>
            {move || {
                needs_reauth()
                    .map(|inbox| {
                        let href = format!(
                            "/app/accounts/{}/settings/inboxes/{}",
                            inbox.account_id,
                            inbox.id,
                        );
                        let key = if inbox.channel_type == ChannelType::Instagram {
                            "ig-reauthorize-banner"
                        } else {
                            "inbox-settings-reauthorize"
                        };
                        view! {
                            <div class="alert alert-warning thread-banner" role="alert" data-testid="reauthorize-banner">
                                <p>{tr(key)}</p>
                                <a class="btn btn-secondary btn-small" href=href>{tr("conv-open-inbox-settings")}</a>
                            </div>
                        }
                    })
            }}
            <MessageList state reply_error />
            <ReplyBox state error=reply_error />
        </div>
    }
}

#[component]
fn ThreadActions(state: ThreadState) -> impl IntoView {
    let ctx = use_conversations();
    let busy = RwSignal::new(false);
    let action_error = RwSignal::new(None::<String>);
    let conversation = move || match state.conversation.get() {
        Load::Ready(c) => Some(c),
        _ => None,
    };
    let status = move || conversation().map(|c| c.status);
    let assignee_id = move || conversation().and_then(|c| c.assignee_id);
    let my_id = move || me().map(|m| m.id);
    let after = move |result: Result<(), shared::ErrorBody>| {
        busy.set(false);
        match result {
            Ok(()) => {
                action_error.set(None);
                state.reload_conversation();
                ctx.refresh_list();
            }
            Err(e) => action_error.set(Some(e.error)),
        }
    };
    let toggle = move |_| {
        let Some(current) = status() else { return };
        let next = match current {
            ConversationStatus::Resolved => ConversationStatus::Open,
            _ => ConversationStatus::Resolved,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api::toggle_status(state.account_id, state.id, next).await;
            after(result.map(|_| ()));
        });
    };
    let assign = move |assignee: Option<i64>| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api::assign_conversation(state.account_id, state.id, assignee).await;
            after(result);
        });
    };
    // The agents, plus the current assignee when the agent list does not include them.
    let options = move || {
        let mut agents: Vec<(i64, String)> = ctx
            .agents
            .get()
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        if let Some(assignee) = conversation().and_then(|c| c.meta.assignee) {
            if !agents.iter().any(|(id, _)| *id == assignee.id) {
                agents.push((assignee.id, assignee.name));
            }
        }
        if let Some(me) = me() {
            if !agents.iter().any(|(id, _)| *id == me.id) {
                agents.push((me.id, me.name));
            }
        }
        agents
    };
    let select_id = format!("assign-select-{}", state.id);
    view! {
        <div class="thread-actions">
            <span class="badge status-badge" data-testid="conversation-status" data-status=move || status().map(|s| s.as_str())>
                {move || match status() {
                    Some(ConversationStatus::Open) => t("conv-state-open"),
                    Some(ConversationStatus::Resolved) => t("conv-state-resolved"),
                    Some(ConversationStatus::Pending) => t("conv-state-pending"),
                    None => String::new(),
                }}
            </span>
            <div class="assign">
                <label class="sr-only" for=select_id.clone()>{tr("conv-assignee")}</label>
                <select
                    id=select_id
                    class="select-small"
                    data-testid="assign-select"
                    disabled=move || busy.get()
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        assign(value.parse::<i64>().ok());
                    }
                >
                    <option value="" selected=move || assignee_id().is_none()>
                        {tr("conv-unassigned")}
                    </option>
                    {move || {
                        options()
                            .into_iter()
                            .map(|(id, name)| {
                                view! {
                                    <option value=id.to_string() selected=move || assignee_id() == Some(id)>
                                        {name}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                <Show when=move || my_id().is_some() && assignee_id() != my_id()>
                    <button
                        type="button"
                        class="btn btn-secondary btn-small"
                        data-testid="assign-me"
                        disabled=move || busy.get()
                        on:click=move |_| assign(my_id())
                    >
                        {tr("conv-assign-me")}
                    </button>
                </Show>
            </div>
            <button
                type="button"
                class="btn btn-primary btn-small"
                data-testid="toggle-status"
                disabled=move || busy.get()
                aria-busy=move || busy.get().to_string()
                on:click=toggle
            >
                {move || {
                    if status() == Some(ConversationStatus::Resolved) { t("conv-reopen") } else { t("conv-resolve") }
                }}
            </button>
            {move || {
                action_error
                    .get()
                    .map(|code| {
                        view! { <p class="field-error" role="alert" data-testid="thread-action-error">{t_error(&code)}</p> }
                    })
            }}
        </div>
    }
}

#[component]
fn MessageList(state: ThreadState, reply_error: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <div
            class="thread-scroll"
            node_ref=state.scroller
            tabindex="0"
            aria-label=tr("conv-messages-label")
            on:scroll=move |_| state.stick.set_value(near_bottom(state.scroller))
        >
            <Show when=move || state.has_earlier.get()>
                <div class="load-earlier">
                    <button
                        type="button"
                        class="btn btn-secondary btn-small"
                        data-testid="load-earlier"
                        disabled=move || state.loading_earlier.get()
                        aria-busy=move || state.loading_earlier.get().to_string()
                        on:click=move |_| state.load_earlier()
                    >
                        {move || if state.loading_earlier.get() { t("loading") } else { t("conv-load-earlier") }}
                    </button>
                </div>
            </Show>
            {move || match state.messages_state.get() {
                Load::Loading => {
                    view! {
                        <div class="thread-skeleton" aria-hidden="true">
                            <span class="skeleton bubble-skeleton"></span>
                            <span class="skeleton bubble-skeleton right"></span>
                            <span class="skeleton bubble-skeleton"></span>
                        </div>
                    }
                        .into_any()
                }
                Load::Failed(err) => {
                    let code = err.error;
                    view! {
                        <div class="state state-error" role="alert" data-testid="messages-error">
                            <p>{move || t_error(&code)}</p>
                            <button
                                type="button"
                                class="btn btn-secondary"
                                on:click=move |_| {
                                    state.messages_state.set(Load::Loading);
                                    state.reload_messages(true);
                                }
                            >
                                {tr("retry")}
                            </button>
                        </div>
                    }
                        .into_any()
                }
                Load::Ready(()) => ().into_any(),
            }}
            <ol class="messages" aria-live="polite" aria-relevant="additions" data-testid="messages">
                <For
                    each=move || state.messages.get()
                    key=|m| (m.id, m.status.clone(), m.content_attributes.to_string(), m.content.clone())
                    children=move |m| view! { <MessageItem message=m state reply_error /> }
                />
            </ol>
            <Show when=move || {
                matches!(state.messages_state.get(), Load::Ready(())) && state.messages.with(Vec::is_empty)
            }>
                <p class="muted thread-empty" data-testid="messages-empty">{tr("conv-no-messages")}</p>
            </Show>
        </div>
    }
}

#[component]
fn MessageItem(
    message: Message,
    state: ThreadState,
    reply_error: RwSignal<Option<String>>,
) -> impl IntoView {
    let kind = message.message_type;
    let deleted = attr_bool(&message, "deleted");
    let unsupported = attr_bool(&message, "is_unsupported");
    let is_reply = attr_str(&message, "in_reply_to_external_id").is_some()
        || message.content_attributes.get("in_reply_to").is_some();
    let created_at = message.created_at;
    let class = match (kind, message.private) {
        (MESSAGE_ACTIVITY, _) => "message message-activity",
        (_, true) => "message message-out message-private",
        (MESSAGE_INCOMING, _) => "message message-in",
        _ => "message message-out",
    };
    if kind == MESSAGE_ACTIVITY {
        if let Some(call) = message
            .content_attributes
            .get("call")
            .filter(|c| c.is_object())
        {
            return call_card(&message, call);
        }
        return view! {
            <li class=class data-testid="message" data-message-type=kind data-message-id=message.id>
                <span class="activity-text">{message.content.clone().unwrap_or_default()}</span>
                <time class="message-time" datetime=time::iso(created_at)>{move || time::message_time(created_at)}</time>
            </li>
        }
        .into_any();
    }
    let sender_name = message.sender.as_ref().map(|s| s.name.clone());
    let show_sender = kind != MESSAGE_INCOMING && sender_name.is_some();
    let content = message.content.clone().unwrap_or_default();
    let attachments = message.attachments.clone();
    let reactions: Vec<(String, String)> = message
        .content_attributes
        .get("reactions")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|r| {
                    let emoji = r.get("emoji")?.as_str()?.to_owned();
                    let who = match r.get("sender") {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Object(o)) => o
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        _ => String::new(),
                    };
                    Some((emoji, who))
                })
                .collect()
        })
        .unwrap_or_default();
    let status = message.status.clone();
    let outgoing = kind != MESSAGE_INCOMING;
    let external_error = attr_str(&message, "external_error");
    let local_error = attr_str(&message, "local_error");
    let alt_name = sender_name.clone().unwrap_or_default();
    let for_retry = message.clone();

    view! {
        <li class=class data-testid="message" data-message-type=kind data-message-id=message.id data-private=message.private.to_string()>
            <div class="bubble">
                {message.private.then(|| view! { <span class="private-label">{tr("conv-private-note")}</span> })}
                {show_sender.then(|| view! { <span class="message-sender">{sender_name.clone()}</span> })}
                {is_reply.then(|| view! { <span class="message-reply-to muted">{tr("conv-message-reply")}</span> })}
                {if deleted {
                    view! { <p class="message-deleted" data-testid="message-deleted"><em>{tr("conv-message-deleted")}</em></p> }.into_any()
                } else {
                    view! {
                        {(!content.is_empty()).then(|| view! { <p class="message-content">{content.clone()}</p> })}
                        {unsupported.then(|| view! { <p class="message-unsupported" data-testid="message-unsupported"><em>{tr("conv-message-unsupported")}</em></p> })}
                        {(!attachments.is_empty()).then(|| {
                            view! {
                                <div class="attachments">
                                    {attachments.iter().map(|a| attachment_view(a, alt_name.clone(), state)).collect_view()}
                                </div>
                            }
                        })}
                    }.into_any()
                }}
            </div>
            {(!reactions.is_empty()).then(|| {
                view! {
                    <ul class="reactions" data-testid="message-reactions" aria-label=tr("conv-reactions")>
                        {reactions
                            .into_iter()
                            .map(|(emoji, who)| {
                                let label = if who.is_empty() {
                                    emoji.clone()
                                } else {
                                    t_args("conv-reaction-by", &[("emoji", emoji.clone()), ("name", who.clone())])
                                };
                                view! { <li class="reaction" title=label.clone() aria-label=label>{emoji}</li> }
                            })
                            .collect_view()}
                    </ul>
                }
            })}
            <div class="message-meta">
                <time datetime=time::iso(created_at) title=move || time::date_time(created_at)>
                    {move || time::message_time(created_at)}
                </time>
                {outgoing.then(|| view! { <StatusTick status=status.clone() /> })}
            </div>
            {(outgoing && status == "failed").then(|| {
                let for_retry = for_retry.clone();
                view! {
                    <div class="message-failed" role="alert" data-testid="message-failed">
                        <span>{tr("conv-message-failed")}</span>
                        {external_error.clone().map(|e| view! { <span class="message-error" data-testid="message-error">{e}</span> })}
                        {local_error.clone().map(|code| view! { <span class="message-error" data-testid="message-error">{move || t_error(&code)}</span> })}
                        <button
                            type="button"
                            class="btn btn-secondary btn-small"
                            data-testid="message-retry"
                            on:click=move |_| state.retry(for_retry.clone(), reply_error)
                        >
                            {tr("retry")}
                        </button>
                    </div>
                }
            })}
        </li>
    }
    .into_any()
}

/// What the call card says about the call's state: `missed` wins, then Twilio's `CallStatus`.
pub fn call_status(call: &Value) -> (&'static str, &'static str) {
    if call.get("missed").and_then(Value::as_bool).unwrap_or(false) {
        return ("missed", "conv-call-status-missed");
    }
    match call
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or_default()
    {
        "in-progress" | "answered" => ("in-progress", "conv-call-status-in-progress"),
        "completed" => ("completed", "conv-call-status-completed"),
        "busy" | "no-answer" | "failed" | "canceled" => ("ended", "conv-call-status-ended"),
        _ => ("ringing", "conv-call-status-ringing"),
    }
}

/// `m:ss` of a number of seconds.
pub fn call_duration(seconds: i64) -> String {
    let seconds = seconds.max(0);
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// An activity message carrying `content_attributes.call`: phone icon, who called, state, duration and the
/// voicemail player once recorded.
fn call_card(message: &Message, call: &Value) -> AnyView {
    let created_at = message.created_at;
    let field = |key: &str| {
        call.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let outbound = field("direction").starts_with("outbound");
    let (from, to) = (field("from"), field("to"));
    let direction = move || {
        if outbound {
            t_args("conv-call-outgoing", &[("number", to.clone())])
        } else {
            t_args("conv-call-incoming", &[("number", from.clone())])
        }
    };
    let (status, status_key) = call_status(call);
    let duration = call
        .get("duration")
        .and_then(Value::as_i64)
        .filter(|d| *d > 0)
        .or_else(|| call.get("recording_duration").and_then(Value::as_i64))
        .map(call_duration);
    let recording = message
        .attachments
        .iter()
        .find(|a| a.file_type == "audio" && !a.data_url.is_empty())
        .map(|a| a.data_url.clone());
    view! {
        <li class="message message-activity message-call" data-testid="message" data-message-type=message.message_type data-message-id=message.id>
            <div class="call-card" class:call-missed=status == "missed" data-testid="call-message" data-call-status=status>
                <svg
                    class="call-icon"
                    data-icon="i-ri-phone-fill"
                    aria-hidden="true"
                    width="20"
                    height="20"
                    viewBox="0 0 24 24"
                    fill="currentColor"
                    xmlns="http://www.w3.org/2000/svg"
                    focusable="false"
                >
                    <use href=crate::components::channel_icon::icon_href("i-ri-phone-fill") />
                </svg>
                <div class="call-body">
                    <span class="call-direction" data-testid="call-direction">{direction}</span>
                    <span class="call-details">
                        <span class="call-status" data-testid="call-status" data-status=status>{move || t(status_key)}</span>
                        {duration.map(|d| view! {
                            <span class="sr-only">{tr("conv-call-duration")}</span>
                            <span class="call-duration" data-testid="call-duration">{d}</span>
                        })}
                    </span>
                    {recording.map(|url| view! {
                        <audio class="call-recording" src=url controls=true preload="metadata" data-testid="call-recording" aria-label=tr("conv-call-recording")></audio>
                    })}
                </div>
                <time class="message-time" datetime=time::iso(created_at)>{move || time::message_time(created_at)}</time>
            </div>
        </li>
    }
    .into_any()
}

#[component]
fn StatusTick(status: String) -> impl IntoView {
    let (symbol, key, class) = match status.as_str() {
        "progress" => ("", "conv-status-sending", "tick tick-progress"),
        "sent" => ("✓", "conv-status-sent", "tick"),
        "delivered" => ("✓✓", "conv-status-delivered", "tick"),
        "read" => ("✓✓", "conv-status-read", "tick tick-read"),
        "failed" => ("⚠", "conv-status-failed", "tick tick-failed"),
        _ => ("", "conv-status-sent", "tick"),
    };
    view! {
        <span class=class data-testid="message-status" data-status=status.clone() title=move || t(key)>
            {if status == "progress" {
                view! { <span class="spinner spinner-small" aria-hidden="true"></span> }.into_any()
            } else {
                view! { <span aria-hidden="true">{symbol}</span> }.into_any()
            }}
            <span class="sr-only">{move || t(key)}</span>
        </span>
    }
}

fn attachment_view(
    a: &shared::conversation::Attachment,
    sender: String,
    state: ThreadState,
) -> AnyView {
    let url = a.data_url.clone();
    // Media change the thread's height when they load.
    let on_load = move |_| {
        if state.stick.get_value() {
            scroll_to_bottom(state.scroller);
        }
    };
    match a.file_type.as_str() {
        "image" | "story_mention" if !url.is_empty() => {
            let thumb = if a.thumb_url.is_empty() {
                url.clone()
            } else {
                a.thumb_url.clone()
            };
            let alt = move || {
                if sender.is_empty() {
                    t("conv-attachment-image")
                } else {
                    t_args("conv-attachment-image-from", &[("name", sender.clone())])
                }
            };
            view! {
                <a class="attachment attachment-image" href=url target="_blank" rel="noopener noreferrer" data-testid="attachment" data-file-type=a.file_type.clone()>
                    <img src=thumb alt=alt on:load=on_load />
                </a>
            }
            .into_any()
        }
        "video" | "ig_reel" if !url.is_empty() => view! {
            <video class="attachment attachment-video" src=url controls=true preload="metadata" data-testid="attachment" data-file-type=a.file_type.clone() aria-label=tr("conv-attachment-video") on:loadedmetadata=on_load></video>
        }
        .into_any(),
        "audio" if !url.is_empty() => view! {
            <audio class="attachment attachment-audio" src=url controls=true preload="metadata" data-testid="attachment" data-file-type=a.file_type.clone() aria-label=tr("conv-attachment-audio")></audio>
        }
        .into_any(),
        _ => view! {
            <a class="attachment attachment-file" href=url target="_blank" rel="noopener noreferrer" data-testid="attachment" data-file-type=a.file_type.clone()>
                {tr("conv-attachment-open")}
            </a>
        }
        .into_any(),
    }
}

/// Why a picked file was left out of the reply.
#[derive(Clone)]
enum FileProblem {
    TooLarge(String),
    TooMany,
}

impl FileProblem {
    fn text(&self) -> String {
        match self {
            FileProblem::TooLarge(name) => t_args(
                "conv-file-too-large",
                &[
                    ("name", name.clone()),
                    ("size", file_size(MAX_FILE_BYTES as f64)),
                ],
            ),
            FileProblem::TooMany => t_args(
                "conv-too-many-files",
                &[("count", MAX_REPLY_FILES.to_string())],
            ),
        }
    }
}

/// `2.4 MB`, `310 KB`, `12 B` (units of 1,024, so the 25 MiB limit reads `25.0 MB`).
fn file_size(bytes: f64) -> String {
    const KIB: f64 = 1024.0;
    match bytes {
        b if b >= KIB * KIB => format!("{:.1} MB", b / (KIB * KIB)),
        b if b >= KIB => format!("{:.0} KB", b / KIB),
        b => format!("{b:.0} B"),
    }
}

/// One file picked for the next reply, with a button that takes it out.
#[component]
fn PickedFile(
    file: web_sys::File,
    n: usize,
    picked: RwSignal<Vec<web_sys::File>, LocalStorage>,
) -> impl IntoView {
    let name = file.name();
    let label = name.clone();
    view! {
        <li class="reply-file" data-testid="reply-file">
            <span class="reply-file-name truncate">{name}</span>
            <span class="muted reply-file-size">{file_size(file.size())}</span>
            <button
                type="button"
                class="reply-file-remove"
                data-testid="reply-file-remove"
                aria-label=move || t_args("conv-file-remove", &[("name", label.clone())])
                on:click=move |_| {
                    picked
                        .update(|files| {
                            if n < files.len() {
                                files.remove(n);
                            }
                        })
                }
            >
                "×"
            </button>
        </li>
    }
}

/// What the messaging window allows now: `None` when nothing needs saying.
#[derive(Debug, Clone, PartialEq)]
enum Window {
    /// Closed; `ends_at` when known, `human_agent` when it was the 7-day window.
    Closed {
        ends_at: Option<i64>,
        human_agent: bool,
    },
    /// Open within the 7-day Human Agent extension (past the first 24 h).
    HumanAgent { ends_at: i64 },
    /// Open with a known end.
    OpenUntil { ends_at: i64 },
}

fn window_of(conversation: &Conversation, messages: &[Message]) -> Option<Window> {
    let last_incoming = messages
        .iter()
        .filter(|m| m.message_type == MESSAGE_INCOMING)
        .map(|m| m.created_at)
        .max();
    let ends_at = conversation.reply_window_ends_at;
    let human_agent = match (ends_at, last_incoming) {
        (Some(end), Some(last)) => end - last > DAY + 3600,
        _ => false,
    };
    if !conversation.can_reply {
        return Some(Window::Closed {
            ends_at,
            human_agent,
        });
    }
    let ends_at = ends_at?;
    let past_first_day = last_incoming.is_some_and(|last| time::now_secs() > last + DAY);
    if human_agent && past_first_day {
        Some(Window::HumanAgent { ends_at })
    } else {
        Some(Window::OpenUntil { ends_at })
    }
}

/// Whether a `dragleave` on the reply form left it. The event also fires when the pointer moves onto one of the
/// form's own children (the box, a button); clearing the drop outline then would make it flicker.
fn leaves_for_outside(ev: &web_sys::DragEvent) -> bool {
    use wasm_bindgen::JsCast;
    let node = |t: Option<web_sys::EventTarget>| t.and_then(|t| t.dyn_into::<web_sys::Node>().ok());
    match (node(ev.current_target()), node(ev.related_target())) {
        (Some(form), Some(to)) => !form.contains(Some(&to)),
        _ => true,
    }
}

#[component]
fn ReplyBox(state: ThreadState, error: RwSignal<Option<String>>) -> impl IntoView {
    let content = state.draft;
    let private = RwSignal::new(false);
    let textarea = NodeRef::<html::Textarea>::new();
    let window = Memo::new(move |_| match state.conversation.get() {
        Load::Ready(c) => state.messages.with(|m| window_of(&c, m)),
        _ => None,
    });
    let closed = move || matches!(window.get(), Some(Window::Closed { .. }));
    let picked = state.picked;
    let file_problem = RwSignal::new(None::<FileProblem>);
    let file_input = NodeRef::<html::Input>::new();
    let has_something =
        move || !content.with(|c| c.trim().is_empty()) || picked.with(|files| !files.is_empty());
    let can_send = move || has_something() && (private.get() || !closed());
    let send = move || {
        if !can_send() {
            return;
        }
        let text = content.get_untracked().trim_end().to_owned();
        content.set(String::new());
        let files = picked.try_update(std::mem::take).unwrap_or_default();
        error.set(None);
        file_problem.set(None);
        state.send(text, private.get_untracked(), files, error);
    };
    // Files from the picker, pasted into the box or dropped on it: checked and added the same way.
    let add_files = move |list: Option<web_sys::FileList>| {
        let chosen: Vec<web_sys::File> = list
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default();
        if chosen.is_empty() {
            return false;
        }
        let mut problem = None;
        picked.update(|files| {
            for file in chosen {
                if file.size() > MAX_FILE_BYTES as f64 {
                    problem = Some(FileProblem::TooLarge(file.name()));
                } else if files.len() == MAX_REPLY_FILES {
                    problem = Some(FileProblem::TooMany);
                    break;
                } else {
                    files.push(file);
                }
            }
        });
        file_problem.set(problem);
        true
    };
    let on_pick = move |_| {
        let Some(input) = file_input.get_untracked() else {
            return;
        };
        add_files(input.files());
        // Picking the same file again after removing it must fire `change` again.
        input.set_value("");
    };
    // A pasted screenshot or file is attached; pasted text goes into the box as usual.
    let on_paste = move |ev: web_sys::ClipboardEvent| {
        if add_files(ev.clipboard_data().and_then(|d| d.files())) {
            ev.prevent_default();
        }
    };
    let dragging = RwSignal::new(false);
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        add_files(ev.data_transfer().and_then(|d| d.files()));
    };
    let id = format!("reply-{}", state.id);
    let private_id = format!("reply-private-{}", state.id);
    let private_for = private_id.clone();
    let files_id = format!("reply-files-{}", state.id);
    let files_for = files_id.clone();
    let fmt = |ends_at: Option<i64>| ends_at.map(time::date_time).unwrap_or_default();
    view! {
        <form
            class="reply"
            class:reply-private=move || private.get()
            class:reply-dragging=move || dragging.get()
            data-testid="reply-form"
            on:submit=move |ev| {
                ev.prevent_default();
                send();
            }
            on:dragover=move |ev: web_sys::DragEvent| {
                // Without this the browser opens a dropped file instead of handing it to us.
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |ev: web_sys::DragEvent| {
                if leaves_for_outside(&ev) {
                    dragging.set(false);
                }
            }
            on:drop=on_drop
        >
            {move || {
                window
                    .get()
                    .map(|w| {
                        let (class, text) = match w {
                            Window::Closed { ends_at: Some(end), human_agent: true } => {
                                ("alert alert-warning", t_args("conv-window-closed-human-agent", &[("time", fmt(Some(end)))]))
                            }
                            Window::Closed { ends_at: Some(end), human_agent: false } => {
                                ("alert alert-warning", t_args("conv-window-closed-24h", &[("time", fmt(Some(end)))]))
                            }
                            Window::Closed { ends_at: None, .. } => {
                                ("alert alert-warning", t("conv-window-closed"))
                            }
                            Window::HumanAgent { ends_at } => {
                                ("reply-hint muted", t_args("conv-window-human-agent", &[("time", fmt(Some(ends_at)))]))
                            }
                            Window::OpenUntil { ends_at } => {
                                ("reply-hint muted", t_args("conv-window-open-until", &[("time", fmt(Some(ends_at)))]))
                            }
                        };
                        let testid = if matches!(w, Window::Closed { .. }) { "reply-window-closed" } else { "reply-window" };
                        view! { <p class=class data-testid=testid>{text}</p> }
                    })
            }}
            {move || {
                error
                    .get()
                    .map(|code| {
                        view! { <p class="alert alert-error" role="alert" data-testid="reply-error">{t_error(&code)}</p> }
                    })
            }}
            <label class="sr-only" for=id.clone()>
                {move || if private.get() { t("conv-reply-private-label") } else { t("conv-reply-label") }}
            </label>
            <textarea
                id=id
                node_ref=textarea
                class="reply-input"
                data-testid="reply-box"
                rows="3"
                placeholder=move || {
                    if private.get() {
                        t("conv-reply-private-placeholder")
                    } else if closed() {
                        t("conv-reply-closed-placeholder")
                    } else {
                        t("conv-reply-placeholder")
                    }
                }
                prop:value=move || content.get()
                on:input=move |ev| content.set(event_target_value(&ev))
                on:paste=on_paste
                on:keydown=move |ev: web_sys::KeyboardEvent| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        send();
                    }
                }
            ></textarea>
            {move || {
                file_problem
                    .get()
                    .map(|problem| {
                        view! { <p class="alert alert-error" role="alert" data-testid="reply-file-error">{move || problem.text()}</p> }
                    })
            }}
            {move || {
                let files = picked.get();
                (!files.is_empty())
                    .then(|| {
                        view! {
                            <ul class="reply-files" data-testid="reply-files" aria-label=tr("conv-files-picked")>
                                {files
                                    .into_iter()
                                    .enumerate()
                                    .map(|(n, file)| view! { <PickedFile file n picked /> })
                                    .collect_view()}
                            </ul>
                        }
                    })
            }}
            <div class="reply-actions">
                <input
                    type="file"
                    multiple=true
                    id=files_id
                    class="sr-only reply-file-input"
                    data-testid="reply-file-input"
                    node_ref=file_input
                    on:change=on_pick
                />
                <label class="btn btn-secondary btn-small reply-attach" for=files_for title=tr("conv-attach-files-hint")>
                    {tr("conv-attach-files")}
                </label>
                <label class="checkbox-label reply-private-toggle" for=private_for>
                    <input
                        type="checkbox"
                        id=private_id
                        data-testid="reply-private"
                        prop:checked=move || private.get()
                        on:change=move |ev| private.set(event_target_checked(&ev))
                    />
                    {tr("conv-private-note-toggle")}
                </label>
                <span class="muted reply-keys">{tr("conv-reply-keys")}</span>
                <button type="submit" class="btn btn-primary" data-testid="reply-send" disabled=move || !can_send()>
                    {move || if private.get() { t("conv-add-note") } else { t("conv-send") }}
                </button>
            </div>
        </form>
    }
}
