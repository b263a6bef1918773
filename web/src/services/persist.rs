//! Keeps this browser's copy of the signed-in account up to date: watches the
//! state after every action and writes what changed, batched.
//!
//! - **Batched**: a change arms a timer of [`WRITE_DELAY_MS`]; when it fires, every
//!   room whose `Rc` changed since the last write is encoded and written in one
//!   transaction with the account record. Typing, a burst of messages or a
//!   history page are one write, not one each. Leaving the page writes at once.
//! - **One writer per account**: the tab holding the Web Lock
//!   ([`AccountKey::writer_lock`]) writes; other tabs of the same account read at
//!   sign-in and then only show. When the writer closes, the lock passes to
//!   another tab, which writes its whole state. Browsers without Web Locks write
//!   from every tab (each write is one transaction, so the store stays
//!   consistent, the last writer winning).
//! - Nothing is written before the stored copy was read at sign-in (it would be
//!   overwritten by an empty room list), nor after sign-out.
//!
//! `data-store-writes` on `<body>` counts completed writes (tests wait for it) and
//! `data-store-role` says whether this tab writes.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::{Rc, Weak};

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use miricat_shared::RoomId;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use super::clock::now_ms;
use super::store::{self, WriteBatch};
use crate::state::{ChatState, Room};
use crate::stored::{self, AccountKey, StoredAccount, StoredRoom};

/// How long changes gather before they are written.
pub const WRITE_DELAY_MS: u32 = 500;

/// A clonable handle on this tab's writer.
#[derive(Clone, Default)]
pub struct Persister {
    inner: Rc<RefCell<Inner>>,
}

#[derive(Default)]
struct Inner {
    /// The account being kept; `None` before its copy was read and after sign-out.
    key: Option<AccountKey>,
    /// Bumped by every start and stop: a lock granted or a write finished for an
    /// earlier one is ignored.
    generation: u64,
    /// This tab holds the writer lock.
    writer: bool,
    /// Releases the writer lock (resolves the promise the lock callback returned).
    release: Option<js_sys::Function>,
    /// The rooms as last seen, and as last written.
    latest: BTreeMap<RoomId, Rc<Room>>,
    written: BTreeMap<RoomId, Rc<Room>>,
    active: Option<RoomId>,
    written_active: Option<RoomId>,
    drafts: HashMap<RoomId, String>,
    drafts_changed: bool,
    timer: Option<Timeout>,
    writing: bool,
    writes_done: u64,
    listeners: Vec<EventListener>,
}

impl Persister {
    /// Starts keeping `key`'s copy, after it was read back. Writes begin once this
    /// tab is the account's writer.
    pub fn start(&self, key: AccountKey) {
        let generation = {
            let mut inner = self.inner.borrow_mut();
            if let Some(release) = inner.release.take() {
                let _ = release.call0(&wasm_bindgen::JsValue::NULL);
            }
            inner.key = Some(key.clone());
            inner.generation += 1;
            inner.written.clear();
            inner.written_active = None;
            inner.writer = false;
            inner.generation
        };
        self.listen_for_leaving();
        set_body_data("store-role", "reader");
        let weak = Rc::downgrade(&self.inner);
        let granted = move || -> bool {
            let Some(inner) = weak.upgrade() else {
                return false;
            };
            let this = Self { inner };
            if this.inner.borrow().generation != generation {
                return false;
            }
            this.inner.borrow_mut().writer = true;
            set_body_data("store-role", "writer");
            this.schedule();
            true
        };
        match request_writer_lock(&key.writer_lock(), granted) {
            Ok(release) => self.inner.borrow_mut().release = release,
            Err(granted) => {
                // No Web Locks in this browser: every tab writes.
                granted();
            }
        }
    }

    /// Stops writing (sign-out); returns the account that was kept.
    pub fn stop(&self) -> Option<AccountKey> {
        let mut inner = self.inner.borrow_mut();
        inner.generation += 1;
        inner.timer = None;
        inner.writer = false;
        inner.latest.clear();
        inner.written.clear();
        inner.drafts.clear();
        if let Some(release) = inner.release.take() {
            let _ = release.call0(&wasm_bindgen::JsValue::NULL);
        }
        inner.key.take()
    }

