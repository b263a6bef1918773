//! Issue 12 item 4: password guessing. Guesses come from 127.0.0.2 and up; honest
//! users sign in from 127.0.0.1 (or an address of their own) throughout.

mod common;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use common::*;
use miricat_server::{Config, PasswordHashing, SignInPolicy};
use miricat_shared::session::Event;

/// Longest an honest sign-in may take during a storm: seconds, where an unthrottled
/// storm on a small global verifier queue delays it without bound.
const HONEST_DEADLINE: Duration = Duration::from_secs(5);

/// Short delays so a test sees the whole escalation in about a second.
fn quick_throttle(c: &mut Config) {
    c.sign_in = SignInPolicy {
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(1),
        ..SignInPolicy::default()
    };
    // Costly enough that verifications queue, cheap enough for a debug build.
    c.password_hashing = PasswordHashing {
        memory_kib: 1024,
        iterations: 2,
        max_concurrent: 2,
        ..PasswordHashing::fast_for_tests()
    };
}

fn loopback(n: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, n])
}

/// One login attempt; the error kind (or "Accepted"), `None` once the server closed.
async fn attempt(c: &mut Client, user: &str, password: &str) -> Option<String> {
    let out = c.session.login(user, password).unwrap();
    c.try_send_bytes(format!("{}\n", out.line).as_bytes())
        .await
        .ok()?;
    for _ in 0..100 {
        let line = c.read_line().await?;
        match c.session.handle_line(&line, 0) {
            Some(Event::Accepted { .. }) => return Some("Accepted".into()),
            Some(Event::Reply { packet, .. }) => return Some(error_kind(&packet)),
            _ => {}
        }
    }
    panic!("no reply to a login")
}

/// Signs `user` in from `from` on a fresh connection, within [`HONEST_DEADLINE`].
async fn honest_sign_in(server: &TestServer, from: IpAddr, user: &str) -> Duration {
    let started = Instant::now();
    tokio::time::timeout(HONEST_DEADLINE, async {
        let mut c = Client::connect_from(server.addr(), from).await;
        assert_eq!(
            attempt(&mut c, user, "pw").await.as_deref(),
            Some("Accepted")
        );
    })
    .await
    .expect("an honest sign-in did not finish in time");
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_storm_from_one_address_is_throttled_and_others_still_sign_in() {
    let server = TestServer::start_with(quick_throttle).await;
    server.user("alice").await;
    let quiet = honest_sign_in(&server, loopback(1), "alice").await;
    let before = server.server.stats().password_checks;

    let mut storm = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let addr = server.addr();
        storm.spawn(async move {
            let mut c = Client::connect_from(addr, attacker_ip()).await;
            let mut answers = Vec::new();
            // Bounded: the server closes after five failures, sooner when throttled.
            for _ in 0..10 {
                match attempt(&mut c, "root", "guess").await {
                    Some(kind) => answers.push(kind),
                    None => return (answers, true),
                }
            }
            let closed = c.closed_within(WAIT).await;
            (answers, closed)
        });
    }
    let mut during = Vec::new();
    for _ in 0..5 {
        during.push(honest_sign_in(&server, loopback(1), "alice").await);
    }
    let mut refused = 0;
    while let Some(done) = storm.join_next().await {
        let (answers, closed) = done.unwrap();
        assert!(closed, "a guessing connection stayed open: {answers:?}");
        assert!(answers.len() <= 5, "{answers:?}");
        assert!(
            answers
                .iter()
                .all(|a| a == "UserPasswordInvalid" || a == "AccessDenied")
        );
        refused += answers.iter().filter(|a| *a == "AccessDenied").count();
    }
    let storm_checks = server.server.stats().password_checks - before - 5;
    println!(
        "honest sign-in alone {quiet:?}, during the storm {during:?}; \
         the storm got {storm_checks} password checks, {refused} refusals"
    );
    assert!(refused > 0, "the storm was never refused");
    // Five failures per connection alone would allow 100.
    assert!(storm_checks < 60, "{storm_checks} checks for the storm");
    honest_sign_in(&server, loopback(1), "alice").await;
}

#[tokio::test]
async fn guesses_at_one_account_from_many_addresses_are_refused_and_others_unaffected() {
    let server = TestServer::start_with(quick_throttle).await;
    server.user("alice").await;
    server.user("bob").await;
    // One guess per address: no address is ever over its free failures, the
    // account is. Taken one at a time each guess waits its turn (up to a second)...
    for n in 2..10 {
        let mut c = Client::connect_from(server.addr(), loopback(n)).await;
        let answer = attempt(&mut c, "alice", "guess").await;
        assert_eq!(answer.as_deref(), Some("UserPasswordInvalid"), "guess {n}");
    }
    // ... and guesses sent together are refused once their turn would come too late.
    let mut together = tokio::task::JoinSet::new();
    for n in 10..13 {
        let addr = server.addr();
        together.spawn(async move {
            let mut c = Client::connect_from(addr, loopback(n)).await;
            attempt(&mut c, "alice", "guess").await
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = together.join_next().await {
        answers.push(answer.unwrap());
    }
    assert!(
        answers.iter().any(|a| a.as_deref() == Some("AccessDenied")),
        "{answers:?}"
    );
    honest_sign_in(&server, loopback(30), "bob").await;
}

#[tokio::test]
async fn unknown_users_and_wrong_passwords_cost_the_same_verification() {
    let server = TestServer::start().await;
    server.user("alice").await;
    let mut c = Client::connect_from(server.addr(), attacker_ip()).await;
    let checks = || server.server.stats().password_checks;
    let start = checks();
    assert_eq!(
        attempt(&mut c, "nobody", "guess").await.as_deref(),
        Some("UserNotFound")
    );
    assert_eq!(
        checks(),
        start + 1,
        "an unknown user is checked against the dummy hash"
    );
    assert_eq!(
        attempt(&mut c, "alice", "guess").await.as_deref(),
        Some("UserPasswordInvalid")
    );
    assert_eq!(checks(), start + 2);
    assert_eq!(
        attempt(&mut c, "alice", "").await.as_deref(),
        Some("UserPasswordRequired")
    );
    assert_eq!(checks(), start + 2, "an empty password costs nothing");
}

#[tokio::test]
async fn a_connection_is_closed_after_its_failures() {
    let server = TestServer::start_with(|c| {
        c.sign_in.free_failures = 100; // no delays: only the per-connection limit
    })
    .await;
    let mut c = Client::connect_from(server.addr(), attacker_ip()).await;
    for n in 0..5 {
        assert_eq!(
            attempt(&mut c, "root", "guess").await.as_deref(),
            Some("UserPasswordInvalid"),
            "attempt {n}"
        );
    }
    assert!(c.closed_within(WAIT).await);
    let mut honest = server.root().await;
    honest.drain_pushes().await;
}
