//! End-to-end test harness: the release build of the web app (`dist/`) in headless
//! Chromium, against the real server and bridge running in-process.
//!
//! # Layout
//! - [`system`]: a [`System`] is a server (temp database, known root password) and a
//!   bridge serving `dist/`, both on `127.0.0.1:0`; the bridge can be stopped and
//!   started again on the same port.
//! - [`chromedriver`]: a [`Chromedriver`] process on a free port, killed on drop.
//! - [`browser`]: a [`Browser`] session (fantoccini) with the app's test hooks
//!   (`data-testid`) wrapped as domain steps: sign in, join, send, wait for a message.
//! - [`peer`]: a [`Peer`] signed in over plain TCP with the terminal client's
//!   connection, for the other end of a conversation or thousands of messages.
//! - [`png`]: test pictures with known pixels.
//! - [`scene`]: shared starting points (a room made by root, a browser in it).
//! - [`wait`]: polling with a timeout, instead of sleeping.
//!
//! Prerequisites, checked with a clear failure: `dist/` built by
//! `trunk build --release`, and `chromedriver` plus `chromium` installed (paths
//! overridable with `CHROMEDRIVER` and `CHROMIUM`).

pub mod browser;
pub mod chromedriver;
pub mod peer;
pub mod png;
pub mod scene;
pub mod system;
pub mod wait;

pub use browser::Browser;
pub use chromedriver::Chromedriver;
pub use peer::Peer;
pub use system::System;

/// How long any single step may take before the test fails. Generous: CI machines
/// have two cores shared with the build, and the server runs a debug build.
pub const STEP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
