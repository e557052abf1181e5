//! Channel kinds with behaviour beyond a row: provider clients and provisioning.

pub mod instagram;
pub mod twilio;
pub mod voice;
pub mod voice_calls;
