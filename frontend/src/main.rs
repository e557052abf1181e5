//! Switchboard's single-page app (Leptos CSR), served by the backend under `/app/`.

mod api;
mod app;
mod components;
mod i18n;
mod live;
mod pages;
mod phone;
mod session;
mod time;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
