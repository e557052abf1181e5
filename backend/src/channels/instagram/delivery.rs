//! What a webhook delivery body yields: whether it is Instagram's, and one job per messaging item.
//!
//! Ingest reads every delivery while Meta waits for the answer, so `read` does it without building a
//! `serde_json::Value` tree: a checking pass that allocates nothing, then the few fields jobs need, borrowed,
//! with each item's text put into its job as received. A `Value` tree (a map node and a string per key,
//! then a deep copy of each item, its serialisation and three drops) was the largest part of the server's own
//! work per delivery. `Delivery::from_value` is the same reading over a `Value`, for bodies `read` leaves to
//! it; `parse` picks.

use crate::jobs::queue::NewJob;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::inbound::JOB_KIND;

/// The ids of Meta's dashboard test event.
pub const TEST_SENDER: &str = "12334";
pub const TEST_RECIPIENT: &str = "23245";

/// The ordering key of a contact's events: `ig:<business id>:<contact IGSID>`.
pub fn ordering_key(business_id: &str, contact_id: &str) -> String {
    format!("ig:{business_id}:{contact_id}")
}

/// A delivery as ingest needs it.
#[derive(Debug)]
pub struct Delivery {
    /// `object` is `"instagram"` (any case).
    pub instagram: bool,
    pub jobs: Vec<NewJob>,
}

/// A delivery body: by `read`, or where it leaves the body, as a `Value` (whose error a body that is not JSON
/// gets).
pub fn parse(body: &[u8]) -> Result<Delivery, serde_json::Error> {
    match read(body) {
        Some(delivery) => Ok(delivery),
        None => Ok(Delivery::from_value(&serde_json::from_slice(body)?)),
    }
}

impl Delivery {
    /// The delivery a parsed body holds.
    pub fn from_value(body: &Value) -> Delivery {
        Delivery {
            instagram: body["object"]
                .as_str()
                .is_some_and(|o| o.eq_ignore_ascii_case("instagram")),
            jobs: jobs_for(body),
        }
    }
}

/// Reads a delivery body as `serde_json::from_slice::<Value>` followed by `Delivery::from_value` would, giving
/// the same verdict and jobs whose payloads are the same JSON. `None` means "parse it as a `Value`": for a body
/// that is not JSON (so the caller reports `Value`'s error) and for a key given twice in an object the jobs
/// read, which `Value` settles by keeping the last and typed fields reject.
pub fn read(body: &[u8]) -> Option<Delivery> {
    // Everything a `Value` would reject, without allocating: surrogate escapes, out-of-range numbers, bad UTF-8.
    let mut check = serde_json::Deserializer::from_slice(body);
    Checked::deserialize(&mut check).ok()?;
    check.end().ok()?;
    let text = std::str::from_utf8(body).ok()?;
    // A struct also reads from an array, by position: only an object has an `object`.
    if !text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .starts_with('{')
    {
        return Some(Delivery {
            instagram: false,
            jobs: Vec::new(),
        });
    }
    let top: Top = serde_json::from_str(text).ok()?;
    let instagram = top
        .object
        .and_then(|o| serde_json::from_str::<String>(o.get()).ok())
        .is_some_and(|o| o.eq_ignore_ascii_case("instagram"));
    let mut jobs = Vec::new();
    for entry in array(top.entry) {
        let Some(entry) = object::<Entry>(Some(entry))? else {
            continue;
        };
        for raw in array(entry.messaging) {
            let Some(item) = object::<Item>(Some(raw))? else {
                continue;
            };
            let is_echo = object::<Flags>(item.message)?
                .and_then(|m| m.is_echo)
                .and_then(|e| serde_json::from_str::<bool>(e.get()).ok())
                .unwrap_or(false);
            let (business, contact) = if is_echo {
                (item.sender, item.recipient)
            } else {
                (item.recipient, item.sender)
            };
            let (Some(business), Some(contact)) = (party_id(business)?, party_id(contact)?) else {
                continue;
            };
            jobs.push(job(&business, &contact, raw));
        }
        for change in array(entry.changes) {
            let Some(change) = object::<Change>(Some(change))? else {
                continue;
            };
            let field = change
                .field
                .and_then(|f| serde_json::from_str::<String>(f.get()).ok());
            if field.as_deref() != Some("messages") {
                continue;
            }
            let Some(value) = change.value else { continue };
            let Some(parties) = object::<Item>(Some(value))? else {
                continue;
            };
            if party_id(parties.sender)?.as_deref() == Some(TEST_SENDER)
                && party_id(parties.recipient)?.as_deref() == Some(TEST_RECIPIENT)
            {
                jobs.push(test_job(value));
            }
        }
    }
    Some(Delivery { instagram, jobs })
}

