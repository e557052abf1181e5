//! Contacts, conversations and messages: `store` writes them (from webhooks and replies), `views` reads them
//! for the API.

pub mod replies;
pub mod store;
pub mod views;
