//! Display helpers for phone numbers (the rules themselves live in `shared::validate`).

/// A readable grouping of an E.164 number: NANP numbers (`+1` and ten digits) as `+1 555 123 4567`; anything
/// else is returned unchanged.
pub fn readable(e164: &str) -> String {
    match e164.strip_prefix("+1") {
        Some(rest) if rest.len() == 10 && rest.bytes().all(|b| b.is_ascii_digit()) => {
            format!("+1 {} {} {}", &rest[..3], &rest[3..6], &rest[6..])
        }
        _ => e164.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn nanp_numbers_are_grouped() {
        assert_eq!(readable("+15551234567"), "+1 555 123 4567");
    }

    #[test]
    fn other_numbers_stay_as_they_are() {
        for n in [
            "+447911123456",
            "+1555123456",
            "+155512345678",
            "+1555123456a",
            "",
            "+12",
        ] {
            assert_eq!(readable(n), n);
        }
    }
}
