pub mod conversations;
pub mod home;
pub mod inbox_settings;
pub mod inboxes;
pub mod login;
pub mod new_inbox;
pub mod not_found;
pub mod super_admin;
