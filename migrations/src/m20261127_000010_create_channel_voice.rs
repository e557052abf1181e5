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
                    .table("channel_voice")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string("phone_number"))
                    .col(string("provider").default("twilio"))
                    // Sealed JSON: Twilio credentials and the provisioned TwiML app SID.
                    .col(text("provider_config"))
                    .col(text("additional_attributes").default("{}"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .foreign_key(&mut fk("channel_voice", "account_id", "accounts"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("channel_voice_phone_number_key")
                    .table("channel_voice")
                    .col("phone_number")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("channel_voice_account_id_idx")
                    .table("channel_voice")
                    .col("account_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("channel_voice").to_owned())
            .await
    }
}
