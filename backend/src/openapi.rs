//! `/api/openapi.json`, generated from the handlers' annotations, and the offline Swagger UI.

use crate::routes;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
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
    modifiers(&ApiToken, &CommonErrors)
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

/// The error answers every operation of a kind can give, added in one place rather than repeated on each
/// handler: a route's own annotation still documents what is particular to it (and wins when both say a code).
struct CommonErrors;

impl CommonErrors {
    fn add(operation: &mut Operation, method: &str) {
        let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
        let params = operation.parameters.as_deref().unwrap_or_default();
        let in_path = params
            .iter()
            .any(|p| matches!(p.parameter_in, ParameterIn::Path));
        let in_query = params
            .iter()
            .any(|p| matches!(p.parameter_in, ParameterIn::Query));
        let with_body = operation.request_body.is_some();
        let mut errors = Vec::new();
        if secured {
            errors.push(("401", "missing or unknown credentials"));
            if method != "get" {
                errors.push((
                    "403",
                    "not allowed, or a cookie-authenticated request without X-Requested-With",
                ));
            }
        }
        if in_path {
            errors.push(("404", "unknown, malformed or other-account id in the path"));
        }
        if with_body {
            errors.push(("400", "the body is not JSON"));
            errors.push(("413", "the body is larger than 1 MiB"));
        }
        if with_body || in_query {
            errors.push(("422", "invalid fields, named in `attributes` and `details`"));
        }
        for (status, description) in errors {
            operation
                .responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| error_response(description).into());
        }
    }
}

fn error_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for (method, operation) in [
                ("get", &mut item.get),
                ("post", &mut item.post),
                ("put", &mut item.put),
                ("patch", &mut item.patch),
                ("delete", &mut item.delete),
            ] {
                if let Some(operation) = operation {
                    Self::add(operation, method);
                }
            }
        }
    }
}
