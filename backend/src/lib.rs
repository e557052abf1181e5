//! Switchboard's server: a Chatwoot-compatible omnichannel inbox API.

pub mod accounts;
pub mod auth;
pub mod channels;
pub mod cli;
pub mod config;
pub mod conversations;
pub mod crypto;
pub mod db;
pub mod entities;
pub mod error;
pub mod events;
pub mod files;
pub mod global_config;
pub mod inboxes;
pub mod jobs;
pub mod json;
pub mod openapi;
pub mod rotate;
pub mod routes;
pub mod security_headers;
pub mod spa;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod upkeep;
pub mod webhooks;
