use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub inbox_id: i64,
    pub conversation_id: i64,
    pub message_type: i16,
    pub content: Option<String>,
    pub content_type: String,
    pub content_attributes: String,
    pub private: bool,
    pub status: String,
    pub source_id: Option<String>,
    pub sender_type: Option<String>,
    pub sender_id: Option<i64>,
    pub external_created_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Parts of an outgoing reply (its attachments, then its text) the provider has accepted.
    pub parts_sent: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