/// One job per messaging item of a webhook body (`entry[].messaging[]`). Items we cannot attribute to a
/// business and a contact are skipped (they are still kept in `webhook_events`).
pub fn jobs_for(body: &Value) -> Vec<NewJob> {
    let mut jobs = Vec::new();
    for entry in body["entry"].as_array().into_iter().flatten() {
        for item in entry["messaging"].as_array().into_iter().flatten() {
            let is_echo = item["message"]["is_echo"].as_bool().unwrap_or(false);
            // An echo is our business writing: the contact is then the recipient.
            let (business, contact) = if is_echo {
                (&item["sender"]["id"], &item["recipient"]["id"])
            } else {
                (&item["recipient"]["id"], &item["sender"]["id"])
            };
            let (Some(business), Some(contact)) = (id_str(business), id_str(contact)) else {
                continue;
            };
            jobs.push(job(&business, &contact, item));
        }
        // The "Test" button in Meta's dashboard sends a sample under `changes` with fixed ids.
        for change in entry["changes"].as_array().into_iter().flatten() {
            let value = &change["value"];
            if change["field"].as_str() == Some("messages")
                && id_str(&value["sender"]["id"]).as_deref() == Some(TEST_SENDER)
                && id_str(&value["recipient"]["id"]).as_deref() == Some(TEST_RECIPIENT)
            {
                jobs.push(test_job(value));
            }
        }
    }
    jobs
}

/// An id as Meta sends it (a string, sometimes a number); empty or anything else is no id.
fn id_str(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The job's payload: `{"business_id", "contact_id", "messaging"[, "test": true]}`, keys in the order a
/// `serde_json::Map` keeps them.
#[derive(Serialize)]
struct Payload<'a, M: Serialize + ?Sized> {
    business_id: &'a str,
    contact_id: &'a str,
    messaging: &'a M,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    test: bool,
}

fn job<M: Serialize + ?Sized>(business: &str, contact: &str, messaging: &M) -> NewJob {
    NewJob {
        kind: JOB_KIND,
        ordering_key: Some(ordering_key(business, contact)),
        payload: payload_text(business, contact, messaging, false),
    }
}

fn test_job<M: Serialize + ?Sized>(value: &M) -> NewJob {
    NewJob {
        kind: JOB_KIND,
        ordering_key: Some(ordering_key("test", TEST_SENDER)),
        payload: payload_text(TEST_RECIPIENT, TEST_SENDER, value, true),
    }
}

fn payload_text<M: Serialize + ?Sized>(
    business_id: &str,
    contact_id: &str,
    messaging: &M,
    test: bool,
) -> String {
    // Room for a typical item from the start: grown from empty, the text was copied seven times on the way.
    let mut text = Vec::with_capacity(512);
    serde_json::to_writer(
        &mut text,
        &Payload {
            business_id,
            contact_id,
            messaging,
            test,
        },
    )
    .expect("strings and JSON serialise");
    String::from_utf8(text).expect("serde_json writes UTF-8")
}

// ------------------------------------------------------------------------------------------ borrowed reading

