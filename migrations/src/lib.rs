//! Schema migrations: one reversible change per file, named `mYYYYMMDD_HHMMSS_verb_noun`. No seed data.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_create_accounts;
mod m20261127_000002_create_users;
mod m20261127_000003_create_account_users;
mod m20261127_000004_create_sessions;
mod m20261127_000005_create_sign_in_failures;
mod m20261127_000006_create_channel_api;
mod m20261127_000007_create_inboxes;
mod m20261127_000008_create_inbox_members;
mod m20261127_000009_create_installation_configs;
mod m20261127_000010_create_channel_voice;
mod m20261127_000011_create_channel_instagram;
mod m20261127_000012_create_oauth_states;
mod m20261127_000013_create_contacts;
mod m20261127_000014_create_contact_inboxes;
mod m20261127_000015_create_conversations;
mod m20261127_000016_create_messages;
mod m20261127_000017_create_attachments;
mod m20261127_000018_create_webhook_events;
mod m20261127_000019_create_jobs;
mod m20261127_000020_add_conversation_counter_to_accounts;
mod m20261127_000021_add_locale_to_inboxes;
mod m20261127_000022_add_runnable_job_indexes;
mod m20261128_000023_create_account_versions;
mod m20261128_000024_widen_list_indexes;
mod m20261128_000025_add_parts_sent_to_messages;
mod m20261128_000026_trim_queue_indexes;
mod m20261129_000027_add_tabs_version;
mod m20261206_000028_add_unread_count_to_conversations;
mod m20261206_000029_add_row_versions;
mod m20261206_000030_add_last_message_id;
mod m20261207_000031_add_contact_to_conversations;
mod m20261207_000032_add_tab_counts_index;
mod m20261208_000033_create_credentials_version;
mod m20261208_000034_bump_credentials_version_on_inbox_members;
mod m20261209_000035_create_conversation_tallies;
mod m20261209_000036_add_attachments_count_to_messages;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_accounts::Migration),
            Box::new(m20261127_000002_create_users::Migration),
            Box::new(m20261127_000003_create_account_users::Migration),
            Box::new(m20261127_000004_create_sessions::Migration),
            Box::new(m20261127_000005_create_sign_in_failures::Migration),
            Box::new(m20261127_000006_create_channel_api::Migration),
            Box::new(m20261127_000007_create_inboxes::Migration),
            Box::new(m20261127_000008_create_inbox_members::Migration),
            Box::new(m20261127_000009_create_installation_configs::Migration),
            Box::new(m20261127_000010_create_channel_voice::Migration),
            Box::new(m20261127_000011_create_channel_instagram::Migration),
            Box::new(m20261127_000012_create_oauth_states::Migration),
            Box::new(m20261127_000013_create_contacts::Migration),
            Box::new(m20261127_000014_create_contact_inboxes::Migration),
            Box::new(m20261127_000015_create_conversations::Migration),
            Box::new(m20261127_000016_create_messages::Migration),
            Box::new(m20261127_000017_create_attachments::Migration),
            Box::new(m20261127_000018_create_webhook_events::Migration),
            Box::new(m20261127_000019_create_jobs::Migration),
            Box::new(m20261127_000020_add_conversation_counter_to_accounts::Migration),
            Box::new(m20261127_000021_add_locale_to_inboxes::Migration),
            Box::new(m20261127_000022_add_runnable_job_indexes::Migration),
            Box::new(m20261128_000023_create_account_versions::Migration),
            Box::new(m20261128_000024_widen_list_indexes::Migration),
            Box::new(m20261128_000025_add_parts_sent_to_messages::Migration),
            Box::new(m20261128_000026_trim_queue_indexes::Migration),
            Box::new(m20261129_000027_add_tabs_version::Migration),
            Box::new(m20261206_000028_add_unread_count_to_conversations::Migration),
            Box::new(m20261206_000029_add_row_versions::Migration),
            Box::new(m20261206_000030_add_last_message_id::Migration),
            Box::new(m20261207_000031_add_contact_to_conversations::Migration),
            Box::new(m20261207_000032_add_tab_counts_index::Migration),
            Box::new(m20261208_000033_create_credentials_version::Migration),
            Box::new(m20261208_000034_bump_credentials_version_on_inbox_members::Migration),
            Box::new(m20261209_000035_create_conversation_tallies::Migration),
            Box::new(m20261209_000036_add_attachments_count_to_messages::Migration),
        ]
    }
}

/// A cascading foreign key `table.column → parent.id`, named `<table>_<column>_fkey` as PostgreSQL would.
pub(crate) fn fk(
    table: &'static str,
    column: &'static str,
    parent: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("{table}_{column}_fkey"))
        .from(table, column)
        .to(parent, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// Drops trigger `name` on `table` and, on PostgreSQL, the function of the same name it ran (a trigger's own
/// function is named after it).
pub(crate) async fn drop_trigger(
    manager: &SchemaManager<'_>,
    name: &str,
    table: &str,
) -> Result<(), DbErr> {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};
    let sql = match manager.get_database_backend() {
        DatabaseBackend::Postgres => {
            format!("DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}()")
        }
        _ => format!("DROP TRIGGER IF EXISTS {name}"),
    };
    manager.get_connection().execute_unprepared(&sql).await?;
    Ok(())
}
