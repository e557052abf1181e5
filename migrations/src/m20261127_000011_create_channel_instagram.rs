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
                    .table("channel_instagram")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    // The professional account id (`user_id` of /me), the id webhooks carry.
                    .col(string("instagram_id"))
                    .col(string("username"))
                    .col(text("access_token"))
                    .col(big_integer("expires_at"))
                    .col(boolean("reauthorization_required").default(false))
                    .col(big_integer("created_at"))
                    // When the token last changed: Meta refreshes only tokens at least 24 h old.
                    .col(big_integer("updated_at"))
                    .foreign_key(&mut fk("channel_instagram", "account_id", "accounts"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("channel_instagram_instagram_id_key")
                    .table("channel_instagram")
                    .col("instagram_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("channel_instagram").to_owned())
            .await
    }
}
