//! The signed-in shell of an account: sidebar + main column, and the account's inbox list shared by both.

use crate::api;
use crate::components::channel_icon::ChannelIcon;
use crate::components::language_select::LanguageSelect;
use crate::i18n::tr;
use crate::pages::not_found::NotFound;
use crate::session::{self, Session};
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_navigate, use_params_map};
use leptos_router::NavigateOptions;
use shared::dto::Inbox;
use shared::ErrorBody;

/// The state of anything loaded from the API.
#[derive(Debug, Clone)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(ErrorBody),
}

/// The current account and its inboxes (context of every page under `/app/accounts/:account_id`).
#[derive(Clone, Copy)]
pub struct AccountInboxes {
    pub account_id: Memo<Option<i64>>,
    pub inboxes: RwSignal<Load<Vec<Inbox>>>,
}

impl AccountInboxes {
    pub fn reload(self) {
        let Some(account_id) = self.account_id.get_untracked() else {
            return;
        };
        self.inboxes.set(Load::Loading);
        let this = self;
        leptos::task::spawn_local(async move {
            let result = api::list_inboxes(account_id).await;
            if this.account_id.get_untracked() != Some(account_id) {
                return;
            }
            this.inboxes.set(match result {
                Ok(list) => Load::Ready(list),
                Err(e) => Load::Failed(e),
            });
        });
    }
}

pub fn use_account() -> AccountInboxes {
    expect_context::<AccountInboxes>()
}

/// Sends the user to the login page as soon as the session is known to be gone (sign-out or any 401).
pub fn guard_session() {
    let navigate = use_navigate();
    Effect::new(move |_| {
        if session::session().get() == Session::SignedOut {
            navigate(
                "/app/login",
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
}

#[component]
pub fn AccountLayout() -> impl IntoView {
    guard_session();
    let params = use_params_map();
    let account_id = Memo::new(move |_| {
        params
            .read()
            .get("account_id")
            .and_then(|s| s.parse::<i64>().ok())
    });
    let ctx = AccountInboxes {
        account_id,
        inboxes: RwSignal::new(Load::Loading),
    };
    provide_context(ctx);
    Effect::new(move |_| {
        if account_id.get().is_some() {
            ctx.reload();
        }
    });
    view! {
        <Show when=move || account_id.get().is_some() fallback=|| view! { <NotFound /> }>
            <div class="shell">
                <Sidebar />
                <main id="main" class="main">
                    <Outlet />
                </main>
            </div>
        </Show>
    }
}

#[component]
fn Sidebar() -> impl IntoView {
    let ctx = use_account();
    let location = use_location();
    let navigate = use_navigate();
    let base = move || format!("/app/accounts/{}", ctx.account_id.get().unwrap_or_default());
    let me = move || match session::session().get() {
        Session::SignedIn(me) => Some(me),
        _ => None,
    };
    let account_name = move || {
        let id = ctx.account_id.get()?;
        me().and_then(|m| m.account_name(id))
            .or_else(|| Some(format!("#{id}")))
    };
    let path = move || location.pathname.get();
    let is_current = move |href: String, exact: bool| {
        let p = path();
        if exact {
            p == href
        } else {
            p == href || p.starts_with(&format!("{href}/"))
        }
    };
    let current_attr = move |href: String, exact: bool| is_current(href, exact).then_some("page");
    let sign_out = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let _ = api::sign_out().await;
            session::signed_out();
            navigate("/app/login", NavigateOptions::default());
        });
    };
    view! {
        <aside class="sidebar" data-testid="sidebar">
            <div class="sidebar-account">
                <span class="sidebar-brand">{tr("app-name")}</span>
                <span class="sidebar-account-name" data-testid="account-name">
                    {account_name}
                </span>
            </div>
            <nav class="sidebar-nav" aria-label=tr("nav-main")>
                <ul>
                    <li>
                        <a
                            href=move || format!("{}/conversations", base())
                            data-testid="nav-conversations"
                            aria-current=move || current_attr(format!("{}/conversations", base()), false)
                        >
                            {tr("nav-conversations")}
                        </a>
                    </li>
                    <li class="nav-group">
                        <span class="nav-group-title">{tr("nav-settings")}</span>
                        <ul>
                            <li>
                                <a
                                    href=move || format!("{}/settings/inboxes", base())
                                    data-testid="nav-inboxes"
                                    aria-current=move || {
                                        current_attr(format!("{}/settings/inboxes", base()), true)
                                    }
                                >
                                    {tr("nav-inboxes")}
                                </a>
                            </li>
                        </ul>
                    </li>
                    {move || {
                        me()
                            .filter(|m| m.super_admin)
                            .map(|_| {
                                view! {
                                    <li>
                                        <a href=crate::pages::super_admin::INSTAGRAM_CONFIG_HREF data-testid="nav-super-admin">
                                            {tr("nav-super-admin")}
                                        </a>
                                    </li>
                                }
                            })
                    }}
                </ul>
                <h2 class="sidebar-heading">{tr("sidebar-inboxes-heading")}</h2>
                <ul class="sidebar-inboxes">
                    {move || match ctx.inboxes.get() {
                        Load::Ready(list) if list.is_empty() => {
                            view! { <li class="muted">{tr("sidebar-no-inboxes")}</li> }.into_any()
                        }
                        Load::Ready(list) => {
                            list.into_iter()
                                .map(|inbox| {
                                    let href = format!(
                                        "/app/accounts/{}/settings/inboxes/{}",
                                        inbox.account_id,
                                        inbox.id,
                                    );
                                    let href2 = href.clone();
                                    view! {
                                        <li>
                                            <a
                                                href=href
                                                data-testid="sidebar-inbox"
                                                data-inbox-id=inbox.id
                                                aria-current=move || current_attr(href2.clone(), false)
                                            >
                                                <ChannelIcon
                                                    channel_type=inbox.channel_type.clone()
                                                    provider=inbox.provider.clone()
                                                    medium=inbox.medium.clone()
                                                    size=16
                                                />
                                                <span class="truncate">{inbox.name.clone()}</span>
                                            </a>
                                        </li>
                                    }
                                })
                                .collect_view()
                                .into_any()
                        }
                        Load::Loading => {
                            view! {
                                <li class="skeleton-line" aria-hidden="true"></li>
                                <li class="skeleton-line" aria-hidden="true"></li>
                            }
                                .into_any()
                        }
                        Load::Failed(_) => ().into_any(),
                    }}
                </ul>
            </nav>
            <div class="sidebar-footer">
                <LanguageSelect id="language-select-sidebar" />
                {move || {
                    me().map(|m| {
                        view! {
                            <p class="sidebar-user" title=m.email.clone()>
                                <span class="truncate">{m.name.clone()}</span>
                            </p>
                        }
                    })
                }}
                <button type="button" class="btn btn-secondary btn-block" data-testid="sign-out" on:click=sign_out>
                    {tr("nav-sign-out")}
                </button>
            </div>
        </aside>
    }
}
