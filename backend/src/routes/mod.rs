//! Thin HTTP handlers, one module per resource: extract → validate → call the domain → map to a DTO.

pub mod agents;
pub mod auth;
pub mod health;
pub mod inbox_members;
pub mod inboxes;
pub mod instagram;
pub mod profile;
pub mod super_admin;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health::health)
        .service(auth::sign_in)
        .service(auth::sign_out)
        .service(profile::show)
        .service(agents::list)
        .service(agents::create)
        .service(agents::remove)
        .service(inboxes::list)
        .service(inboxes::create)
        .service(inboxes::show)
        .service(inboxes::update)
        .service(inboxes::remove)
        .service(inbox_members::list)
        .service(inbox_members::add)
        .service(inbox_members::replace)
        .service(inbox_members::remove)
        .service(instagram::status)
        .service(instagram::authorization)
        .service(instagram::callback)
        .service(instagram::deauthorize)
        .service(instagram::data_deletion)
        .service(instagram::deletion_status)
        .service(super_admin::show)
        .service(super_admin::update);
}
