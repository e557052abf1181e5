//! sea-orm entities, one per table; hand-written queries live with the domain code that needs them.

pub mod account;
pub mod account_user;
pub mod attachment;
pub mod channel_api;
pub mod channel_instagram;
pub mod channel_voice;
pub mod contact;
pub mod contact_inbox;
pub mod conversation;
pub mod inbox;
pub mod inbox_member;
pub mod installation_config;
pub mod job;
pub mod message;
pub mod oauth_state;
pub mod session;
pub mod sign_in_failure;
pub mod user;
pub mod webhook_event;
