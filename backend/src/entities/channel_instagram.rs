use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "channel_instagram")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub instagram_id: String,
    pub username: String,
    /// Sealed long-lived token.
    pub access_token: String,
    pub expires_at: i64,
    pub reauthorization_required: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelInstagram")
            .field("id", &self.id)
            .field("instagram_id", &self.instagram_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}
