//! Chatwoot's polymorphic channel types and the one icon mapping every screen uses.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// `inboxes.channel_type`, spelled as Chatwoot spells it (`Channel::Voice`). Unknown strings are kept as they
/// came, so a newer server never breaks an older client.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChannelType {
    WebWidget,
    Api,
    Email,
    FacebookPage,
    Instagram,
    Telegram,
    Line,
    Sms,
    TwilioSms,
    Whatsapp,
    TwitterProfile,
    Tiktok,
    Voice,
    Other(String),
}

impl ChannelType {
    pub const KNOWN: [ChannelType; 13] = [
        ChannelType::WebWidget,
        ChannelType::Api,
        ChannelType::Email,
        ChannelType::FacebookPage,
        ChannelType::Instagram,
        ChannelType::Telegram,
        ChannelType::Line,
        ChannelType::Sms,
        ChannelType::TwilioSms,
        ChannelType::Whatsapp,
        ChannelType::TwitterProfile,
        ChannelType::Tiktok,
        ChannelType::Voice,
    ];

    pub fn as_str(&self) -> &str {
        match self {
            ChannelType::WebWidget => "Channel::WebWidget",
            ChannelType::Api => "Channel::Api",
            ChannelType::Email => "Channel::Email",
            ChannelType::FacebookPage => "Channel::FacebookPage",
            ChannelType::Instagram => "Channel::Instagram",
            ChannelType::Telegram => "Channel::Telegram",
            ChannelType::Line => "Channel::Line",
            ChannelType::Sms => "Channel::Sms",
            ChannelType::TwilioSms => "Channel::TwilioSms",
            ChannelType::Whatsapp => "Channel::Whatsapp",
            ChannelType::TwitterProfile => "Channel::TwitterProfile",
            ChannelType::Tiktok => "Channel::Tiktok",
            ChannelType::Voice => "Channel::Voice",
            ChannelType::Other(s) => s,
        }
    }

    pub fn parse(s: &str) -> ChannelType {
        Self::KNOWN
            .iter()
            .find(|t| t.as_str() == s)
            .cloned()
            .unwrap_or_else(|| ChannelType::Other(s.to_owned()))
    }

    /// The i18n key of the human label (`channel-type-api`, …); `channel-type-other` for unknown types.
    pub fn label_key(&self) -> &'static str {
        match self {
            ChannelType::WebWidget => "channel-type-web-widget",
            ChannelType::Api => "channel-type-api",
            ChannelType::Email => "channel-type-email",
            ChannelType::FacebookPage => "channel-type-facebook",
            ChannelType::Instagram => "channel-type-instagram",
            ChannelType::Telegram => "channel-type-telegram",
            ChannelType::Line => "channel-type-line",
            ChannelType::Sms => "channel-type-sms",
            ChannelType::TwilioSms => "channel-type-twilio-sms",
            ChannelType::Whatsapp => "channel-type-whatsapp",
            ChannelType::TwitterProfile => "channel-type-twitter",
            ChannelType::Tiktok => "channel-type-tiktok",
            ChannelType::Voice => "channel-type-voice",
            ChannelType::Other(_) => "channel-type-other",
        }
    }
}

impl fmt::Display for ChannelType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ChannelType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ChannelType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(ChannelType::parse(&s))
    }
}

/// Every icon name `channel_icon` can return; the SPA has artwork for each.
pub const ICON_NAMES: [&str; 15] = [
    "i-woot-api",
    "i-woot-mail",
    "i-woot-outlook",
    "i-woot-gmail",
    "i-woot-messenger",
    "i-woot-line",
    "i-woot-sms",
    "i-woot-telegram",
    "i-woot-whatsapp",
    "i-ri-twitter-x-fill",
    "i-woot-website",
    "i-woot-instagram",
    "i-woot-tiktok",
    "i-ri-phone-fill",
    "i-ri-global-fill",
];

