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
                    .table("attachments")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(big_integer("message_id"))
                    .col(string("file_type"))
                    .col(text_null("external_url"))
                    // Key of the downloaded copy in the file store, once fetched.
                    .col(text_null("file_key"))
                    .col(string_null("content_type"))
                    .col(big_integer_null("byte_size"))
                    .col(big_integer("created_at"))
                    .foreign_key(&mut fk("attachments", "message_id", "messages"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("attachments_message_id_idx")
                    .table("attachments")
                    .col("message_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("attachments").to_owned())
            .await
    }
}