#[derive(serde::Deserialize)]
struct Top<'a> {
    #[serde(borrow)]
    object: Option<&'a RawValue>,
    #[serde(borrow)]
    entry: Option<&'a RawValue>,
}

#[derive(serde::Deserialize)]
struct Entry<'a> {
    #[serde(borrow)]
    messaging: Option<&'a RawValue>,
    #[serde(borrow)]
    changes: Option<&'a RawValue>,
}

#[derive(serde::Deserialize)]
struct Item<'a> {
    #[serde(borrow)]
    sender: Option<&'a RawValue>,
    #[serde(borrow)]
    recipient: Option<&'a RawValue>,
    #[serde(borrow)]
    message: Option<&'a RawValue>,
}

#[derive(serde::Deserialize)]
struct Party<'a> {
    #[serde(borrow)]
    id: Option<&'a RawValue>,
}

#[derive(serde::Deserialize)]
struct Flags<'a> {
    #[serde(borrow)]
    is_echo: Option<&'a RawValue>,
}

#[derive(serde::Deserialize)]
struct Change<'a> {
    #[serde(borrow)]
    field: Option<&'a RawValue>,
    #[serde(borrow)]
    value: Option<&'a RawValue>,
}

/// The fields of `raw` when it is an object: `Some(None)` when it is not (indexing a `Value` gives null
/// there), `None` when the object cannot be read as fields (a key given twice).
fn object<'a, T: serde::Deserialize<'a>>(raw: Option<&'a RawValue>) -> Option<Option<T>> {
    match raw {
        Some(raw) if raw.get().starts_with('{') => serde_json::from_str(raw.get()).ok().map(Some),
        _ => Some(None),
    }
}

/// The elements of `raw` when it is an array, else none.
fn array(raw: Option<&RawValue>) -> Vec<&RawValue> {
    raw.filter(|r| r.get().starts_with('['))
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default()
}

/// `id_str` of a party's `id`, reading the party as `object` does.
fn party_id(party: Option<&RawValue>) -> Option<Option<String>> {
    let id = object::<Party>(party)?.and_then(|p| p.id);
    Some(
        id.and_then(|id| match serde_json::from_str::<Value>(id.get()) {
            Ok(v @ (Value::String(_) | Value::Number(_))) => id_str(&v),
            _ => None,
        }),
    )
}

