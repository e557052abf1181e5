//! HTTP-level tests of the API, each on its own fresh database.

mod agents;
mod auth;
mod cli;
mod conversations;
mod helpers;
mod inbox_members;
mod inboxes;
mod instagram;
mod replies;
mod server;
mod super_admin;
mod voice;
mod voice_calls;
mod webhooks;
