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
                    .table("inboxes")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string("name"))
                    .col(string("channel_type"))
                    .col(big_integer("channel_id"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .foreign_key(&mut fk("inboxes", "account_id", "accounts"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("inboxes_channel_type_channel_id_key")
                    .table("inboxes")
                    .col("channel_type")
                    .col("channel_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("inboxes_account_id_idx")
                    .table("inboxes")
                    .col("account_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("inboxes").to_owned())
            .await
    }
}