/// Parses any JSON as strictly as `Value` does (every string unescaped and checked, every number in range)
/// and keeps nothing. `IgnoredAny` would be faster still but lets through what `Value` rejects, such as a
/// lone surrogate escape or, in a key it skips, bytes that are not UTF-8.
struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Checked;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_none<E: de::Error>(self) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Checked, D::Error> {
        Checked::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        while map.next_entry::<Checked, Checked>()?.is_some() {}
        Ok(Checked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The verdict on `object`, and the jobs' ordering keys and payloads as JSON.
    type Answer = (bool, Vec<(Option<String>, Value)>);

    fn as_values(jobs: &[NewJob]) -> Vec<(Option<String>, Value)> {
        jobs.iter()
            .map(|j| {
                (
                    j.ordering_key.clone(),
                    serde_json::from_str(&j.payload).unwrap(),
                )
            })
            .collect()
    }

    /// `read`'s answer and what a `Value` says, for one body.
    fn both(body: &str) -> (Option<Answer>, Option<Answer>) {
        let answer = |d: Delivery| (d.instagram, as_values(&d.jobs));
        let fast = read(body.as_bytes()).map(answer);
        let slow = serde_json::from_str::<Value>(body)
            .ok()
            .map(|v| answer(Delivery::from_value(&v)));
        (fast, slow)
    }

    #[test]
    fn a_delivery_reads_as_its_value_does() {
        let body = r#" {"object": "Instagram", "entry": [{"id": "B1", "time": 1, "messaging": [
            {"sender": {"id": "C1"}, "recipient": {"id": "B1"}, "timestamp": 1, "message": {"mid": "m1", "text": "h\u00e9 \ud83d\ude00"}},
            {"sender": {"id": 17841400000000001}, "recipient": {"id": "C2"}, "message": {"mid": "m2", "is_echo": true}},
            {"sender": {}, "recipient": {"id": "B1"}, "read": {"mid": "m2"}},
            [1, 2], "x"
        ], "changes": [{"field": "messages", "value": {"sender": {"id": "12334"}, "recipient": {"id": "23245"}}}]},
        [{"messaging": []}], 3] } "#;
        let (answer, from_value) = both(body);
        assert_eq!(answer, from_value);
        let fast = read(body.as_bytes()).expect("read");
        assert!(fast.instagram);
        assert_eq!(fast.jobs.len(), 3);
        assert_eq!(fast.jobs[0].ordering_key.as_deref(), Some("ig:B1:C1"));
        assert_eq!(
            fast.jobs[1].ordering_key.as_deref(),
            Some("ig:17841400000000001:C2")
        );
        assert_eq!(fast.jobs[2].ordering_key.as_deref(), Some("ig:test:12334"));
        // The item's own text, as received: nothing re-encoded.
        assert!(fast.jobs[0]
            .payload
            .contains(r#""text": "h\u00e9 \ud83d\ude00""#));
    }

    #[test]
    fn what_a_value_rejects_is_left_to_it() {
        for body in [
            r#"{"object": "instagram", "x": "\ud800"}"#,
            r#"{"object": "instagram", "x": 1e400}"#,
            r#"{"object": "instagram"} x"#,
            r#"{"object": "instagram""#,
            "",
        ] {
            assert_eq!(both(body), (None, None), "{body}");
        }
        let bad_utf8 = b"{\"object\": \"instagram\", \"x\": \"a\xffb\"}";
        assert!(read(bad_utf8).is_none());
        assert!(serde_json::from_slice::<Value>(bad_utf8).is_err());
    }

    #[test]
    fn a_key_given_twice_is_left_to_value_which_keeps_the_last() {
        assert!(read(br#"{"object": "x", "object": "instagram"}"#).is_none());
        assert!(read(br#"{"object": "instagram", "entry": [{"messaging": [{"sender": {"id": "1", "id": "2"}}]}]}"#).is_none());
        // Twice in a part no job reads: read as usual.
        assert!(read(br#"{"object": "instagram", "x": {"a": 1, "a": 2}}"#).is_some());
    }

    #[test]
    fn arrays_and_scalars_are_not_objects() {
        for body in [
            r#"["instagram", [{"messaging": []}]]"#,
            "1",
            r#""instagram""#,
            "null",
        ] {
            let (fast, slow) = both(body);
            assert_eq!(fast, Some((false, vec![])), "{body}");
            assert_eq!(slow, fast, "{body}");
        }
        let d = read(br#"{"object": "instagram", "entry": {"messaging": [1]}}"#).unwrap();
        assert!(d.instagram && d.jobs.is_empty());
    }

    #[test]
    fn each_messaging_item_becomes_a_job_keyed_by_business_and_contact() {
        let body = json!({"object": "instagram", "entry": [{"id": "B1", "time": 1, "messaging": [
            {"sender": {"id": "C1"}, "recipient": {"id": "B1"}, "timestamp": 1, "message": {"mid": "m1", "text": "hi"}},
            {"sender": {"id": "B1"}, "recipient": {"id": "C2"}, "timestamp": 2, "message": {"mid": "m2", "text": "yo", "is_echo": true}},
            {"sender": {}, "recipient": {"id": "B1"}, "timestamp": 3, "read": {"mid": "m2"}}
        ]}]});
        let jobs = jobs_for(&body);
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].ordering_key.as_deref(), Some("ig:B1:C1"));
        assert_eq!(jobs[1].ordering_key.as_deref(), Some("ig:B1:C2"));
        assert!(jobs_for(&json!({"entry": "nope"})).is_empty());
        assert!(jobs_for(&json!([1, 2])).is_empty());
    }
}
