use crate::components::language_select::LanguageSelect;
use crate::components::layout::guard_session;
use crate::i18n::tr;
use leptos::prelude::*;

/// `/app/super_admin/app_config`: placeholder card.
#[component]
pub fn SuperAdmin() -> impl IntoView {
    guard_session();
    view! {
        <main id="main" class="centered">
            <section class="card narrow">
                <a class="back-link" href="/app/">
                    {tr("not-found-home")}
                </a>
                <h1 data-testid="page-title">{tr("super-admin-title")}</h1>
                <p class="muted">{tr("super-admin-description")}</p>
                <p class="state" data-testid="super-admin-placeholder">
                    {tr("super-admin-placeholder")}
                </p>
                <LanguageSelect id="language-select-admin" />
            </section>
        </main>
    }
}
