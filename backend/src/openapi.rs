//! `/api/openapi.json`, generated from the handlers' annotations, and the offline Swagger UI.

use crate::routes;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Switchboard API", description = "Chatwoot-compatible omnichannel inbox API"),
    paths(
        routes::health::health,
        routes::auth::sign_in,
        routes::auth::sign_out,
        routes::profile::show,
        routes::agents::list,
        routes::agents::create,
        routes::agents::remove,
        routes::inboxes::list,
        routes::inboxes::create,
        routes::inboxes::show,
        routes::inboxes::update,
        routes::inboxes::remove,
        routes::inbox_members::list,
        routes::inbox_members::add,
        routes::inbox_members::replace,
        routes::inbox_members::remove,
        routes::instagram::status,
        routes::instagram::authorization,
        routes::super_admin::show,
        routes::super_admin::update,
        routes::super_admin::jobs,
        routes::super_admin::retry_job,
        routes::messages::create,
        routes::messages::retry,
        routes::files::attachment_file,
        routes::events::stream,
        routes::conversations::list,
        routes::conversations::show,
        routes::conversations::messages,
        routes::conversations::toggle_status,
        routes::conversations::assign,
        routes::conversations::update_last_seen,
        routes::contacts::show,
    ),
    modifiers(&ApiToken)
)]
pub struct ApiDoc;

struct ApiToken;

impl Modify for ApiToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_access_token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(crate::auth::TOKEN_HEADER))),
        );
    }
}
