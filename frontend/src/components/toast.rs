//! A polite live region for short confirmations ("Inbox updated.").

use crate::i18n::t;
use leptos::prelude::*;
use std::time::Duration;

#[derive(Clone, Copy)]
pub struct Toasts {
    current: RwSignal<Option<&'static str>>,
}

impl Toasts {
    pub fn provide() -> Toasts {
        let toasts = Toasts {
            current: RwSignal::new(None),
        };
        provide_context(toasts);
        toasts
    }

    /// Shows the translated `key` for a few seconds.
    pub fn show(self, key: &'static str) {
        self.current.set(Some(key));
        let current = self.current;
        set_timeout(
            move || {
                if current.get_untracked() == Some(key) {
                    current.set(None);
                }
            },
            Duration::from_secs(5),
        );
    }
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toast-region" role="status" aria-live="polite" data-testid="toast">
            {move || toasts.current.get().map(|key| view! { <div class="toast">{move || t(key)}</div> })}
        </div>
    }
}
