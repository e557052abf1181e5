use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("jobs")
                    .col(big_pk_auto("id"))
                    .col(string("kind"))
                    .col(text("payload"))
                    // Jobs with the same key run one at a time, in id order (one contact's events in order).
                    .col(string_null("ordering_key"))
                    .col(string("state").default("pending"))
                    .col(big_integer("run_at"))
                    .col(integer("attempts").default(0))
                    .col(integer("max_attempts").default(8))
                    .col(text_null("last_error"))
                    .col(big_integer_null("locked_until"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("jobs_state_run_at_idx")
                    .table("jobs")
                    .col("state")
                    .col("run_at")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("jobs_ordering_key_state_idx")
                    .table("jobs")
                    .col("ordering_key")
                    .col("state")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("jobs").to_owned())
            .await
    }
}
