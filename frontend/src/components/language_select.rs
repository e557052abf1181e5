use crate::i18n::{tr, use_i18n, Locale};
use leptos::prelude::*;

/// The language `<select>`: switching it re-renders every string at once and remembers the choice.
#[component]
pub fn LanguageSelect(#[prop(into)] id: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field field-inline language">
            <label for=id.clone()>{tr("language-label")}</label>
            <select
                id=id
                data-testid="language-select"
                prop:value=move || i18n.locale.get().tag()
                on:change=move |ev| {
                    if let Some(locale) = Locale::from_tag(&event_target_value(&ev)) {
                        i18n.set(locale);
                    }
                }
            >
                {Locale::ALL
                    .into_iter()
                    .map(|locale| {
                        view! {
                            <option value=locale.tag() selected=move || i18n.locale.get() == locale>
                                {tr(locale.label_key())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