/// The icon of an inbox, as Chatwoot's `useChannelIcon` picks it: by channel type, refined by the email
/// provider or the Twilio medium.
pub fn channel_icon(
    channel_type: Option<&ChannelType>,
    provider: Option<&str>,
    medium: Option<&str>,
) -> &'static str {
    let Some(channel_type) = channel_type else {
        return "i-ri-global-fill";
    };
    match channel_type {
        ChannelType::Api => "i-woot-api",
        ChannelType::Email => match provider {
            Some("microsoft") => "i-woot-outlook",
            Some("google") => "i-woot-gmail",
            _ => "i-woot-mail",
        },
        ChannelType::FacebookPage => "i-woot-messenger",
        ChannelType::Line => "i-woot-line",
        ChannelType::Sms => "i-woot-sms",
        ChannelType::Telegram => "i-woot-telegram",
        ChannelType::TwilioSms => match medium {
            Some("whatsapp") => "i-woot-whatsapp",
            _ => "i-woot-sms",
        },
        ChannelType::TwitterProfile => "i-ri-twitter-x-fill",
        ChannelType::WebWidget => "i-woot-website",
        ChannelType::Whatsapp => "i-woot-whatsapp",
        ChannelType::Instagram => "i-woot-instagram",
        ChannelType::Tiktok => "i-woot-tiktok",
        ChannelType::Voice => "i-ri-phone-fill",
        ChannelType::Other(_) => "i-ri-global-fill",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn icon(t: &str, provider: Option<&str>, medium: Option<&str>) -> &'static str {
        channel_icon(Some(&ChannelType::parse(t)), provider, medium)
    }

    #[test]
    fn every_row_of_the_icon_mapping() {
        let rows: [(&str, Option<&str>, Option<&str>, &str); 22] = [
            ("Channel::Api", None, None, "i-woot-api"),
            ("Channel::Email", None, None, "i-woot-mail"),
            ("Channel::Email", Some("microsoft"), None, "i-woot-outlook"),
            ("Channel::Email", Some("google"), None, "i-woot-gmail"),
            ("Channel::Email", Some("imap"), None, "i-woot-mail"),
            ("Channel::FacebookPage", None, None, "i-woot-messenger"),
            ("Channel::Line", None, None, "i-woot-line"),
            ("Channel::Sms", None, None, "i-woot-sms"),
            ("Channel::Telegram", None, None, "i-woot-telegram"),
            ("Channel::TwilioSms", None, None, "i-woot-sms"),
            ("Channel::TwilioSms", None, Some("sms"), "i-woot-sms"),
            (
                "Channel::TwilioSms",
                None,
                Some("whatsapp"),
                "i-woot-whatsapp",
            ),
            ("Channel::TwitterProfile", None, None, "i-ri-twitter-x-fill"),
            ("Channel::WebWidget", None, None, "i-woot-website"),
            ("Channel::Whatsapp", None, None, "i-woot-whatsapp"),
            (
                "Channel::Whatsapp",
                Some("whatsapp_cloud"),
                None,
                "i-woot-whatsapp",
            ),
            (
                "Channel::Whatsapp",
                Some("360dialog"),
                None,
                "i-woot-whatsapp",
            ),
            ("Channel::Instagram", None, None, "i-woot-instagram"),
            ("Channel::Tiktok", None, None, "i-woot-tiktok"),
            ("Channel::Voice", Some("twilio"), None, "i-ri-phone-fill"),
            ("Channel::Carrier", None, None, "i-ri-global-fill"),
            ("", None, None, "i-ri-global-fill"),
        ];
        for (t, provider, medium, want) in rows {
            assert_eq!(
                icon(t, provider, medium),
                want,
                "{t} {provider:?} {medium:?}"
            );
        }
        assert_eq!(channel_icon(None, None, None), "i-ri-global-fill");
    }

    #[test]
    fn every_icon_returned_is_a_known_name() {
        for t in ChannelType::KNOWN.iter() {
            for p in [None, Some("microsoft"), Some("google")] {
                for m in [None, Some("whatsapp")] {
                    assert!(ICON_NAMES.contains(&channel_icon(Some(t), p, m)));
                }
            }
        }
    }

    #[test]
    fn channel_types_round_trip_and_unknown_strings_are_preserved() {
        for t in ChannelType::KNOWN.iter() {
            let json = serde_json::to_string(t).unwrap();
            assert_eq!(serde_json::from_str::<ChannelType>(&json).unwrap(), *t);
        }
        let t: ChannelType = serde_json::from_str("\"Channel::Carrier\"").unwrap();
        assert_eq!(t, ChannelType::Other("Channel::Carrier".into()));
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"Channel::Carrier\"");
        assert_eq!(ChannelType::Voice.to_string(), "Channel::Voice");
    }
}
