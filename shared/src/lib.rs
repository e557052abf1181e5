//! The language of Switchboard: channel types, icons, validation rules and the DTOs that cross the wire.
//! Used by the backend and the wasm SPA alike, so it has no server dependencies.

pub mod channel;
pub mod conversation;
pub mod dto;
pub mod error;
pub mod validate;

pub use channel::{channel_icon, ChannelType};
pub use error::ErrorBody;
