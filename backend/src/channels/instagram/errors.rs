//! Instagram/Graph API failures, parsed from both error shapes Meta uses, and what each means for a person.

use serde_json::Value;

#[derive(Debug, Clone, thiserror::Error)]
pub enum IgError {
    /// Meta answered with an error: OAuth's `{"error_type","code","error_message"}` or Graph's
    /// `{"error":{"message","type","code","error_subcode","fbtrace_id"}}`.
    #[error("{message}")]
    Api {
        status: u16,
        error_type: String,
        code: i64,
        subcode: Option<i64>,
        message: String,
    },
    #[error("Instagram did not answer in time")]
    Timeout,
    /// No connection to Instagram could be made: the request never left.
    #[error("Instagram could not be reached: {0}")]
    Transport(String),
    /// The connection broke after the request was sent, before Instagram answered: it may have been acted on.
    #[error("the connection to Instagram broke before it answered: {0}")]
    Interrupted(String),
    #[error("Instagram sent an answer we could not read: {0}")]
    InvalidResponse(String),
}

impl IgError {
    /// Parses an error body of either shape; anything else keeps the HTTP status as its code.
    pub fn from_body(status: u16, body: &str) -> IgError {
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        if let Some(e) = v.get("error").filter(|e| e.is_object()) {
            return IgError::Api {
                status,
                error_type: e["type"].as_str().unwrap_or("OAuthException").to_owned(),
                code: e["code"].as_i64().unwrap_or(status.into()),
                subcode: e["error_subcode"].as_i64(),
                message: e["message"].as_str().unwrap_or("Unknown error").to_owned(),
            };
        }
        if v.get("error_message").is_some() || v.get("error_type").is_some() {
            return IgError::Api {
                status,
                error_type: v["error_type"]
                    .as_str()
                    .unwrap_or("OAuthException")
                    .to_owned(),
                code: v["code"].as_i64().unwrap_or(status.into()),
                subcode: None,
                message: v["error_message"]
                    .as_str()
                    .unwrap_or("Unknown error")
                    .to_owned(),
            };
        }
        let snippet: String = body.chars().take(200).collect();
        IgError::Api {
            status,
            error_type: "http_error".to_owned(),
            code: status.into(),
            subcode: None,
            message: format!("HTTP {status}: {snippet}"),
        }
    }

    /// A 200 answer can still carry `error` (Graph does this); such a body is an error too.
    pub fn from_ok_body(v: &Value) -> Option<IgError> {
        v.get("error")
            .filter(|e| e.is_object())
            .map(|_| IgError::from_body(200, &v.to_string()))
    }

    pub fn code(&self) -> i64 {
        match self {
            IgError::Api { code, .. } => *code,
            IgError::Timeout => 504,
            IgError::Transport(_) | IgError::Interrupted(_) => 502,
            IgError::InvalidResponse(_) => 502,
        }
    }

    pub fn error_type(&self) -> &str {
        match self {
            IgError::Api { error_type, .. } => error_type,
            IgError::Timeout => "timeout",
            IgError::Transport(_) | IgError::Interrupted(_) => "network_error",
            IgError::InvalidResponse(_) => "invalid_response",
        }
    }

    /// 190 (or a 401/OAuth token error): the token no longer works; the inbox needs reconnecting.
    pub fn is_invalid_token(&self) -> bool {
        matches!(self, IgError::Api { code: 190, .. })
    }

    /// The explanation a person sees, with Meta's own message appended.
    pub fn explain(&self) -> String {
        let hint = match self {
            IgError::Api { code, subcode, message, .. } => explain_code(*code, *subcode, message),
            IgError::Timeout => Some("Instagram did not answer in time. Try again in a moment."),
            IgError::Transport(_) => Some("Instagram could not be reached. Check the server's network and try again."),
            IgError::Interrupted(_) => Some("The connection to Instagram broke before it answered. Try again in a moment."),
            IgError::InvalidResponse(_) => Some("Instagram sent an unexpected answer. Try again; if it persists, check INSTAGRAM_GRAPH_URL."),
        };
        match hint {
            Some(h) => format!("{h} ({self})"),
            None => self.to_string(),
        }
    }
}

fn explain_code(code: i64, subcode: Option<i64>, message: &str) -> Option<&'static str> {
    let m = message.to_ascii_lowercase();
    if m.contains("redirect_uri") || m.contains("redirect uri") {
        return Some("The redirect URL does not match the one registered at Meta: check that FRONTEND_URL + /instagram/callback is listed in the app's Business Login settings.");
    }
    if m.contains("authorization code")
        || m.contains("code has been used")
        || m.contains("code has expired")
    {
        return Some("The authorization code is invalid, expired or was already used. Start the connection again.");
    }
    if m.contains("developer role") || m.contains("insufficient developer") {
        return Some("This Instagram account has no role on the Meta app. While the app is in development, add the account as an Instagram tester in Meta's dashboard.");
    }
    if m.contains("api access deactivated") || m.contains("privacy policy") {
        return Some("Meta deactivated API access for this app. Make sure the app has a valid privacy policy URL in Meta's dashboard.");
    }
    match (code, subcode) {
        (190, Some(460)) => Some("The Instagram password was changed, so the connection was signed out. Reconnect the account."),
        (190, Some(463)) => Some("The Instagram access has expired. Reconnect the account."),
        (190, Some(467)) | (190, Some(458)) => Some("The user removed the app's access on Instagram. Reconnect the account."),
        (190, _) => Some("The Instagram access token is invalid or expired. Reconnect the account."),
        (4 | 17 | 32 | 613, _) => Some("Instagram is rate-limiting requests. Wait a few minutes and try again."),
        (10, _) | (200..=299, _) => Some("The app lacks a permission this needs: grant instagram_business_basic and instagram_business_manage_messages when connecting."),
        (100, _) => Some("Instagram rejected a parameter of the request."),
        (400, _) => Some("Instagram refused the authorization."),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_error_shapes_parse() {
        let oauth = IgError::from_body(
            400,
            r#"{"error_type":"OAuthException","code":400,"error_message":"Invalid redirect_uri"}"#,
        );
        assert_eq!((oauth.error_type(), oauth.code()), ("OAuthException", 400));
        assert!(oauth.explain().contains("FRONTEND_URL"));
        let graph = IgError::from_body(
            400,
            r#"{"error":{"message":"Error validating access token","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"x"}}"#,
        );
        assert!(graph.is_invalid_token());
        assert!(graph.explain().contains("expired"));
        let html = IgError::from_body(502, "<html>bad gateway</html>");
        assert_eq!((html.error_type(), html.code()), ("http_error", 502));
        for code in [4, 17, 32, 613] {
            let e = IgError::Api {
                status: 400,
                error_type: "OAuthException".into(),
                code,
                subcode: None,
                message: "limit".into(),
            };
            assert!(e.explain().contains("rate-limiting"), "{code}");
        }
        let perm = IgError::Api {
            status: 403,
            error_type: "OAuthException".into(),
            code: 230,
            subcode: None,
            message: "x".into(),
        };
        assert!(perm.explain().contains("permission"));
        assert!(
            IgError::from_ok_body(&serde_json::json!({"error": {"code": 1, "message": "m"}}))
                .is_some()
        );
        assert!(IgError::from_ok_body(&serde_json::json!({"id": "1"})).is_none());
    }
}
