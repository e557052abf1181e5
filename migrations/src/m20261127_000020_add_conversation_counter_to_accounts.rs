use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The last conversation number handed out in the account (`UPDATE … RETURNING` allocates the next).
        manager
            .alter_table(
                Table::alter()
                    .table("accounts")
                    .add_column(big_integer("last_display_id").default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("accounts")
                    .drop_column("last_display_id")
                    .to_owned(),
            )
            .await
    }
}
