//! Property tests of the E.164 rule the SPA and the server share: generated valid numbers pass, each kind of
//! malformed number fails, and on any string the validator agrees with the regex it documents.

use proptest::prelude::*;
use shared::validate::is_e164;

fn reference() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"^\+[1-9][0-9]{1,14}$").unwrap())
}

/// The match must span the whole string (Rust's `$`, unlike PCRE's, never matches before a final newline).
fn reference_accepts(s: &str) -> bool {
    reference()
        .find(s)
        .is_some_and(|m| m.start() == 0 && m.end() == s.len())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn generated_valid_numbers_are_accepted(n in r"\+[1-9][0-9]{1,14}") {
        prop_assert!(is_e164(&n), "{n:?}");
    }

    #[test]
    fn a_non_digit_after_the_plus_is_rejected(
        n in r"\+[1-9][0-9]{1,14}",
        at in any::<prop::sample::Index>(),
        bad in any::<char>().prop_filter("not a digit", |c| !c.is_ascii_digit()),
    ) {
        let digits = &n[1..];
        let i = at.index(digits.len() + 1);
        let s = format!("+{}{bad}{}", &digits[..i], &digits[i..]);
        prop_assert!(!is_e164(&s), "{s:?}");
    }

    #[test]
    fn a_leading_zero_is_rejected(n in r"\+0[0-9]{1,14}") {
        prop_assert!(!is_e164(&n), "{n:?}");
    }

    #[test]
    fn more_than_fifteen_digits_are_rejected(n in r"\+[1-9][0-9]{15,40}") {
        prop_assert!(!is_e164(&n), "{n:?}");
    }

    #[test]
    fn surrounding_whitespace_is_rejected(
        n in r"\+[1-9][0-9]{1,14}",
        ws in r"[ \t\n\r\x0B\x0C\u{85}\u{A0}\u{2003}\u{2028}\u{3000}]{1,3}",
        leading in any::<bool>(),
    ) {
        let s = if leading { format!("{ws}{n}") } else { format!("{n}{ws}") };
        prop_assert!(!is_e164(&s), "{s:?}");
    }

    #[test]
    fn agrees_with_the_reference_regex_on_number_like_strings(s in r"[+0-9 a\n-]{0,20}") {
        prop_assert_eq!(is_e164(&s), reference_accepts(&s), "{:?}", s);
    }

    #[test]
    fn agrees_with_the_reference_regex_on_any_string(s in any::<String>()) {
        prop_assert_eq!(is_e164(&s), reference_accepts(&s), "{:?}", s);
    }
}
