//! Validation rules applied identically by the SPA (as the user types) and the server (authoritative).

use crate::dto::{NewVoiceChannel, TwilioConfig};
use crate::error::FieldErrors;

/// E.164 as the whole string: `^\+[1-9][0-9]{1,14}$` (no spaces, dashes, leading zero or trailing newline).
pub fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    let bytes = digits.as_bytes();
    (2..=15).contains(&bytes.len()) && bytes[0] != b'0' && bytes.iter().all(u8::is_ascii_digit)
}

/// A plausible email: something@something.something, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !s.chars().any(char::is_whitespace)
        && !domain.contains('@')
        && domain.split('.').count() >= 2
        && domain.split('.').all(|p| !p.is_empty())
}

pub const MIN_PASSWORD_LEN: usize = 8;
pub const MAX_NAME_LEN: usize = 255;

/// A required, trimmed, bounded name.
pub fn check_name(errors: &mut FieldErrors, field: &str, value: &str) {
    let v = value.trim();
    if v.is_empty() {
        errors.add(field, "can't be blank");
    } else if v.chars().count() > MAX_NAME_LEN {
        errors.add(
            field,
            format!("is too long (maximum is {MAX_NAME_LEN} characters)"),
        );
    }
}

/// `prefix` followed by exactly 32 hex digits (Twilio SIDs: `AC…` accounts, `SK…` API keys).
pub fn is_twilio_sid(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == 32 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub const VOICE_PROVIDERS: [&str; 1] = ["twilio"];

/// Twilio credentials, each field by its full name (`provider_config.account_sid`, …).
pub fn twilio_config(errors: &mut FieldErrors, config: Option<&TwilioConfig>) {
    let empty = TwilioConfig::default();
    let c = config.unwrap_or(&empty);
    let field = |f: &str| format!("provider_config.{f}");
    match c.account_sid.as_deref() {
        None | Some("") => errors.add(&field("account_sid"), "can't be blank"),
        Some(sid) if !is_twilio_sid(sid, "AC") => errors.add(
            &field("account_sid"),
            "must be AC followed by 32 hexadecimal characters",
        ),
        _ => {}
    }
    if c.auth_token.as_deref().is_none_or(|t| t.trim().is_empty()) {
        errors.add(&field("auth_token"), "can't be blank");
    }
    match c.api_key_sid.as_deref() {
        None | Some("") => errors.add(&field("api_key_sid"), "can't be blank"),
        Some(sid) if !is_twilio_sid(sid, "SK") => errors.add(
            &field("api_key_sid"),
            "must be SK followed by 32 hexadecimal characters",
        ),
        _ => {}
    }
    if c.api_key_secret
        .as_deref()
        .is_none_or(|t| t.trim().is_empty())
    {
        errors.add(&field("api_key_secret"), "can't be blank");
    }
}

/// Every rule of a new voice channel that needs no server: the wizard shows these as the user types.
pub fn voice_channel(channel: &NewVoiceChannel) -> FieldErrors {
    let mut errors = FieldErrors::new();
    match channel.phone_number.as_deref() {
        None | Some("") => errors.add("phone_number", "can't be blank"),
        Some(n) if !is_e164(n) => {
            errors.add("phone_number", "must be in E.164 format, e.g. +15551234567")
        }
        _ => {}
    }
    match channel.provider.as_deref() {
        Some(p) if VOICE_PROVIDERS.contains(&p) => {}
        None | Some("") => errors.add("provider", "can't be blank"),
        Some(_) => errors.add("provider", "is not supported (use twilio)"),
    }
    twilio_config(&mut errors, channel.provider_config.as_ref());
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> NewVoiceChannel {
        NewVoiceChannel {
            phone_number: Some("+15551234567".into()),
            provider: Some("twilio".into()),
            provider_config: Some(TwilioConfig {
                account_sid: Some(format!("AC{}", "a1".repeat(16))),
                auth_token: Some("tok".into()),
                api_key_sid: Some(format!("SK{}", "F0".repeat(16))),
                api_key_secret: Some("sec".into()),
            }),
        }
    }

    #[test]
    fn a_complete_voice_channel_is_valid() {
        assert!(voice_channel(&full()).is_empty());
    }

    #[test]
    fn every_missing_voice_field_is_reported_by_name() {
        let errors = voice_channel(&NewVoiceChannel::default());
        assert_eq!(
            errors.0.keys().collect::<Vec<_>>(),
            [
                "phone_number",
                "provider",
                "provider_config.account_sid",
                "provider_config.api_key_secret",
                "provider_config.api_key_sid",
                "provider_config.auth_token"
            ]
        );
    }

    #[test]
    fn malformed_sids_and_unknown_providers_are_rejected() {
        let mut c = full();
        c.provider = Some("plivo".into());
        let cfg = c.provider_config.as_mut().unwrap();
        cfg.account_sid = Some("AC123".into());
        cfg.api_key_sid = Some(format!("AC{}", "a".repeat(32)));
        cfg.auth_token = Some("   ".into());
        let errors = voice_channel(&c);
        assert_eq!(
            errors.0.keys().collect::<Vec<_>>(),
            [
                "provider",
                "provider_config.account_sid",
                "provider_config.api_key_sid",
                "provider_config.auth_token"
            ]
        );
        assert!(is_twilio_sid(&format!("AC{}", "aB".repeat(16)), "AC"));
        assert!(!is_twilio_sid(&format!("AC{}", "g".repeat(32)), "AC"));
        assert!(!is_twilio_sid(&format!("AC{}", "a".repeat(33)), "AC"));
    }

    #[test]
    fn e164_accepts_whole_numbers_only() {
        for ok in ["+15551234567", "+12", "+123456789012345", "+447911123456"] {
            assert!(is_e164(ok), "{ok}");
        }
        for bad in [
            "15551234567",
            "+05551234567",
            "+1 555 123 4567",
            "+1-555-123-4567",
            "+1234567890123456",
            "+15551234567\n",
            "+1",
            "+",
            "",
            "+1555a",
            "++15551234567",
        ] {
            assert!(!is_e164(bad), "{bad:?}");
        }
    }

    #[test]
    fn email_shape() {
        assert!(is_email("a@b.co"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a b@c.d"));
        assert!(!is_email("@c.d"));
        assert!(!is_email("a@@c.d"));
    }

    #[test]
    fn names_are_required_and_bounded() {
        let mut e = FieldErrors::new();
        check_name(&mut e, "name", "  ");
        check_name(&mut e, "other", &"x".repeat(256));
        check_name(&mut e, "fine", "Support");
        assert_eq!(e.0.keys().collect::<Vec<_>>(), ["name", "other"]);
    }
}