    /// The state changed: remember it, and write soon if a kept part changed.
    pub fn observe(&self, state: &ChatState) {
        let changed = {
            let mut inner = self.inner.borrow_mut();
            let Some(key) = &inner.key else { return };
            if state.me.as_deref() != Some(key.username.as_str()) {
                return;
            }
            let changed = inner.active != state.active
                || inner.latest.len() != state.rooms.len()
                || state
                    .rooms
                    .iter()
                    .any(|(id, room)| inner.latest.get(id).is_none_or(|r| !Rc::ptr_eq(r, room)));
            if changed {
                inner.latest = state.rooms.clone();
                inner.active = state.active;
            }
            changed
        };
        if changed {
            self.schedule();
        }
    }

    /// The unsent text of `room` is now `text`.
    pub fn set_draft(&self, room: RoomId, text: &str) {
        {
            let mut inner = self.inner.borrow_mut();
            if inner.drafts.get(&room).map(String::as_str) == Some(text) {
                return;
            }
            if text.is_empty() {
                inner.drafts.remove(&room);
            } else {
                inner.drafts.insert(room, text.to_owned());
            }
            inner.drafts_changed = true;
        }
        self.schedule();
    }

    /// Seeds the drafts brought back from the store, so the next write keeps them.
    pub fn restore_drafts(&self, drafts: &[(RoomId, String)]) {
        self.inner.borrow_mut().drafts = drafts.iter().cloned().collect();
    }

    fn schedule(&self) {
        let mut inner = self.inner.borrow_mut();
        if !inner.writer || inner.timer.is_some() || inner.key.is_none() {
            return;
        }
        let weak = Rc::downgrade(&self.inner);
        inner.timer = Some(Timeout::new(WRITE_DELAY_MS, move || {
            if let Some(inner) = weak.upgrade() {
                let this = Self { inner };
                this.inner.borrow_mut().timer = None;
                this.write_now();
            }
        }));
    }

    /// Writes what changed since the last write, unless a write is on its way
    /// (then the next one follows it).
    fn write_now(&self) {
        let (batch, generation) = {
            let mut inner = self.inner.borrow_mut();
            if !inner.writer || inner.writing || inner.key.is_none() {
                return;
            }
            let Some(batch) = inner.batch() else { return };
            inner.writing = true;
            (batch, inner.generation)
        };
        let weak: Weak<RefCell<Inner>> = Rc::downgrade(&self.inner);
        let still = weak.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let still_wanted = move || {
                still
                    .upgrade()
                    .is_some_and(|i| i.borrow().generation == generation)
            };
            let result = store::write(batch, still_wanted).await;
            let Some(inner) = weak.upgrade() else { return };
            let this = Self { inner };
            let done = {
                let mut inner = this.inner.borrow_mut();
                inner.writing = false;
                if let Err(e) = &result {
                    web_sys::console::warn_1(&format!("not stored: {e}").into());
                    // Written again in full next time.
                    inner.written.clear();
                }
                inner.writes_done += 1;
                inner.writes_done
            };
            set_body_data("store-writes", &done.to_string());
            if result.is_ok() && this.inner.borrow().generation == generation {
                this.schedule_if_changed();
            }
        });
    }

    fn schedule_if_changed(&self) {
        let changed = self.inner.borrow().has_changes();
        if changed {
            self.schedule();
        }
    }

    /// The page is going away (reload, close, another tab in front): write now.
    fn listen_for_leaving(&self) {
        if !self.inner.borrow().listeners.is_empty() {
            return;
        }
        let Some(window) = web_sys::window() else {
            return;
        };
        let mut listeners = Vec::new();
        let weak = Rc::downgrade(&self.inner);
        listeners.push(EventListener::new(&window, "pagehide", move |_| {
            flush(&weak);
        }));
        if let Some(document) = window.document() {
            let weak = Rc::downgrade(&self.inner);
            listeners.push(EventListener::new(
                &document,
                "visibilitychange",
                move |_| {
                    if !super::page::is_visible() {
                        flush(&weak);
                    }
                },
            ));
        }
        self.inner.borrow_mut().listeners = listeners;
    }
}

