//! A connection's outbound queue, shared by its writer task (which drains it) and
//! everyone who sends to the connection.
//!
//! Pushes caused by other users ([`Outbox::push`]) never wait: when the queue is over
//! its bounds the connection is closed instead, so a client that cannot keep up costs
//! bounded memory and never slows anyone else down. Replies to the connection's own
//! requests ([`Outbox::reply`]) wait for room instead, so a long image download is
//! paced by the client's reading speed. [`Outbox::close`] is also how any part of the
//! server kills a connection (slow consumer, deleted user, shutdown).
//!
//! The byte bound covers everything the connection holds, not just the queue: frames
//! count at their size on the wire (base64 of the encrypted JSON, plus the newline),
//! and what the writer took ([`Outbox::take_all`]) stays counted as in flight until
//! it reports the write done ([`Outbox::written`]). Before, taking reset the count,
//! so the queue could fill again behind a blocked write and one connection held
//! about three times the bound.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

use crate::config::OutboundLimits;

/// One item for the writer.
#[derive(Debug, Clone)]
pub enum Frame {
    /// Packet JSON to encrypt with the connection's key (shared between recipients).
    Encrypted(Arc<str>),
    /// A line sent as it is (the handshake reply and the plaintext errors `WIRE.md`
    /// section 5 allows).
    Plain(Arc<str>),
    /// Write everything before this, then close the connection.
    Close,
}

impl Frame {
    /// Bytes this frame takes on the wire, newline included (what the writer will
    /// hold once it is encrypted).
    pub fn cost(&self) -> usize {
        match self {
            Self::Encrypted(s) => 4 * s.len().div_ceil(3) + 1,
            Self::Plain(s) => s.len() + 1,
            Self::Close => 0,
        }
    }
}

/// Why a push was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushError {
    /// This push went over the bounds: the connection has just been closed.
    Overflow,
    /// The connection was already closed.
    Closed,
}

#[derive(Debug, Default)]
struct Queue {
    frames: VecDeque<Frame>,
    /// Wire bytes of every queued frame.
    bytes: usize,
    /// Wire bytes the writer took and has not finished writing.
    in_flight: usize,
}

impl Queue {
    /// Everything the connection holds: queued and in flight.
    fn held(&self) -> usize {
        self.bytes + self.in_flight
    }
}

/// See the module docs.
#[derive(Debug)]
pub struct Outbox {
    queue: Mutex<Queue>,
    closed: AtomicBool,
    /// Wakes the writer (new frames, or closed).
    readable: Notify,
    /// Wakes replies waiting for room.
    drained: Notify,
    /// Wakes whoever waits for the connection to be closed.
    closing: Notify,
    limits: OutboundLimits,
}

