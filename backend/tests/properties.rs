//! Property tests of the parsing and cryptography that face the outside world: webhook bodies never panic the
//! ingest path, and signatures, signed OAuth states and sealed tokens accept exactly what we produced.

use backend::channels::instagram::delivery::{self, jobs_for, Delivery};
use backend::channels::instagram::state::{OAuthState, StateError, STATE_TTL_SECS};
use backend::crypto::{hmac_sha256_hex, Keys};
use backend::jobs::queue::NewJob;
use backend::webhooks::instagram::signature_valid;
use proptest::prelude::*;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};

fn keys(base: &str) -> Keys {
    Keys::derive(&SecretString::from(base.to_owned()))
}

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{0,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Bodies shaped like Meta's (`entry[].messaging[]`) with arbitrary values where the ids and message go.
fn webhook_like() -> impl Strategy<Value = Value> {
    let id = prop_oneof![
        any_json(),
        "[0-9]{1,17}".prop_map(Value::String),
        any::<u64>().prop_map(|n| json!(n)),
        Just(json!("")),
    ];
    let item = (id.clone(), id, any_json(), any::<Option<bool>>()).prop_map(
        |(sender, recipient, message, echo)| {
            let mut message = message;
            if let (Some(echo), Value::Object(m)) = (echo, &mut message) {
                m.insert("is_echo".into(), json!(echo));
            }
            json!({"sender": {"id": sender}, "recipient": {"id": recipient}, "message": message})
        },
    );
    let entry = prop_oneof![
        prop::collection::vec(item, 0..4).prop_map(|m| json!({"id": "1", "messaging": m})),
        any_json(),
    ];
    prop_oneof![
        prop::collection::vec(entry, 0..4).prop_map(|e| json!({"object": "instagram", "entry": e})),
        any_json().prop_map(|e| json!({"object": "instagram", "entry": e})),
    ]
}

fn messaging_items(body: &Value) -> usize {
    body["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["messaging"].as_array().map_or(0, Vec::len))
        .sum()
}

/// Jobs as (kind, ordering key, payload as JSON), to compare two readings.
fn jobs_as_values(jobs: &[NewJob]) -> Vec<(&'static str, Option<String>, Value)> {
    jobs.iter()
        .map(|j| {
            (
                j.kind,
                j.ordering_key.clone(),
                serde_json::from_str(&j.payload).unwrap(),
            )
        })
        .collect()
}

/// Ingest's reading of a body without a `Value` (`delivery::read`) says what a `Value` says, or
/// leaves the body to them; `must_read` when it may not leave it (JSON with no key given twice).
fn read_agrees_with_value(body: &[u8], must_read: bool) -> Result<(), TestCaseError> {
    let value = serde_json::from_slice::<Value>(body);
    let Some(read) = delivery::read(body) else {
        prop_assert!(
            !must_read,
            "left to Value: {}",
            String::from_utf8_lossy(body)
        );
        return Ok(());
    };
    let value = value.map_err(|e| TestCaseError::fail(format!("read what Value rejects: {e}")))?;
    let slow = Delivery::from_value(&value);
    prop_assert_eq!(read.instagram, slow.instagram);
    let (read, slow) = (jobs_as_values(&read.jobs), jobs_as_values(&slow.jobs));
    prop_assert_eq!(read.len(), slow.len());
    for (r, s) in read.iter().zip(&slow) {
        prop_assert!(
            r.0 == s.0 && r.1 == s.1 && same_json(&r.2, &s.2),
            "{:?} vs {:?}",
            r,
            s
        );
    }
    Ok(())
}

/// Equal JSON, where floats may differ in the last place: `jobs_for` re-encodes a message after parsing it,
/// and serde_json's default float parsing is not exact, so its payload can hold a float one place off the text
/// received (which `read` keeps as is).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            x == y || (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// `s` with the character at `at` replaced by `by` (None when that would change nothing).
fn replace_char(s: &str, at: prop::sample::Index, by: char) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let i = at.index(chars.len());
    (chars[i] != by).then(|| {
        let mut out = chars;
        out[i] = by;
        out.into_iter().collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn jobs_for_never_panics_on_arbitrary_json(body in any_json()) {
        let jobs = jobs_for(&body);
        prop_assert!(jobs.len() <= messaging_items(&body));
    }

    #[test]
    fn jobs_for_yields_at_most_one_attributed_job_per_messaging_item(body in webhook_like()) {
        let jobs = jobs_for(&body);
        prop_assert!(jobs.len() <= messaging_items(&body));
        for job in jobs {
            let payload: Value = serde_json::from_str(&job.payload).unwrap();
            let business = payload["business_id"].as_str().unwrap_or_default();
            let contact = payload["contact_id"].as_str().unwrap_or_default();
            prop_assert!(!business.is_empty() && !contact.is_empty(), "{}", job.payload);
            prop_assert_eq!(job.ordering_key, Some(format!("ig:{business}:{contact}")));
        }
    }

    #[test]
    fn deliveries_read_without_a_value_as_with_one(body in webhook_like(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&body).unwrap() } else { body.to_string() };
        read_agrees_with_value(text.as_bytes(), true)?;
    }

    #[test]
    fn any_json_reads_without_a_value_as_with_one(body in any_json()) {
        read_agrees_with_value(body.to_string().as_bytes(), true)?;
    }

    #[test]
    fn damaged_deliveries_are_read_as_value_reads_them_or_left_to_it(
        body in webhook_like(),
        at in any::<prop::sample::Index>(),
        by in prop_oneof![Just(b'"'), Just(b'\\'), Just(b'{'), Just(b']'), Just(b','), Just(0xff), Just(0x01), any::<u8>()],
    ) {
        let mut bytes = body.to_string().into_bytes();
        let i = at.index(bytes.len());
        bytes[i] = by;
        read_agrees_with_value(&bytes, false)?;
    }

    #[test]
    fn a_valid_webhook_signature_verifies(secret in "[ -~]{1,40}", body in prop::collection::vec(any::<u8>(), 0..256)) {
        let header = format!("sha256={}", hmac_sha256_hex(secret.as_bytes(), &body));
        prop_assert!(signature_valid(&SecretString::from(secret), Some(&header), &body));
    }

    #[test]
    fn any_single_byte_change_of_the_body_fails_the_signature(
        secret in "[ -~]{1,40}",
        body in prop::collection::vec(any::<u8>(), 1..256),
        at in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let header = format!("sha256={}", hmac_sha256_hex(secret.as_bytes(), &body));
        let mut tampered = body.clone();
        tampered[at.index(body.len())] ^= flip;
        prop_assert!(!signature_valid(&SecretString::from(secret), Some(&header), &tampered));
    }

    #[test]
    fn any_single_byte_change_of_the_signature_fails(
        secret in "[ -~]{1,40}",
        body in prop::collection::vec(any::<u8>(), 0..256),
        at in any::<prop::sample::Index>(),
        flip in 1u8..=255,
        hex_at in any::<prop::sample::Index>(),
        hex_by in "[0-9a-f]",
    ) {
        let secret = SecretString::from(secret);
        let mut tag = hex::decode(hmac_sha256_hex(secret.expose_secret().as_bytes(), &body)).unwrap();
        let i = at.index(tag.len());
        tag[i] ^= flip;
        let header = format!("sha256={}", hex::encode(&tag));
        prop_assert!(!signature_valid(&secret, Some(&header), &body));
        // The same at the level of the header's text: any other hex digit anywhere.
        let good = hmac_sha256_hex(secret.expose_secret().as_bytes(), &body);
        if let Some(changed) = replace_char(&good, hex_at, hex_by.chars().next().unwrap()) {
            let header = format!("sha256={changed}");
            prop_assert!(!signature_valid(&secret, Some(&header), &body));
        }
    }

    #[test]
    fn oauth_states_round_trip_until_they_expire(
        account_id in any::<i64>(),
        user_id in any::<i64>(),
        now in 0i64..4_000_000_000,
        elapsed in 0..=STATE_TTL_SECS,
    ) {
        let k = keys(&"k".repeat(64));
        let state = OAuthState::new(account_id, user_id, now);
        let raw = state.encode(&k);
        prop_assert_eq!(OAuthState::decode(&k, &raw, now + elapsed), Ok(state.clone()));
        prop_assert_eq!(
            OAuthState::decode(&k, &raw, now + STATE_TTL_SECS + 1 + elapsed),
            Err(StateError::Expired(state))
        );
    }

    #[test]
    fn any_tampered_oauth_state_is_rejected(
        account_id in any::<i64>(),
        user_id in any::<i64>(),
        at in any::<prop::sample::Index>(),
        by in any::<char>(),
    ) {
        let k = keys(&"k".repeat(64));
        let raw = OAuthState::new(account_id, user_id, 1_000).encode(&k);
        if let Some(tampered) = replace_char(&raw, at, by) {
            prop_assert_eq!(OAuthState::decode(&k, &tampered, 1_000), Err(StateError::Invalid), "{}", tampered);
        }
        prop_assert_eq!(OAuthState::decode(&keys(&"x".repeat(64)), &raw, 1_000), Err(StateError::Invalid));
    }

    #[test]
    fn sealed_tokens_round_trip(plain in any::<String>(), base in "[0-9a-f]{64,128}") {
        let k = keys(&base);
        let sealed = k.seal(&plain);
        prop_assert!(plain.len() < 8 || !sealed.contains(&plain));
        let opened = k.open(&sealed).unwrap();
        prop_assert_eq!(opened.expose_secret(), plain.as_str());
        let other = keys(&format!("{base}0"));
        prop_assert!(other.open(&sealed).is_err());
    }

    #[test]
    fn any_tampered_sealed_token_fails_to_open(
        plain in ".{0,64}",
        at in any::<prop::sample::Index>(),
        by in any::<char>(),
    ) {
        let k = keys(&"s".repeat(64));
        let sealed = k.seal(&plain);
        if let Some(tampered) = replace_char(&sealed, at, by) {
            prop_assert!(k.open(&tampered).is_err(), "{}", tampered);
        }
    }
}
