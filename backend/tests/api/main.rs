//! HTTP-level tests of the API, each on its own fresh database.

mod agents;
mod auth;
mod authz;
mod cli;
mod conversations;
mod files_s3;
mod hardening;
mod helpers;
mod inbox_members;
mod inboxes;
mod instagram;
mod replies;
mod rollback;
mod rotate;
mod secrets;
mod server;
mod super_admin;
mod upkeep;
mod voice;
mod voice_calls;
mod webhooks;
