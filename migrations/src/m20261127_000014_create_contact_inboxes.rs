use crate::fk;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("contact_inboxes")
                    .col(big_pk_auto("id"))
                    .col(big_integer("contact_id"))
                    .col(big_integer("inbox_id"))
                    // The contact's id on the channel: an Instagram-scoped id, a phone number, …
                    .col(string("source_id"))
                    .col(big_integer("created_at"))
                    .foreign_key(&mut fk("contact_inboxes", "contact_id", "contacts"))
                    .foreign_key(&mut fk("contact_inboxes", "inbox_id", "inboxes"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("contact_inboxes_inbox_id_source_id_key")
                    .table("contact_inboxes")
                    .col("inbox_id")
                    .col("source_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("contact_inboxes_contact_id_idx")
                    .table("contact_inboxes")
                    .col("contact_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("contact_inboxes").to_owned())
            .await
    }
}
