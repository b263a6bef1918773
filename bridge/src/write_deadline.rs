//! The write deadline of every client socket: a client that takes nothing we send
//! for `write_timeout` loses its connection.
//!
//! The deadline sits under everything that writes to the client (HTTP responses,
//! the 101, WebSocket frames, pings and close frames, TLS records), so no write can
//! block forever, whatever future is waiting on it: the ping timer is not polled
//! while the relay waits for a send, but the send itself fails here. It measures
//! time without progress, not the length of a response, so a slow but reading
//! client still gets a large file.
//!
//! Once the deadline has passed every later write fails at once: the close frame
//! that follows cannot be delivered either, and must not wait again.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Sleep, sleep};

/// A stream whose writes fail with [`io::ErrorKind::TimedOut`] once one of them
/// made no progress for `timeout`. Reads pass through untouched.
#[derive(Debug)]
pub(crate) struct WriteDeadline<S> {
    inner: S,
    timeout: Duration,
    /// Armed while a write is pending; boxed so idle connections carry no timer.
    timer: Option<Pin<Box<Sleep>>>,
    expired: bool,
}

impl<S> WriteDeadline<S> {
    /// Wraps `inner`; a zero `timeout` turns the deadline off.
    pub(crate) fn new(inner: S, timeout: Duration) -> Self {
        Self {
            inner,
            timeout,
            timer: None,
            expired: false,
        }
    }

    /// Called with the inner stream's answer to a write, flush or shutdown:
    /// progress disarms the timer, a pending write arms it (once) and fails when it
    /// fires.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() || self.timeout.is_zero() {
            self.timer = None;
            return poll;
        }
        let timeout = self.timeout;
        let timer = self.timer.get_or_insert_with(|| Box::pin(sleep(timeout)));
        ready!(timer.as_mut().poll(cx));
        self.timer = None;
        self.expired = true;
        Poll::Ready(Err(timed_out()))
    }
}

fn timed_out() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "the client read nothing within the write timeout",
    )
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteDeadline<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.expired {
            return Poll::Ready(Err(timed_out()));
        }
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.expired {
            return Poll::Ready(Err(timed_out()));
        }
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.expired {
            return Poll::Ready(Err(timed_out()));
        }
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.expired {
            return Poll::Ready(Err(timed_out()));
        }
        let poll = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.watch(cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt, duplex};
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn a_reader_that_takes_nothing_fails_the_write_after_the_timeout() {
        let (near, _far) = duplex(16);
        let mut stream = WriteDeadline::new(near, Duration::from_secs(30));
        let started = Instant::now();
        let error = stream.write_all(&[0; 64]).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_secs(30));
        // Later writes fail at once rather than wait again.
        let again = Instant::now();
        assert!(stream.write_all(b"x").await.is_err());
        assert_eq!(again.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_reader_that_keeps_reading_is_not_cut_off() {
        let (near, mut far) = duplex(16);
        let mut stream = WriteDeadline::new(near, Duration::from_secs(30));
        let reader = tokio::spawn(async move {
            let mut got = 0;
            let mut buf = [0; 16];
            while got < 256 {
                tokio::time::sleep(Duration::from_secs(20)).await;
                got += far.read(&mut buf).await.unwrap();
            }
            got
        });
        // 16 reads 20 s apart: minutes in all, but never 30 s without progress.
        stream.write_all(&[1; 256]).await.unwrap();
        assert_eq!(reader.await.unwrap(), 256);
    }

    #[tokio::test(start_paused = true)]
    async fn zero_turns_the_deadline_off() {
        let (near, _far) = duplex(16);
        let mut stream = WriteDeadline::new(near, Duration::ZERO);
        let write = stream.write_all(&[0; 64]);
        assert!(
            tokio::time::timeout(Duration::from_secs(3600), write)
                .await
                .is_err()
        );
    }
}
