//! Form building blocks shared by the wizards: a labelled text field with help text, inline error and an optional
//! reveal toggle for secrets, and the one rule for placing a failed submission's errors.

use crate::i18n::{t, t_args};
use leptos::prelude::*;
use shared::ErrorBody;
use std::collections::BTreeMap;

/// A labelled input. `id` is also its `data-testid`; the error line is `{id}-error`, the help line `{id}-help`.
/// `error` is the translated message to show (the caller decides when: usually once the field was touched).
#[component]
pub fn TextField(
    id: &'static str,
    /// i18n key of the label.
    label: &'static str,
    /// i18n key of the placeholder.
    placeholder: &'static str,
    /// i18n key of the help line under the input.
    #[prop(optional)]
    help: Option<&'static str>,
    /// A password input with a show/hide toggle.
    #[prop(optional)]
    secret: bool,
    #[prop(optional)] required: bool,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    value: RwSignal<String>,
    /// Set on input and blur.
    touched: RwSignal<bool>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let revealed = RwSignal::new(false);
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let described_by = match help {
        Some(_) => format!("{help_id} {error_id}"),
        None => error_id.clone(),
    };
    let kind = move || {
        if secret && !revealed.get() {
            "password"
        } else {
            input_type
        }
    };
    let input = view! {
        <input
            id=id
            name=id
            type=kind
            data-testid=id
            autocomplete=if secret { "new-password" } else { autocomplete }
            spellcheck="false"
            required=required
            placeholder=move || t(placeholder)
            aria-describedby=described_by
            aria-invalid=move || error.with(Option::is_some).to_string()
            prop:value=move || value.get()
            on:input=move |ev| {
                value.set(event_target_value(&ev));
                touched.set(true);
            }
            on:blur=move |_| touched.set(true)
        />
    };
    let control = if secret {
        view! {
            <div class="input-group">
                {input}
                <button
                    type="button"
                    class="btn btn-secondary btn-small"
                    data-testid=format!("{id}-reveal")
                    aria-controls=id
                    aria-pressed=move || revealed.get().to_string()
                    aria-label=move || {
                        let key = if revealed.get() { "form-hide-field" } else { "form-show-field" };
                        t_args(key, &[("field", t(label))])
                    }
                    on:click=move |_| revealed.update(|r| *r = !*r)
                >
                    {move || if revealed.get() { t("form-hide") } else { t("form-show") }}
                </button>
            </div>
        }
        .into_any()
    } else {
        input.into_any()
    };
    view! {
        <div class="field">
            <label for=id>{move || t(label)}</label>
            {control}
            <p id=error_id.clone() class="field-error" data-testid=error_id aria-live="polite">
                {move || error.get()}
            </p>
            {help.map(|key| view! { <p id=help_id class="help">{move || t(key)}</p> })}
        </div>
    }
}

/// The translated form-level message of an API error: Twilio's own words after a translated prefix for
/// `twilio_setup_failed`, the translated code otherwise.
pub fn form_error_text(code: &str, message: &str) -> String {
    if code == "twilio_setup_failed" {
        let detail = message
            .strip_prefix("Twilio setup failed:")
            .unwrap_or(message)
            .trim();
        if detail.is_empty() {
            return t("error-twilio-setup-failed");
        }
        return t_args(
            "error-twilio-setup-failed-with",
            &[("message", detail.to_owned())],
        );
    }
    crate::i18n::t_error(code)
}

/// Places a failed submission's error: the details on fields `known` names go under those fields, and the error
/// also shows on the form unless it is a validation failure whose every detail found its field.
pub fn place_server_errors(
    error: ErrorBody,
    known: &dyn Fn(&str) -> bool,
    server_errors: RwSignal<BTreeMap<String, Vec<String>>>,
    form_error: RwSignal<Option<ErrorBody>>,
) {
    let mut on_fields = error.details.clone();
    on_fields.retain(|k, _| known(k));
    let everything_on_fields = error.error == "validation_failed"
        && !on_fields.is_empty()
        && on_fields.len() == error.details.len();
    server_errors.set(on_fields);
    if !everything_on_fields {
        form_error.set(Some(error));
    }
}

/// A form-level alert (`role=alert`) showing `form_error_text` of the error, if any.
#[component]
pub fn FormError(testid: &'static str, error: RwSignal<Option<ErrorBody>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            view! {
                <p class="alert alert-error" role="alert" data-testid=testid>
                    {move || form_error_text(&e.error, &e.message)}
                </p>
            }
        })
    }
}
