use crate::components::layout::use_account;
use crate::i18n::tr;
use leptos::prelude::*;

/// `/app/accounts/:account_id/conversations(/:conversation_id)`: for now the empty state.
#[component]
pub fn Conversations() -> impl IntoView {
    let ctx = use_account();
    let inboxes_href = move || {
        format!(
            "/app/accounts/{}/settings/inboxes",
            ctx.account_id.get().unwrap_or_default()
        )
    };
    view! {
        <section class="card">
            <header class="card-header">
                <div>
                    <h1 data-testid="page-title">{tr("conversations-title")}</h1>
                </div>
            </header>
            <div class="state" data-testid="conversations-empty">
                <p class="state-title">{tr("conversations-empty")}</p>
                <p class="muted">{tr("conversations-empty-hint")}</p>
                <a class="btn btn-secondary" href=inboxes_href>
                    {tr("conversations-go-to-inboxes")}
                </a>
            </div>
        </section>
    }
}
