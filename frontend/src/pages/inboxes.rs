use crate::components::channel_icon::ChannelIcon;
use crate::components::layout::{use_account, Load};
use crate::i18n::{t, t_args, t_error, tr};
use crate::pages::new_instagram::{connect_label, is_admin_of, ConnectFlow, ConnectFlowError};
use leptos::prelude::*;
use shared::dto::Inbox;
use shared::ChannelType;

/// `/app/accounts/:account_id/settings/inboxes`.
#[component]
pub fn InboxList() -> impl IntoView {
    let ctx = use_account();
    let new_href = move || {
        format!(
            "/app/accounts/{}/settings/inboxes/new",
            ctx.account_id.get().unwrap_or_default()
        )
    };
    view! {
        <section class="card">
            <header class="card-header">
                <div>
                    <h1 data-testid="page-title">{tr("inboxes-title")}</h1>
                    <p class="muted">{tr("inboxes-description")}</p>
                </div>
                <a class="btn btn-primary" href=new_href data-testid="add-inbox">
                    {tr("inboxes-add")}
                </a>
            </header>
            {move || match ctx.inboxes.get() {
                Load::Loading => {
                    view! {
                        <div data-testid="inbox-loading" aria-busy="true">
                            <p class="sr-only" role="status">
                                {tr("inboxes-loading")}
                            </p>
                            <ul class="list" aria-hidden="true">
                                {(0..3)
                                    .map(|_| {
                                        view! {
                                            <li class="row skeleton-row">
                                                <span class="skeleton skeleton-icon"></span>
                                                <span class="skeleton skeleton-text"></span>
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
                        <div class="state state-error" data-testid="inbox-error" role="alert">
                            <p>{move || t_error(&code)}</p>
                            <button
                                type="button"
                                class="btn btn-secondary"
                                data-testid="inbox-retry"
                                on:click=move |_| ctx.reload()
                            >
                                {tr("retry")}
                            </button>
                        </div>
                    }
                        .into_any()
                }
                Load::Ready(list) if list.is_empty() => {
                    view! {
                        <div class="state" data-testid="inbox-empty">
                            <p>{tr("inboxes-empty")}</p>
                            <a class="btn btn-primary" href=new_href data-testid="inbox-empty-add">
                                {tr("inboxes-add")}
                            </a>
                        </div>
                    }
                        .into_any()
                }
                Load::Ready(list) => {
                    view! {
                        <ul class="list" data-testid="inbox-list">
                            {list.into_iter().map(|inbox| view! { <InboxRow inbox /> }).collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn InboxRow(inbox: Inbox) -> impl IntoView {
    let href = format!(
        "/app/accounts/{}/settings/inboxes/{}",
        inbox.account_id, inbox.id
    );
    let label_key = inbox.channel_type.label_key();
    let name = inbox.name.clone();
    let settings_label = move || t_args("inboxes-settings-for", &[("name", name.clone())]);
    let needs_reauth = inbox.reauthorization_required;
    let is_instagram = inbox.channel_type == ChannelType::Instagram;
    let account_id = inbox.account_id;
    let flow = ConnectFlow::new();
    view! {
        <li class="row" data-testid="inbox-row" data-inbox-id=inbox.id>
            <span class="row-icon">
                <ChannelIcon
                    channel_type=inbox.channel_type.clone()
                    provider=inbox.provider.clone()
                    medium=inbox.medium.clone()
                    size=24
                />
            </span>
            <span class="row-main">
                <a class="row-title" href=href.clone() data-testid="inbox-name">
                    {inbox.name.clone()}
                </a>
                <span class="row-meta">
                    <span data-testid="inbox-type">{move || t(label_key)}</span>
                    {move || {
                        if !needs_reauth {
                            return ().into_any();
                        }
                        if is_instagram && is_admin_of(Some(account_id)) {
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-primary btn-small"
                                    data-testid="inbox-reauthorize"
                                    aria-busy=move || flow.busy.get().to_string()
                                    disabled=move || flow.busy.get()
                                    on:click=move |_| flow.start(Some(account_id))
                                >
                                    {connect_label(flow, "ig-reconnect")}
                                </button>
                            }
                                .into_any()
                        } else {
                            view! {
                                <span class="badge badge-warning" data-testid="inbox-reauthorize">
                                    {tr("inboxes-reauthorize")}
                                </span>
                            }
                                .into_any()
                        }
                    }}
                </span>
                <ConnectFlowError testid="inbox-reauthorize-error" flow />
            </span>
            <a
                class="btn btn-secondary btn-small"
                href=href
                data-testid="inbox-settings-link"
                aria-label=settings_label
            >
                {tr("inboxes-settings")}
            </a>
        </li>
    }
}