impl Outbox {
    /// An empty queue with these bounds.
    pub fn new(limits: OutboundLimits) -> Self {
        Self {
            queue: Mutex::new(Queue::default()),
            closed: AtomicBool::new(false),
            readable: Notify::new(),
            drained: Notify::new(),
            closing: Notify::new(),
            limits,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        // A panic while holding this lock cannot leave the queue inconsistent.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a push; closes the connection when it would take what the connection
    /// holds (queued and in flight) past the bounds.
    pub fn push(&self, frame: Frame) -> Result<(), PushError> {
        if self.is_closed() {
            return Err(PushError::Closed);
        }
        {
            let mut q = self.lock();
            if q.frames.len() >= self.limits.max_packets
                || q.held() + frame.cost() > self.limits.max_bytes
            {
                drop(q);
                self.close();
                return Err(PushError::Overflow);
            }
            q.bytes += frame.cost();
            q.frames.push_back(frame);
        }
        self.readable.notify_one();
        Ok(())
    }

    /// Queues a reply, first waiting while the connection holds (queued and in
    /// flight) more than half its byte bound. Returns `false` when the connection is
    /// closed.
    pub async fn reply(&self, frame: Frame) -> bool {
        self.room_for_reply().await && self.queue_reply(frame)
    }

    /// Waits while the connection holds (queued and in flight) more than half its
    /// byte bound, so a client that does not read its replies stops being read from;
    /// the other half is left for pushes. A reply is let through when nothing at
    /// all is held, however big it is. Returns `false` when the
    /// connection is closed.
    ///
    /// Call it before building a reply under the hub's lock and queue that reply with
    /// [`Outbox::queue_reply`]: the lock fixes the reply's order among the pushes.
    pub async fn room_for_reply(&self) -> bool {
        loop {
            let drained = self.drained.notified();
            tokio::pin!(drained);
            drained.as_mut().enable();
            if self.is_closed() {
                return false;
            }
            {
                let q = self.lock();
                if q.held() <= self.limits.max_bytes / 2 || q.held() == 0 {
                    return true;
                }
            }
            drained.await;
        }
    }

    /// Queues a reply without waiting (after [`Outbox::room_for_reply`]). Returns
    /// `false` when the connection is closed.
    pub fn queue_reply(&self, frame: Frame) -> bool {
        if self.is_closed() {
            return false;
        }
        {
            let mut q = self.lock();
            q.bytes += frame.cost();
            q.frames.push_back(frame);
        }
        self.readable.notify_one();
        true
    }

    /// Moves every queued frame into `out`, waiting until there is one; their bytes
    /// stay counted as in flight until [`Outbox::written`]. Returns `false` once the
    /// connection is closed.
    pub async fn take_all(&self, out: &mut Vec<Frame>) -> bool {
        loop {
            let readable = self.readable.notified();
            tokio::pin!(readable);
            readable.as_mut().enable();
            if self.is_closed() {
                return false;
            }
            {
                let mut q = self.lock();
                if !q.frames.is_empty() {
                    out.extend(q.frames.drain(..));
                    q.in_flight += q.bytes;
                    q.bytes = 0;
                    if q.frames.capacity() > 64 {
                        q.frames.shrink_to(16);
                    }
                    return true;
                }
            }
            readable.await;
        }
    }

    /// The writer finished writing what it last took: those bytes are no longer
    /// held, so waiting replies may go on.
    pub fn written(&self) {
        self.lock().in_flight = 0;
        self.drained.notify_waiters();
    }

    /// Closes the connection: the writer stops, the reader stops, queued frames are
    /// dropped.
    pub fn close(&self) {
        if !self.closed.swap(true, Ordering::AcqRel) {
            self.lock().frames.clear();
            self.readable.notify_one();
            self.drained.notify_waiters();
            self.closing.notify_waiters();
        }
    }

    /// Whether [`Outbox::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Resolves once the connection is closed.
    pub async fn closed(&self) {
        loop {
            let closing = self.closing.notified();
            tokio::pin!(closing);
            closing.as_mut().enable();
            if self.is_closed() {
                return;
            }
            closing.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Frame {
        Frame::Encrypted(Arc::from(s))
    }

    #[tokio::test]
    async fn pushes_over_the_bounds_close_the_connection() {
        let outbox = Outbox::new(OutboundLimits {
            max_packets: 2,
            max_bytes: 100,
        });
        assert_eq!(text("abcd").cost(), 9, "base64 of 4 bytes, and a newline");
        outbox.push(text("a")).unwrap();
        outbox.push(text("b")).unwrap();
        assert_eq!(outbox.push(text("c")), Err(PushError::Overflow));
        assert!(outbox.is_closed());
        assert_eq!(outbox.push(text("d")), Err(PushError::Closed));
        let mut out = Vec::new();
        assert!(!outbox.take_all(&mut out).await);
        outbox.closed().await;
    }

    #[tokio::test]
    async fn replies_wait_for_the_writer() {
        let outbox = Arc::new(Outbox::new(OutboundLimits {
            max_packets: 100,
            max_bytes: 10,
        }));
        assert!(outbox.reply(text("0123456789")).await);
        let waiting = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.reply(text("x")).await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        let mut out = Vec::new();
        assert!(outbox.take_all(&mut out).await);
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "the bytes in flight still count");
        outbox.written();
        assert!(waiting.await.unwrap());
        assert!(outbox.take_all(&mut out).await);
        assert_eq!(out.len(), 2);
    }

    /// What the writer took counts until it is written: the queue cannot fill again
    /// behind a blocked write (issue 12, item 6).
    #[tokio::test]
    async fn bytes_in_flight_count_against_pushes() {
        let outbox = Outbox::new(OutboundLimits {
            max_packets: 100,
            max_bytes: 100,
        });
        let frame = text(&"x".repeat(30)); // 41 bytes on the wire
        outbox.push(frame.clone()).unwrap();
        outbox.push(frame.clone()).unwrap();
        let mut out = Vec::new();
        assert!(outbox.take_all(&mut out).await);
        assert_eq!(outbox.push(frame.clone()), Err(PushError::Overflow));

        let outbox = Outbox::new(OutboundLimits {
            max_packets: 100,
            max_bytes: 100,
        });
        outbox.push(frame.clone()).unwrap();
        outbox.push(frame.clone()).unwrap();
        assert!(outbox.take_all(&mut out).await);
        outbox.written();
        outbox.push(frame.clone()).unwrap();
        outbox.push(frame).unwrap();
    }
}
