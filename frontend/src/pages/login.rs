use crate::api;
use crate::components::language_select::LanguageSelect;
use crate::i18n::{t, t_error, tr};
use crate::session::{self, Me};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

#[derive(Clone, PartialEq)]
enum Notice {
    Error(String),
    NoAccount,
}

#[component]
pub fn Login() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let notice = RwSignal::new(None::<Notice>);
    let navigate = use_navigate();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        notice.set(None);
        let navigate = navigate.clone();
        let (e, p) = (email.get_untracked(), password.get_untracked());
        leptos::task::spawn_local(async move {
            match api::sign_in(e.trim(), &p).await {
                Ok(user) => {
                    let me = Me::from(user);
                    let home = me.home();
                    session::signed_in(me);
                    busy.set(false);
                    if home == "/app/login" {
                        notice.set(Some(Notice::NoAccount));
                    } else {
                        navigate(&home, NavigateOptions::default());
                    }
                }
                Err(err) => {
                    busy.set(false);
                    notice.set(Some(Notice::Error(err.error)));
                }
            }
        });
    };

    view! {
        <main id="main" class="centered login">
            <section class="card narrow">
                <p class="brand">{tr("app-name")}</p>
                <h1 data-testid="page-title">{tr("login-title")}</h1>
                <p class="muted">{tr("login-subtitle")}</p>
                <form class="form" on:submit=on_submit novalidate>
                    <div class="field">
                        <label for="login-email">{tr("login-email")}</label>
                        <input
                            id="login-email"
                            name="email"
                            type="email"
                            autocomplete="username"
                            required
                            data-testid="login-email"
                            placeholder=tr("login-email-placeholder")
                            prop:value=move || email.get()
                            on:input=move |ev| email.set(event_target_value(&ev))
                        />
                    </div>
                    <div class="field">
                        <label for="login-password">{tr("login-password")}</label>
                        <input
                            id="login-password"
                            name="password"
                            type="password"
                            autocomplete="current-password"
                            required
                            data-testid="login-password"
                            placeholder=tr("login-password-placeholder")
                            prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev))
                        />
                    </div>
                    <div class="alert-slot" aria-live="assertive">
                        {move || {
                            notice
                                .get()
                                .map(|n| {
                                    let text = move || match &n {
                                        Notice::Error(code) => t_error(code),
                                        Notice::NoAccount => t("login-no-account"),
                                    };
                                    view! {
                                        <p class="alert alert-error" role="alert" data-testid="login-error">
                                            {text}
                                        </p>
                                    }
                                })
                        }}
                    </div>
                    <button
                        type="submit"
                        class="btn btn-primary btn-block"
                        data-testid="login-submit"
                        disabled=move || busy.get()
                        aria-busy=move || busy.get().to_string()
                    >
                        {move || busy.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                        {move || if busy.get() { t("login-submitting") } else { t("login-submit") }}
                    </button>
                </form>
                <LanguageSelect id="language-select-login" />
            </section>
        </main>
    }
}
