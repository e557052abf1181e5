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
                    .table("inbox_members")
                    .col(big_pk_auto("id"))
                    .col(big_integer("inbox_id"))
                    .col(big_integer("user_id"))
                    .col(big_integer("created_at"))
                    .foreign_key(&mut fk("inbox_members", "inbox_id", "inboxes"))
                    .foreign_key(&mut fk("inbox_members", "user_id", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("inbox_members_inbox_id_user_id_key")
                    .table("inbox_members")
                    .col("inbox_id")
                    .col("user_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("inbox_members_user_id_idx")
                    .table("inbox_members")
                    .col("user_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("inbox_members").to_owned())
            .await
    }
}
