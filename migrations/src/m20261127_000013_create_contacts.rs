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
                    .table("contacts")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string("name"))
                    .col(string_null("email"))
                    .col(string_null("phone_number"))
                    .col(string_null("identifier"))
                    .col(text_null("thumbnail"))
                    .col(text("additional_attributes").default("{}"))
                    .col(text("custom_attributes").default("{}"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .foreign_key(&mut fk("contacts", "account_id", "accounts"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("contacts_account_id_idx")
                    .table("contacts")
                    .col("account_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("contacts").to_owned())
            .await
    }
}
