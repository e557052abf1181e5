use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // How many parts of an outgoing reply (each attachment, then the text) the provider has accepted, so that
        // a send tried again, by itself or by the agent, goes on from the first part not yet delivered.
        manager
            .alter_table(
                Table::alter()
                    .table("messages")
                    .add_column(integer("parts_sent").default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("messages")
                    .drop_column("parts_sent")
                    .to_owned(),
            )
            .await
    }
}
