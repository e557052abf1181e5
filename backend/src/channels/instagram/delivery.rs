//! What a webhook delivery body yields: whether it is Instagram's, and one job per messaging item.
//!
//! Ingest reads every delivery while Meta waits for the answer, so `read` does it without building a
//! `serde_json::Value` tree: one pass that checks everything as `Value` would and keeps only the few fields jobs
//! need, with each item's text put into its job as received. A `Value` tree (a map node and a string per key,
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
/// read, which `Value` settles by keeping the last and this reading does not.
///
/// One pass over the body, as strict as `Value` everywhere (see `Part`), except that each messaging item is
/// read twice: once to take its text, once for its parties.
pub fn read(body: &[u8]) -> Option<Delivery> {
    let text = std::str::from_utf8(body).ok()?;
    let mut de = serde_json::Deserializer::from_str(text);
    let Read(top) = Read::<Top>::deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(Delivery {
        instagram: top.instagram,
        jobs: top.jobs,
    })
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

// ------------------------------------------------------------------------------------------ one-pass reading

/// What a part of the body yields, by the kind of JSON it turns out to be; a kind a part has no use for is still
/// parsed as strictly as `Value` parses it (every string unescaped and checked, every number in range, every
/// element of an array and member of an object) and yields the default, as indexing a `Value` of the wrong kind
/// gives null. `IgnoredAny` would be faster still but lets through what `Value` rejects, such as a lone
/// surrogate escape or a number out of range.
trait Part<'de>: Default {
    fn object<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        while map.next_entry::<Read<()>, Read<()>>()?.is_some() {}
        Ok(Self::default())
    }
    fn array<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<Read<()>>()?.is_some() {}
        Ok(Self::default())
    }
    fn string(_: &str) -> Self {
        Self::default()
    }
    fn boolean(_: bool) -> Self {
        Self::default()
    }
    fn number(_: serde_json::Number) -> Self {
        Self::default()
    }
}

/// Any JSON, checked and kept as nothing.
impl Part<'_> for () {}

/// A part read as `T`.
struct Read<T>(T);

impl<'de, T: Part<'de>> Deserialize<'de> for Read<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PartVisitor(std::marker::PhantomData))
            .map(Read)
    }
}

struct PartVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Part<'de>> Visitor<'de> for PartVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<T, E> {
        Ok(T::boolean(b))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<T, E> {
        Ok(T::number(n.into()))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<T, E> {
        Ok(T::number(n.into()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<T, E> {
        // Always finite here: JSON has no infinity, and one out of range is an error before this.
        Ok(serde_json::Number::from_f64(n).map_or_else(T::default, T::number))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        Ok(T::string(s))
    }
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        Read::<T>::deserialize(d).map(|Read(t)| t)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::array(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::object(map)
    }
}

/// The members of an object `names` lists, each read once: `f` gets a member's place in `names` and reads its
/// value; every other member is checked and skipped. A listed name given twice is an error (`Value` would keep
/// the last; the caller leaves such a body to it).
fn members<'de, A: MapAccess<'de>>(
    mut map: A,
    names: &'static [&'static str],
    mut f: impl FnMut(usize, &mut A) -> Result<(), A::Error>,
) -> Result<(), A::Error> {
    let mut seen = 0u32;
    while let Some(key) = map.next_key_seed(Known(names))? {
        match key {
            Some(i) if seen & (1 << i) != 0 => {
                return Err(de::Error::custom(format_args!(
                    "`{}` given twice",
                    names[i]
                )))
            }
            Some(i) => {
                seen |= 1 << i;
                f(i, &mut map)?;
            }
            None => {
                map.next_value::<Read<()>>()?;
            }
        }
    }
    Ok(())
}

/// The value of the member whose key was just read, as the part `T`.
fn next<'de, T: Part<'de>, A: MapAccess<'de>>(map: &mut A) -> Result<T, A::Error> {
    map.next_value::<Read<T>>().map(|Read(t)| t)
}

/// A key's place among known names, read as the key's text after unescaping (as a `Value`'s key would be).
struct Known(&'static [&'static str]);

impl<'de> de::DeserializeSeed<'de> for Known {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Known {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|name| *name == key))
    }
}

/// The body: whether `object` is Instagram's, and the jobs of its entries.
#[derive(Default)]
struct Top {
    instagram: bool,
    jobs: Vec<NewJob>,
}

impl<'de> Part<'de> for Top {
    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut top = Top::default();
        members(map, &["object", "entry"], |i, map| {
            if i == 0 {
                top.instagram = next::<Instagram, _>(map)?.0;
            } else {
                top.jobs = next::<Entries, _>(map)?.0;
            }
            Ok(())
        })?;
        Ok(top)
    }
}

/// `object` is `"instagram"`, in any case.
#[derive(Default)]
struct Instagram(bool);

impl Part<'_> for Instagram {
    fn string(s: &str) -> Self {
        Instagram(s.eq_ignore_ascii_case("instagram"))
    }
}

/// `entry[]`: the jobs of every entry, in order.
#[derive(Default)]
struct Entries(Vec<NewJob>);

impl<'de> Part<'de> for Entries {
    fn array<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut jobs = Vec::new();
        while let Some(Read(entry)) = seq.next_element::<Read<Entry>>()? {
            jobs.extend(entry.messaging);
            jobs.extend(entry.changes);
        }
        Ok(Entries(jobs))
    }
}

/// One entry's jobs: its messaging items', then its dashboard test's.
#[derive(Default)]
struct Entry {
    messaging: Vec<NewJob>,
    changes: Vec<NewJob>,
}

