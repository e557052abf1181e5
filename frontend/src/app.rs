use crate::components::layout::AccountLayout;
use crate::components::toast::{ToastRegion, Toasts};
use crate::i18n::provide_i18n;
use crate::pages::{
    conversations::{Conversations, NoConversationSelected},
    home::Home,
    inbox_agents::InboxAgents,
    inbox_finish::InboxFinish,
    inbox_settings::InboxSettings,
    inboxes::InboxList,
    login::Login,
    new_api::NewApiInbox,
    new_inbox::NewInbox,
    new_instagram::NewInstagramInbox,
    new_voice::NewVoiceInbox,
    not_found::NotFound,
    super_admin::SuperAdmin,
    thread::Thread,
};
use crate::session;
use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    let i18n = provide_i18n();
    Toasts::provide();
    session::session();
    session::load_profile();
    // Nothing is drawn before the first messages arrive, so no untranslated key ever shows.
    view! {
        <Show when=move || i18n.ready.get() fallback=MessagesLoading>
            <Router>
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/app") view=Home />
                    <Route path=path!("/app/login") view=Login />
                    <Route path=path!("/app/super_admin/app_config") view=SuperAdmin />
                    <ParentRoute path=path!("/app/accounts/:account_id") view=AccountLayout>
                        <ParentRoute path=path!("/conversations") view=Conversations>
                            <Route path=path!("") view=NoConversationSelected />
                            <Route path=path!("/:conversation_id") view=Thread />
                        </ParentRoute>
                        <Route path=path!("/settings/inboxes") view=InboxList />
                        // Matched in order, first match wins: every static `new…` path comes before `:inbox_id`.
                        <Route path=path!("/settings/inboxes/new") view=NewInbox />
                        <Route path=path!("/settings/inboxes/new/voice") view=NewVoiceInbox />
                        <Route path=path!("/settings/inboxes/new/api") view=NewApiInbox />
                        <Route path=path!("/settings/inboxes/new/instagram") view=NewInstagramInbox />
                        <Route path=path!("/settings/inboxes/new/:inbox_id/agents") view=InboxAgents />
                        <Route path=path!("/settings/inboxes/new/:inbox_id/finish") view=InboxFinish />
                        <Route path=path!("/settings/inboxes/:inbox_id") view=InboxSettings />
                    </ParentRoute>
                </Routes>
            </Router>
            <ToastRegion />
        </Show>
    }
}

/// The startup spinner of the home page, without its text (which has not arrived yet).
#[component]
fn MessagesLoading() -> impl IntoView {
    view! {
        <main id="main" class="centered">
            <p class="muted" aria-busy="true" data-testid="app-loading">
                <span class="spinner" aria-hidden="true"></span>
            </p>
        </main>
    }
}
