//! Thin HTTP handlers, one module per resource: extract → validate → call the domain → map to a DTO.

pub mod agents;
pub mod auth;
pub mod contacts;
pub mod conversations;
pub mod events;
pub mod files;
pub mod health;
pub mod inbox_members;
pub mod inboxes;
pub mod instagram;
pub mod messages;
pub mod profile;
pub mod super_admin;
pub mod twilio;
pub mod webhooks;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    // actix tries each route in turn, matching every pattern with a parameter by regex: the ones under load
    // (Meta's deliveries, the dashboard's list and thread) come first.
    cfg.service(webhooks::receive)
        .service(conversations::list)
        .service(conversations::messages)
        .service(health::health)
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
        .service(super_admin::update)
        .service(conversations::show)
        .service(conversations::toggle_status)
        .service(conversations::assign)
        .service(conversations::update_last_seen)
        .service(contacts::show)
        .service(super_admin::jobs)
        .service(super_admin::retry_job)
        .service(messages::create)
        .service(messages::retry)
        .service(files::attachment_file)
        .service(files::public_file)
        .service(events::stream)
        .service(webhooks::verify)
        .service(twilio::call)
        .service(twilio::status)
        .service(twilio::recording);
}
