use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("webhook_events")
                    .col(big_pk_auto("id"))
                    .col(string("provider"))
                    // The raw body as signed by the provider.
                    .col(text("payload"))
                    .col(string("status").default("pending"))
                    .col(text_null("error"))
                    .col(big_integer("received_at"))
                    .col(big_integer_null("processed_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_events_status_idx")
                    .table("webhook_events")
                    .col("status")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("webhook_events").to_owned())
            .await
    }
}
