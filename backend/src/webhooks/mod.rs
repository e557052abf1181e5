//! Incoming provider webhooks: verified, stored durably with their processing jobs, then acknowledged.

pub mod instagram;