impl<'de> Part<'de> for Entry {
    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut entry = Entry::default();
        members(map, &["messaging", "changes"], |i, map| {
            if i == 0 {
                entry.messaging = next::<Messaging, _>(map)?.0;
            } else {
                entry.changes = next::<Changes, _>(map)?.0;
            }
            Ok(())
        })?;
        Ok(entry)
    }
}

/// `messaging[]`: a job per item whose business and contact are known, with the item's text as received.
#[derive(Default)]
struct Messaging(Vec<NewJob>);

impl<'de> Part<'de> for Messaging {
    fn array<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut jobs = Vec::new();
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            // Taking the text only skims it (no escape or number is checked): reading it as an item checks it.
            let item = parties(raw).map_err(de::Error::custom)?;
            // An echo is our business writing: the contact is then the recipient.
            let (business, contact) = if item.is_echo {
                (item.sender, item.recipient)
            } else {
                (item.recipient, item.sender)
            };
            if let (Some(business), Some(contact)) = (business, contact) {
                jobs.push(job(&business, &contact, raw));
            }
        }
        Ok(Messaging(jobs))
    }
}

fn parties(raw: &RawValue) -> Result<Item, serde_json::Error> {
    serde_json::from_str::<Read<Item>>(raw.get()).map(|Read(item)| item)
}

/// A messaging item's (or a test sample's) parties' ids, and whether its message is an echo.
#[derive(Default)]
struct Item {
    sender: Option<String>,
    recipient: Option<String>,
    is_echo: bool,
}

impl<'de> Part<'de> for Item {
    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut item = Item::default();
        members(map, &["sender", "recipient", "message"], |i, map| {
            match i {
                0 => item.sender = next::<Party, _>(map)?.0,
                1 => item.recipient = next::<Party, _>(map)?.0,
                _ => item.is_echo = next::<Message, _>(map)?.0,
            }
            Ok(())
        })?;
        Ok(item)
    }
}

/// A party's `id`.
#[derive(Default)]
struct Party(Option<String>);

impl<'de> Part<'de> for Party {
    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut id = None;
        members(map, &["id"], |_, map| {
            id = next::<Id, _>(map)?.0;
            Ok(())
        })?;
        Ok(Party(id))
    }
}

/// An id as `id_str` takes it from a `Value`: a string that is not empty, or a number as `Value` writes it.
#[derive(Default)]
struct Id(Option<String>);

impl Part<'_> for Id {
    fn string(s: &str) -> Self {
        Id((!s.is_empty()).then(|| s.to_owned()))
    }
    fn number(n: serde_json::Number) -> Self {
        Id(Some(n.to_string()))
    }
}

/// Whether a message is an echo (`is_echo` is `true`).
#[derive(Default)]
struct Message(bool);

impl<'de> Part<'de> for Message {
    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut echo = false;
        members(map, &["is_echo"], |_, map| {
            echo = next::<Echo, _>(map)?.0;
            Ok(())
        })?;
        Ok(Message(echo))
    }
}

#[derive(Default)]
struct Echo(bool);

impl Part<'_> for Echo {
    fn boolean(b: bool) -> Self {
        Echo(b)
    }
}

/// `changes[]`: a job for the sample the "Test" button in Meta's dashboard sends, under fixed ids.
#[derive(Default)]
struct Changes(Vec<NewJob>);

impl<'de> Part<'de> for Changes {
    fn array<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut jobs = Vec::new();
        while let Some(Read(change)) = seq.next_element::<Read<Change>>()? {
            let Some(value) = change.value else { continue };
            // Taking the value's text did not check it: reading it does, as a sample or as anything.
            if !change.messages {
                check(value).map_err(de::Error::custom)?;
                continue;
            }
            let sample = parties(value).map_err(de::Error::custom)?;
            if sample.sender.as_deref() == Some(TEST_SENDER)
                && sample.recipient.as_deref() == Some(TEST_RECIPIENT)
            {
                jobs.push(test_job(value));
            }
        }
        Ok(Changes(jobs))
    }
}

/// A change: whether its `field` is `"messages"`, and its `value`'s text.
#[derive(Default)]
struct Change<'de> {
    messages: bool,
    value: Option<&'de RawValue>,
}

impl<'de> Part<'de> for Change<'de> {
    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut change = Change::default();
        members(map, &["field", "value"], |i, map| {
            if i == 0 {
                change.messages = next::<Field, _>(map)?.0;
            } else {
                change.value = Some(map.next_value::<&'de RawValue>()?);
            }
            Ok(())
        })?;
        Ok(change)
    }
}

fn check(raw: &RawValue) -> Result<(), serde_json::Error> {
    serde_json::from_str::<Read<()>>(raw.get()).map(|_| ())
}

/// `field` is `"messages"`.
#[derive(Default)]
struct Field(bool);

impl Part<'_> for Field {
    fn string(s: &str) -> Self {
        Field(s == "messages")
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
            // Inside a messaging item, whose text is taken without checking it, and in the parts read from it.
            r#"{"object": "instagram", "entry": [{"messaging": [{"message": {"text": "\udc00"}}]}]}"#,
            r#"{"object": "instagram", "entry": [{"messaging": [{"sender": {"id": 1e400}}]}]}"#,
            r#"{"object": "instagram", "entry": [{"messaging": [{"x": [-1e999]}]}]}"#,
            r#"{"object": "instagram", "entry": [{"changes": [{"field": "other", "value": {"a": "\ud800"}}]}]}"#,
            r#"{"object": "instagram", "entry": [{"messaging": [{"sender": {"id": "1"}} ]]}"#,
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
