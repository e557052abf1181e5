//! The JSON body extractor: 413 over the limit, 400 when the body is not JSON at all, 422 naming the field
//! when it is JSON of the wrong shape.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

pub const JSON_LIMIT: usize = 1024 * 1024;

pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let declared = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared.is_some_and(|n| n > JSON_LIMIT) {
                return Err(ApiError::PayloadTooLarge(JSON_LIMIT));
            }
            let mut body = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::MalformedJson(e.to_string()))?;
                if body.len() + chunk.len() > JSON_LIMIT {
                    return Err(ApiError::PayloadTooLarge(JSON_LIMIT));
                }
                body.extend_from_slice(&chunk);
            }
            parse(&body).map(Json)
        })
    }
}

/// Parses in two steps so "not JSON" (400) and "JSON of the wrong shape" (422) stay apart.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    from_value(value)
}

/// A JSON value into `T`, or a 422 naming the offending field.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    if let Some(field) = nul_in(&value, "") {
        return Err(ApiError::field(&field, NUL_MESSAGE));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        // serde reports a missing field on its container; name the field itself.
        let field = match inner
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            Some(missing) if path == "." => missing.to_owned(),
            Some(missing) => format!("{path}.{missing}"),
            None if path == "." => "body".to_owned(),
            None => path,
        };
        let message = if inner.starts_with("missing field") {
            "is required".to_owned()
        } else {
            inner
        };
        ApiError::field(&field, &message)
    })
}

pub const NUL_MESSAGE: &str = "must not contain NUL characters";

/// The path of the first string (or key) holding a NUL character: PostgreSQL cannot store one in text, so it is
/// refused here, with the field's name, rather than failing deep in a query.
fn nul_in(value: &serde_json::Value, path: &str) -> Option<String> {
    let field = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        serde_json::Value::String(s) if s.contains('\0') => {
            Some(if path.is_empty() { "body" } else { path }.to_owned())
        }
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_in(item, &format!("{path}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                Some(field(&key.replace('\0', "\\0")))
            } else {
                nul_in(item, &field(key))
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::dto::CreateInbox;

    #[test]
    fn not_json_is_400_and_wrong_shape_names_the_field() {
        assert!(matches!(
            parse::<CreateInbox>(b"{nope"),
            Err(ApiError::MalformedJson(_))
        ));
        let missing = parse::<CreateInbox>(br#"{"channel":{"type":"api"}}"#)
            .err()
            .unwrap()
            .body();
        assert_eq!(missing.attributes, ["name"]);
        assert_eq!(missing.details["name"], ["is required"]);
        let wrong = parse::<CreateInbox>(br#"{"name":5,"channel":{"type":"api"}}"#)
            .err()
            .unwrap()
            .body();
        assert_eq!(wrong.attributes, ["name"]);
    }

    #[test]
    fn nul_characters_are_refused_naming_the_field() {
        let named =
            parse::<CreateInbox>(b"{\"name\":\"a\\u0000b\",\"channel\":{\"type\":\"api\"}}")
                .err()
                .unwrap()
                .body();
        assert_eq!(named.attributes, ["name"]);
        let nested = parse::<serde_json::Value>(br#"{"user_ids":[1,"\u0000"]}"#)
            .err()
            .unwrap()
            .body();
        assert_eq!(nested.attributes, ["user_ids[1]"]);
    }
}
