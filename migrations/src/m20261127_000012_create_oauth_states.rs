use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Nonces of OAuth states already used: a state is accepted once, across every server instance.
        manager
            .create_table(
                Table::create()
                    .table("oauth_states")
                    .col(big_pk_auto("id"))
                    .col(string_uniq("nonce"))
                    .col(big_integer("expires_at"))
                    .col(big_integer("used_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("oauth_states").to_owned())
            .await
    }
}
