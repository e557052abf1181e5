use crate::i18n::tr;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main id="main" class="centered">
            <section class="card narrow" data-testid="not-found">
                <h1 data-testid="page-title">{tr("not-found-title")}</h1>
                <p class="muted">{tr("not-found-text")}</p>
                <a class="btn btn-primary" href="/app/">
                    {tr("not-found-home")}
                </a>
            </section>
        </main>
    }
}
