//! Live updates of the conversation screens: the account's server-sent events
//! (`GET /api/v1/accounts/{id}/events`, events `message.created`, `message.updated`, `conversation.created`,
//! `conversation.updated` with `{"conversation_id": <display id>}`), and polling every 10 s while the stream is
//! not open (absent endpoint, error, reconnecting).

use leptos::prelude::*;
use std::cell::RefCell;
use std::time::Duration;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventSource, MessageEvent};

/// `resync` (the server dropped events for this stream) carries no conversation: everything is refetched.
const EVENTS: [&str; 5] = [
    "message.created",
    "message.updated",
    "conversation.created",
    "conversation.updated",
    "resync",
];
const POLL_EVERY: Duration = Duration::from_secs(10);

/// Something changed: `conversation_id` is the display id, `None` when unknown (a poll: refetch everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub seq: u64,
    pub conversation_id: Option<i64>,
}

#[derive(Clone, Copy)]
pub struct Live {
    pub change: RwSignal<Change>,
    /// True while the event stream is open.
    pub connected: RwSignal<bool>,
}

struct Stream {
    source: EventSource,
    _listeners: Vec<Closure<dyn FnMut(Event)>>,
}

thread_local! {
    static STREAM: RefCell<Option<Stream>> = const { RefCell::new(None) };
}

fn close_stream() {
    STREAM.with(|s| {
        if let Some(stream) = s.borrow_mut().take() {
            stream.source.close();
        }
    });
}

impl Live {
    pub fn notify(self, conversation_id: Option<i64>) {
        self.change.update(|c| {
            c.seq += 1;
            c.conversation_id = conversation_id;
        });
    }

    /// Opens the stream of `account_id` (closing any previous one) and polls while it is down; both stop when the
    /// calling owner is cleaned up.
    pub fn start(account_id: i64) -> Live {
        let live = Live {
            change: RwSignal::new(Change {
                seq: 0,
                conversation_id: None,
            }),
            connected: RwSignal::new(false),
        };
        close_stream();
        if let Ok(source) = EventSource::new(&format!("/api/v1/accounts/{account_id}/events")) {
            let mut listeners: Vec<Closure<dyn FnMut(Event)>> = Vec::new();
            for name in EVENTS {
                let on_event = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
                    let id = event
                        .dyn_ref::<MessageEvent>()
                        .and_then(|m| m.data().as_string())
                        .and_then(|data| serde_json::from_str::<serde_json::Value>(&data).ok())
                        .and_then(|v| v.get("conversation_id").and_then(|id| id.as_i64()));
                    live.notify(id);
                });
                let _ = source
                    .add_event_listener_with_callback(name, on_event.as_ref().unchecked_ref());
                listeners.push(on_event);
            }
            let on_open = Closure::<dyn FnMut(Event)>::new(move |_| {
                live.connected.set(true);
                // Whatever happened while disconnected.
                live.notify(None);
            });
            let _ =
                source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
            listeners.push(on_open);
            let on_error = Closure::<dyn FnMut(Event)>::new(move |_| {
                // The browser reconnects by itself unless the endpoint answered with an error (then CLOSED);
                // polling covers both cases.
                live.connected.set(false);
            });
            let _ =
                source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
            listeners.push(on_error);
            STREAM.with(|s| {
                *s.borrow_mut() = Some(Stream {
                    source,
                    _listeners: listeners,
                })
            });
        }
        let poll = set_interval_with_handle(
            move || {
                if !live.connected.get_untracked() {
                    live.notify(None);
                }
            },
            POLL_EVERY,
        )
        .ok();
        on_cleanup(move || {
            if let Some(poll) = poll {
                poll.clear();
            }
            close_stream();
        });
        live
    }
}
