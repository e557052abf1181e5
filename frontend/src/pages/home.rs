use crate::i18n::tr;
use crate::session::{session, Session};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

/// `/app` and `/app/`: the first account's inbox list when signed in, else the login page.
#[component]
pub fn Home() -> impl IntoView {
    let navigate = use_navigate();
    Effect::new(move |_| {
        let target = match session().get() {
            Session::Unknown => return,
            Session::SignedOut => "/app/login".to_owned(),
            Session::SignedIn(me) => me.home(),
        };
        navigate(
            &target,
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    });
    view! {
        <main id="main" class="centered">
            <p class="muted" aria-live="polite" data-testid="app-loading">
                <span class="spinner" aria-hidden="true"></span>
                {tr("loading")}
            </p>
        </main>
    }
}
