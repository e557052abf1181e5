use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The language the inbox speaks to customers in (voice greetings).
        manager
            .alter_table(
                Table::alter()
                    .table("inboxes")
                    .add_column(string("locale").default("en"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("inboxes")
                    .drop_column("locale")
                    .to_owned(),
            )
            .await
    }
}