fn flush(weak: &Weak<RefCell<Inner>>) {
    if let Some(inner) = weak.upgrade() {
        let this = Persister { inner };
        this.inner.borrow_mut().timer = None;
        this.write_now();
    }
}

impl Inner {
    fn has_changes(&self) -> bool {
        self.drafts_changed
            || self.active != self.written_active
            || self.latest.len() != self.written.len()
            || self
                .latest
                .iter()
                .any(|(id, room)| self.written.get(id).is_none_or(|r| !Rc::ptr_eq(r, room)))
    }

    /// The records to write now, and the rooms marked written; `None` when nothing
    /// changed.
    fn batch(&mut self) -> Option<WriteBatch> {
        if !self.has_changes() {
            return None;
        }
        let keep = stored::rooms_to_keep(self.latest.values().map(|r| &**r));
        let mut rooms = Vec::new();
        let mut written = BTreeMap::new();
        for id in keep {
            let Some(room) = self.latest.get(&id) else {
                continue;
            };
            let unchanged = self.written.get(&id).is_some_and(|r| Rc::ptr_eq(r, room));
            // The open room's read position moves with it even when it did not change.
            let opened = self.active != self.written_active
                && (Some(id) == self.active || Some(id) == self.written_active);
            if !unchanged || opened {
                let record = StoredRoom::from_room(room, self.active == Some(id));
                rooms.push((id, stored::encode_room(&record)));
            }
            written.insert(id, Rc::clone(room));
        }
        let removed = self
            .written
            .keys()
            .filter(|id| !written.contains_key(id))
            .copied()
            .collect();
        self.written = written;
        self.written_active = self.active;
        self.drafts_changed = false;
        let account = StoredAccount::new(now_ms(), self.active, &self.drafts);
        Some(WriteBatch {
            key: self.key.clone(),
            account: stored::encode_account(&account),
            rooms,
            removed,
        })
    }
}

/// Sets `data-<name>` on `<body>`.
fn set_body_data(name: &str, value: &str) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute(&format!("data-{name}"), value);
    }
}

/// Asks for the Web Lock `name`; `granted` runs once this tab holds it, and says
/// whether the lock is still wanted. Returns the function that releases it once
/// held (filled in when granted), or gives `granted` back when this browser has
/// no Web Locks.
///
/// `navigator.locks` is reached through `Reflect`: web-sys has it only behind
/// its unstable-API flag.
fn request_writer_lock<F>(name: &str, granted: F) -> Result<Option<js_sys::Function>, F>
where
    F: FnOnce() -> bool + 'static,
{
    let locks = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| js_sys::Reflect::get(&n, &"locks".into()).ok())
        .filter(|locks| locks.is_object());
    let request = locks.as_ref().and_then(|locks| {
        js_sys::Reflect::get(locks, &"request".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()
    });
    let (Some(locks), Some(request)) = (locks, request) else {
        return Err(granted);
    };
    // The promise the callback returns holds the lock until it resolves; its
    // resolve function is kept to release the lock on sign-out.
    let release = Rc::new(RefCell::new(None::<js_sys::Function>));
    let slot = Rc::clone(&release);
    let callback = Closure::once_into_js(move |_lock: wasm_bindgen::JsValue| {
        if !granted() {
            return js_sys::Promise::resolve(&wasm_bindgen::JsValue::UNDEFINED);
        }
        js_sys::Promise::new(&mut |resolve, _reject| {
            *slot.borrow_mut() = Some(resolve);
        })
    });
    if request
        .call2(&locks, &wasm_bindgen::JsValue::from_str(name), &callback)
        .is_err()
    {
        web_sys::console::warn_1(&"the store's writer lock was refused".into());
        return Ok(None);
    }
    // Released through this: the slot is filled when the lock is granted.
    let release_fn = Closure::<dyn FnMut()>::new(move || {
        if let Some(resolve) = release.borrow_mut().take() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    Ok(Some(release_fn.into_js_value().unchecked_into()))
}
