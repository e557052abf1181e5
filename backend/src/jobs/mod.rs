//! A durable job queue in the database. Claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL so several server
//! instances share the work; on SQLite a single in-process worker is the only claimer. A job with an ordering
//! key is claimable only when no earlier job with that key is pending or running, so one contact's events are
//! applied in order while different contacts run in parallel.

pub mod queue;
pub mod worker;
