//! One error type for the HTTP layer and its one mapping to the contract's JSON error body.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use shared::error::FieldErrors;
use shared::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    Validation {
        message: String,
        errors: FieldErrors,
    },
    #[error("{1}")]
    UnprocessableCode(&'static str, String),
    #[error("{1}")]
    BadRequestCode(&'static str, String),
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("authentication required")]
    Unauthorized,
    #[error("{1}")]
    UnauthorizedCode(&'static str, String),
    #[error("invalid email or password")]
    InvalidCredentials,
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error("requests authenticated by cookie must carry an X-Requested-With header")]
    MissingRequestedWith,
    #[error("not found")]
    NotFound,
    #[error("too many attempts; try again in a few minutes")]
    RateLimited,
    #[error("the database is not answering")]
    Unavailable(#[source] anyhow::Error),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// 422 with every field error at once.
    pub fn validation(errors: FieldErrors) -> Self {
        let message = errors
            .0
            .iter()
            .flat_map(|(field, msgs)| msgs.iter().map(move |m| format!("{} {m}", humanize(field))))
            .collect::<Vec<_>>()
            .join(", ");
        ApiError::Validation { message, errors }
    }

    pub fn field(field: &str, message: &str) -> Self {
        let mut e = FieldErrors::new();
        e.add(field, message);
        Self::validation(e)
    }

    /// The same code and message, answered as 400.
    pub fn into_bad_request(self) -> Self {
        match self {
            ApiError::UnprocessableCode(code, message) => ApiError::BadRequestCode(code, message),
            other => other,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Validation { .. } => "validation_failed",
            ApiError::UnprocessableCode(code, _) | ApiError::BadRequestCode(code, _) => code,
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::Unauthorized => "unauthorized",
            ApiError::UnauthorizedCode(code, _) => code,
            ApiError::InvalidCredentials => "invalid_credentials",
            ApiError::Forbidden => "forbidden",
            ApiError::MissingRequestedWith => "missing_requested_with",
            ApiError::NotFound => "not_found",
            ApiError::RateLimited => "rate_limited",
            ApiError::Unavailable(_) => "service_unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (attributes, details) = match self {
            ApiError::Validation { errors, .. } => {
                (errors.0.keys().cloned().collect(), errors.0.clone())
            }
            _ => Default::default(),
        };
        ErrorBody {
            error: self.code().to_owned(),
            message: self.to_string(),
            attributes,
            details,
        }
    }
}

fn humanize(field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field).replace('_', " ");
    let mut chars = last.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl ApiError {
    /// The error of a statement that answered several requests at once, once for each of them.
    pub fn each(e: &sea_orm::DbErr) -> Self {
        Self::of_database(crate::db::is_unavailable(e), anyhow::anyhow!(e.to_string()))
    }

    /// 503 when the database is away (worth retrying), else 500.
    fn of_database(unavailable: bool, cause: anyhow::Error) -> Self {
        if unavailable {
            ApiError::Unavailable(cause)
        } else {
            ApiError::Internal(cause)
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::of_database(crate::db::is_unavailable(&e), e.into())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation { .. } | ApiError::UnprocessableCode(..) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::MalformedJson(_) | ApiError::BadRequestCode(..) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unauthorized
            | ApiError::InvalidCredentials
            | ApiError::UnauthorizedCode(..) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::MissingRequestedWith => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        // 5xx bodies stay opaque; the cause chain goes to the log only.
        if let ApiError::Internal(cause) | ApiError::Unavailable(cause) = self {
            tracing::error!(error = ?cause, "request failed");
        }
        HttpResponse::build(self.status_code()).json(self.body())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_list_every_field() {
        let mut e = FieldErrors::new();
        e.add("name", "can't be blank");
        e.add("channel.webhook_url", "is not a valid URL");
        let body = ApiError::validation(e).body();
        assert_eq!(body.error, "validation_failed");
        assert_eq!(body.attributes, ["channel.webhook_url", "name"]);
        assert_eq!(
            body.message,
            "Webhook url is not a valid URL, Name can't be blank"
        );
        assert_eq!(body.details["name"], ["can't be blank"]);
    }

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let e = ApiError::Internal(anyhow::anyhow!("password=hunter2"));
        assert_eq!(e.status_code(), 500);
        assert!(!serde_json::to_string(&e.body())
            .unwrap()
            .contains("hunter2"));
    }
}
