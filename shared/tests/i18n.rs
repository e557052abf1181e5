//! Every locale of the SPA (`i18n/<locale>/*.ftl`) defines the same message ids, and every channel type label
//! exists. A plain line parser is enough: a message starts at column 0 with `id = …`.

use shared::ChannelType;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const LOCALES: [&str; 3] = ["en", "es", "pt-BR"];

fn i18n_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("i18n")
}

/// The message ids of one `.ftl` source (terms `-x` and attributes `.x` are not messages).
fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|line| line.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|line| line.split_once('='))
        .map(|(id, _)| id.trim().to_owned())
        .filter(|id| {
            !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .collect()
}

/// locale → (message id → file it was found in).
fn load() -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let mut out = BTreeMap::new();
    for locale in LOCALES {
        let dir = i18n_dir().join(locale);
        assert!(
            dir.is_dir(),
            "locale directory {} is missing",
            dir.display()
        );
        let mut ids = BTreeMap::new();
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("ftl") {
                continue;
            }
            files += 1;
            let source = std::fs::read_to_string(&path).unwrap();
            for id in message_ids(&source) {
                if let Some(previous) = ids.insert(id.clone(), path.clone()) {
                    panic!(
                        "locale {locale}: key `{id}` is defined twice ({} and {})",
                        previous.display(),
                        path.display()
                    );
                }
            }
        }
        assert!(
            files > 0,
            "locale {locale} has no .ftl file in {}",
            dir.display()
        );
        out.insert(locale.to_owned(), ids);
    }
    out
}

#[test]
fn every_locale_exists_and_defines_the_same_keys() {
    let locales = load();
    let all: BTreeSet<&String> = locales.values().flat_map(|ids| ids.keys()).collect();
    let mut problems = Vec::new();
    for key in all {
        for (locale, ids) in &locales {
            if !ids.contains_key(key) {
                let defined_in: Vec<&str> = locales
                    .iter()
                    .filter(|(_, i)| i.contains_key(key))
                    .map(|(l, _)| l.as_str())
                    .collect();
                problems.push(format!(
                    "key `{key}` is missing in locale {locale} (defined in {defined_in:?})"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_channel_type_label_is_translated() {
    let locales = load();
    let mut keys: Vec<&str> = ChannelType::KNOWN
        .iter()
        .map(ChannelType::label_key)
        .collect();
    keys.push(ChannelType::Other("Channel::Carrier".into()).label_key());
    assert!(keys.contains(&"channel-type-other"));
    for (locale, ids) in &locales {
        for key in &keys {
            assert!(
                ids.contains_key(*key),
                "channel label `{key}` is missing in locale {locale}"
            );
        }
    }
}

#[test]
fn the_keys_the_spa_and_its_tests_rely_on_exist() {
    let locales = load();
    for key in [
        "inboxes-title",
        "error-generic",
        "error-network-error",
        "error-invalid-credentials",
        "error-rate-limited",
        "language-en",
        "language-es",
        "language-pt-BR",
    ] {
        for (locale, ids) in &locales {
            assert!(
                ids.contains_key(key),
                "key `{key}` is missing in locale {locale}"
            );
        }
    }
}

#[test]
fn the_line_parser_reads_messages_only() {
    let ids = message_ids(
        "# comment\n## group\nhello = Hi\n    .attr = x\n-term = T\nmulti =\n    line\n",
    );
    assert_eq!(ids, ["hello", "multi"]);
}
