//! `…/settings/inboxes/new/:inbox_id/agents`: step 3, choose the inbox's agents.

use crate::api;
use crate::components::form::FormError;
use crate::components::layout::{use_account, Load};
use crate::i18n::{t, t_error, tr};
use crate::pages::new_inbox::{inboxes_href, WizardCard, STEP_AGENTS};
use crate::pages::new_voice::query_escape;
use crate::session::{self, Session};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;
use shared::dto::Agent;
use shared::ErrorBody;
use std::collections::BTreeSet;

/// The `:inbox_id` route parameter.
pub fn use_inbox_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("inbox_id")
            .and_then(|s| s.parse::<i64>().ok())
    })
}

#[component]
pub fn InboxAgents() -> impl IntoView {
    let ctx = use_account();
    let inbox_id = use_inbox_id();
    let query = use_query_map();
    let navigate = use_navigate();
    let agents = RwSignal::new(Load::<Vec<Agent>>::Loading);
    let selected = RwSignal::new(BTreeSet::<i64>::new());
    let busy = RwSignal::new(false);
    let form_error = RwSignal::new(None::<ErrorBody>);

    // `…/finish`, keeping the provisioning warning of the create step.
    let finish_href = move || {
        let mut href = format!(
            "{}/new/{}/finish",
            inboxes_href(ctx.account_id.get()),
            inbox_id.get().unwrap_or_default()
        );
        if let Some(w) = query.read().get("warning") {
            href.push_str(&format!("?warning={}", query_escape(&w)));
        }
        href
    };
    let load = move || {
        let Some(account_id) = ctx.account_id.get_untracked() else {
            return;
        };
        agents.set(Load::Loading);
        leptos::task::spawn_local(async move {
            let result = api::list_agents(account_id).await;
            agents.set(match result {
                Ok(list) => Load::Ready(list),
                Err(e) => Load::Failed(e),
            });
        });
    };
    Effect::new(move |_| {
        ctx.account_id.track();
        load();
    });
    let my_email = move || match session::session().get() {
        Session::SignedIn(me) => Some(me.email),
        _ => None,
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(account_id), Some(id)) =
            (ctx.account_id.get_untracked(), inbox_id.get_untracked())
        else {
            return;
        };
        if busy.get_untracked() || selected.with_untracked(BTreeSet::is_empty) {
            return;
        }
        busy.set(true);
        form_error.set(None);
        let user_ids: Vec<i64> = selected.get_untracked().into_iter().collect();
        let navigate = navigate.clone();
        let next = finish_href();
        leptos::task::spawn_local(async move {
            let result = api::set_inbox_members(account_id, id, user_ids).await;
            busy.set(false);
            match result {
                Ok(_) => navigate(&next, NavigateOptions::default()),
                Err(e) => form_error.set(Some(e)),
            }
        });
    };

    view! {
        <WizardCard title="agents-title" description="agents-description" step=STEP_AGENTS>
            {move || match agents.get() {
                Load::Loading => {
                    view! {
                        <div data-testid="agents-loading" aria-busy="true">
                            <p class="sr-only" role="status">{tr("loading")}</p>
                            <ul class="list" aria-hidden="true">
                                {(0..3)
                                    .map(|_| view! {
                                        <li class="row skeleton-row">
                                            <span class="skeleton skeleton-icon"></span>
                                            <span class="skeleton skeleton-text"></span>
                                        </li>
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
                        <div class="state state-error" data-testid="agents-error" role="alert">
                            <p>{move || t_error(&code)}</p>
                            <button type="button" class="btn btn-secondary" on:click=move |_| load()>
                                {tr("retry")}
                            </button>
                        </div>
                    }
                        .into_any()
                }
                Load::Ready(list) => {
                    let me = my_email();
                    let others = list.iter().filter(|a| Some(&a.email) != me.as_ref()).count();
                    if others == 0 {
                        view! {
                            <div class="state" data-testid="agents-empty">
                                <p>{tr("agents-empty")}</p>
                                <a class="btn btn-primary" href=finish_href data-testid="agents-continue">
                                    {tr("agents-continue")}
                                </a>
                            </div>
                        }
                            .into_any()
                    } else {
                        let on_submit = on_submit.clone();
                        view! {
                            <form class="form" on:submit=on_submit novalidate>
                                <fieldset class="fieldset">
                                    <legend>{tr("agents-legend")}</legend>
                                    <ul class="list checkbox-list" data-testid="agent-list">
                                        {list
                                            .into_iter()
                                            .map(|agent| {
                                                let id = agent.id;
                                                let input_id = format!("agent-{id}");
                                                view! {
                                                    <li class="row">
                                                        <input
                                                            type="checkbox"
                                                            id=input_id.clone()
                                                            data-testid="agent-option"
                                                            data-agent-id=id
                                                            prop:checked=move || selected.with(|s| s.contains(&id))
                                                            on:change=move |ev| {
                                                                let on = event_target_checked(&ev);
                                                                selected.update(|s| {
                                                                    if on {
                                                                        s.insert(id);
                                                                    } else {
                                                                        s.remove(&id);
                                                                    }
                                                                });
                                                            }
                                                        />
                                                        <label for=input_id class="row-main">
                                                            <span class="row-title">{agent.name.clone()}</span>
                                                            <span class="row-meta">{agent.email.clone()}</span>
                                                        </label>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                </fieldset>
                                <FormError testid="agents-form-error" error=form_error />
                                <div class="form-actions">
                                    <button
                                        type="submit"
                                        class="btn btn-primary"
                                        data-testid="agents-submit"
                                        disabled=move || busy.get() || selected.with(BTreeSet::is_empty)
                                    >
                                        {move || busy.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                                        {move || if busy.get() { t("agents-submitting") } else { t("agents-submit") }}
                                    </button>
                                    <a class="btn btn-secondary" href=finish_href data-testid="agents-skip">
                                        {tr("agents-skip")}
                                    </a>
                                </div>
                            </form>
                        }
                            .into_any()
                    }
                }
            }}
        </WizardCard>
    }
}
