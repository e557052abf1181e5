//! Instagram Business Login with the `oauth2` crate: the authorize URL and the code → short-lived token
//! exchange. Instagram's token answer has no `token_type` and may come wrapped in `{"data":[…]}`, hence the
//! custom token-response type.

use super::errors::IgError;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AccessToken, AuthType, AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    StandardRevocableToken, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

pub const SCOPES: &str = "instagram_business_basic,instagram_business_manage_messages";

/// Instagram's answer to the code exchange: `{"access_token","user_id","permissions"}`, flat or in `data[0]`.
#[derive(Debug, Clone, Serialize)]
pub struct ShortLivedToken {
    access_token: AccessToken,
    #[serde(skip)]
    token_type: BasicTokenType,
}

impl<'de> Deserialize<'de> for ShortLivedToken {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let inner = match v
            .get("data")
            .and_then(|d| d.as_array())
            .and_then(|a| a.first())
        {
            Some(first) => first.clone(),
            None => v,
        };
        let token = inner
            .get("access_token")
            .and_then(|t| t.as_str())
            .ok_or_else(|| serde::de::Error::missing_field("access_token"))?;
        Ok(ShortLivedToken {
            access_token: AccessToken::new(token.to_owned()),
            token_type: BasicTokenType::Bearer,
        })
    }
}

impl TokenResponse for ShortLivedToken {
    type TokenType = BasicTokenType;
    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }
    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }
    fn expires_in(&self) -> Option<std::time::Duration> {
        None
    }
    fn refresh_token(&self) -> Option<&RefreshToken> {
        None
    }
    fn scopes(&self) -> Option<&Vec<Scope>> {
        None
    }
}

type IgClient = Client<
    BasicErrorResponse,
    ShortLivedToken,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Where Instagram is and who we are to it.
pub struct OAuthApp<'a> {
    pub oauth_url: &'a str,
    pub api_url: &'a str,
    pub redirect_uri: String,
    pub app_id: &'a str,
    pub app_secret: &'a SecretString,
}

fn client(app: &OAuthApp<'_>) -> Result<IgClient, IgError> {
    let bad = |e: oauth2::url::ParseError| IgError::InvalidResponse(format!("bad OAuth URL: {e}"));
    Ok(Client::new(ClientId::new(app.app_id.to_owned()))
        .set_client_secret(ClientSecret::new(app.app_secret.expose_secret().to_owned()))
        .set_auth_uri(AuthUrl::new(format!("{}/oauth/authorize", app.oauth_url)).map_err(bad)?)
        .set_token_uri(TokenUrl::new(format!("{}/oauth/access_token", app.api_url)).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(app.redirect_uri.clone()).map_err(bad)?)
        // Instagram wants client_id and client_secret in the form body, not in a basic-auth header.
        .set_auth_type(AuthType::RequestBody))
}

/// The page the browser goes to: Instagram's consent screen for our app, carrying our signed `state`.
pub fn authorize_url(app: &OAuthApp<'_>, state: String) -> Result<String, IgError> {
    let (url, _) = client(app)?
        .authorize_url(|| CsrfToken::new(state))
        .add_scope(Scope::new(SCOPES.to_owned()))
        .add_extra_param("enable_fb_login", "0")
        .add_extra_param("force_authentication", "1")
        .url();
    Ok(url.to_string())
}

/// The authorization code → a short-lived token.
pub async fn exchange_code(
    app: &OAuthApp<'_>,
    http: &reqwest::Client,
    code: &str,
) -> Result<SecretString, IgError> {
    let result = client(app)?
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .request_async(http)
        .await;
    match result {
        Ok(token) => Ok(SecretString::from(token.access_token().secret().to_owned())),
        // Instagram's error bodies are not RFC 6749's, so they arrive here as unparsed bodies.
        Err(RequestTokenError::Parse(_, body)) => {
            let text = String::from_utf8_lossy(&body);
            match serde_json::from_str::<Value>(&text) {
                Ok(v) if v.get("access_token").is_none() => Err(IgError::from_body(400, &text)),
                _ => Err(IgError::InvalidResponse(
                    "the token answer had no access_token".to_owned(),
                )),
            }
        }
        Err(RequestTokenError::ServerResponse(e)) => Err(IgError::Api {
            status: 400,
            error_type: e.error().to_string(),
            code: 400,
            subcode: None,
            message: e
                .error_description()
                .cloned()
                .unwrap_or_else(|| e.error().to_string()),
        }),
        Err(RequestTokenError::Request(oauth2::HttpClientError::Reqwest(e))) => {
            Err(if e.is_timeout() {
                IgError::Timeout
            } else {
                IgError::Transport(e.without_url().to_string())
            })
        }
        Err(RequestTokenError::Request(e)) => Err(IgError::Transport(e.to_string())),
        Err(RequestTokenError::Other(m)) => Err(IgError::InvalidResponse(m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_answers_parse_flat_and_wrapped() {
        let flat: ShortLivedToken =
            serde_json::from_str(r#"{"access_token":"IGQ1","user_id":1,"permissions":"a,b"}"#)
                .unwrap();
        let wrapped: ShortLivedToken = serde_json::from_str(
            r#"{"data":[{"access_token":"IGQ2","user_id":"1","permissions":"a"}]}"#,
        )
        .unwrap();
        assert_eq!(flat.access_token().secret(), "IGQ1");
        assert_eq!(wrapped.access_token().secret(), "IGQ2");
        assert!(serde_json::from_str::<ShortLivedToken>(r#"{"user_id":1}"#).is_err());
    }

    #[test]
    fn the_authorize_url_carries_everything_instagram_needs() {
        let secret = SecretString::from("s".to_owned());
        let app = OAuthApp {
            oauth_url: "https://www.instagram.com",
            api_url: "https://api.instagram.com",
            redirect_uri: "https://inbox.example.com/instagram/callback".into(),
            app_id: "1234",
            app_secret: &secret,
        };
        let url = oauth2::url::Url::parse(&authorize_url(&app, "st.ate".into()).unwrap()).unwrap();
        assert_eq!(
            url.origin().ascii_serialization(),
            "https://www.instagram.com"
        );
        assert_eq!(url.path(), "/oauth/authorize");
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["client_id"], "1234");
        assert_eq!(
            q["redirect_uri"],
            "https://inbox.example.com/instagram/callback"
        );
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["scope"], SCOPES);
        assert_eq!(q["state"], "st.ate");
        assert_eq!(q["enable_fb_login"], "0");
        assert_eq!(q["force_authentication"], "1");
        assert!(!url.as_str().contains("client_secret") && !url.as_str().contains("=s&"));
    }
}
