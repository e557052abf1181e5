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
                    .table("conversations")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(big_integer("inbox_id"))
                    .col(big_integer("contact_id"))
                    .col(big_integer("contact_inbox_id"))
                    // The per-account number clients see as the conversation's `id`.
                    .col(big_integer("display_id"))
                    .col(string("status").default("open"))
                    .col(big_integer_null("assignee_id"))
                    .col(big_integer("last_activity_at"))
                    // When the customer last wrote (Instagram's timestamp): the reply window runs from here.
                    .col(big_integer_null("last_incoming_at"))
                    .col(big_integer_null("agent_last_seen_at"))
                    .col(big_integer_null("assignee_last_seen_at"))
                    .col(text("additional_attributes").default("{}"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .foreign_key(&mut fk("conversations", "account_id", "accounts"))
                    .foreign_key(&mut fk("conversations", "inbox_id", "inboxes"))
                    .foreign_key(&mut fk("conversations", "contact_id", "contacts"))
                    .foreign_key(&mut fk(
                        "conversations",
                        "contact_inbox_id",
                        "contact_inboxes",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("conversations_account_id_display_id_key")
                    .table("conversations")
                    .col("account_id")
                    .col("display_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("conversations_inbox_id_status_idx")
                    .table("conversations")
                    .col("inbox_id")
                    .col("status")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("conversations_contact_inbox_id_idx")
                    .table("conversations")
                    .col("contact_inbox_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("conversations_account_id_last_activity_at_idx")
                    .table("conversations")
                    .col("account_id")
                    .col("last_activity_at")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("conversations").to_owned())
            .await
    }
}
