//! Validation rules applied identically by the SPA (as the user types) and the server (authoritative).

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

#[cfg(test)]
mod tests {
    use super::*;

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
