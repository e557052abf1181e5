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
                    .table("messages")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(big_integer("inbox_id"))
                    .col(big_integer("conversation_id"))
                    // 0 incoming, 1 outgoing, 2 activity, 3 template (Chatwoot's numbers).
                    .col(small_integer("message_type"))
                    .col(text_null("content"))
                    .col(string("content_type").default("text"))
                    .col(text("content_attributes").default("{}"))
                    .col(boolean("private").default(false))
                    .col(string("status").default("sent"))
                    .col(string_null("source_id"))
                    .col(string_null("sender_type"))
                    .col(big_integer_null("sender_id"))
                    // The provider's timestamp (Unix milliseconds), when it sent one.
                    .col(big_integer_null("external_created_at"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .foreign_key(&mut fk("messages", "conversation_id", "conversations"))
                    .foreign_key(&mut fk("messages", "inbox_id", "inboxes"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("messages_inbox_id_source_id_key")
                    .table("messages")
                    .col("inbox_id")
                    .col("source_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("messages_conversation_id_id_idx")
                    .table("messages")
                    .col("conversation_id")
                    .col("id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("messages").to_owned())
            .await
    }
}
