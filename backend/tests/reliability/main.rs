//! Fault tests (issue 8, "Reliability"): the server killed under load, the database going away, two instances
//! sharing one database, and a misbehaving Instagram API. Each runs on a fresh database; `SOAK=1` scales them
//! up for `make soak`.

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod crash;
mod outage;
mod provider_faults;
mod support;
mod two_instances;
