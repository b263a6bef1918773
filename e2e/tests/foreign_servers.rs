//! The web app through the real bridge against servers that are not ours (the
//! fixtures of `miricat-testkit`): an MCP 2.0 server like the public Java one, and
//! MCP 2.1 servers that leave requests unanswered or drop the connection on a join.

use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use miricat_e2e::system::{Bridge, ROOT_PASSWORD};
use miricat_e2e::{Browser, Chromedriver, STEP_TIMEOUT, System, wait};
use miricat_shared::{Body, PacketKind};
use miricat_testkit::{Behaviour, FixtureServer, Reaction};

/// The deadline the pages of the deadline tests ask for (`?request-timeout-ms=`).
const DEADLINE: Duration = Duration::from_secs(2);

/// The fixtures' heartbeat: clients ping this often, a clock the tests can wait on.
const HEARTBEAT_MS: u64 = 1_500;

/// Waits until the fixture has seen `n` more pings than `before`: time passing on
/// the client's side, without sleeping.
async fn pings_after(fixture: &FixtureServer, before: usize, n: usize) -> Result<()> {
    wait::until("the client's heartbeats", STEP_TIMEOUT, || async {
        Ok((fixture.count(PacketKind::Ping) >= before + n).then_some(()))
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2_0_server_works_through_the_bridge_and_its_version_is_remembered() -> Result<()> {
    let java = FixtureServer::start(Behaviour::java_2_0(), ROOT_PASSWORD).await?;
    let bridge = Bridge::in_front_of(java.addr()).await?;
    let driver = Chromedriver::start().await?;

    // Sign in: 2.1.0 is refused, 2.0.0 works, in the same sign-in.
    let root = Browser::open(&driver, &bridge.url()).await?;
    root.sign_in("root", ROOT_PASSWORD, false).await?;
    ensure!(
        java.handshake_versions() == ["2.1.0", "2.0.0"],
        "{:?}",
        java.handshake_versions()
    );
    ensure!(
        root.protocol().await?.as_deref() == Some("2.0.0"),
        "the version in use is shown"
    );

    // Root creates a room; another user registers and joins it: the server
    // answers her join with AccessDenied, then joins her anyway.
    root.fill("admin-create-room-name", "lobby").await?;
    root.click("admin-create-room-submit").await?;
    root.wait_for_room("lobby").await?;
    let alice = Browser::open(&driver, &bridge.url()).await?;
    alice.sign_in("alice", "alices-password", true).await?;
    alice.join_room("lobby").await?;
    alice.wait_for_absent("room-refusal").await?;
    root.join_room("lobby").await?;

    // Both ways; the 2.0 messages carry no room and still land in the right one.
    alice.send("hello from alice").await?;
    root.wait_for_message("alice", "hello from alice").await?;
    alice
        .wait_for_status("alice", "hello from alice", "sent")
        .await?;
    root.send("hello from root").await?;
    alice.wait_for_message("root", "hello from root").await?;
    root.wait_for_status("root", "hello from root", "sent")
        .await?;

    // A second sign-in offers 2.0.0 at once.
    let offered = java.handshake_versions().len();
    root.click("sign-out").await?;
    root.sign_in("root", ROOT_PASSWORD, false).await?;
    ensure!(
        java.handshake_versions()[offered..] == ["2.0.0"],
        "{:?}",
        java.handshake_versions()
    );

    // The server behind the same bridge address is upgraded to 2.1 only (ours):
    // the remembered 2.0.0 is refused, and 2.1.0 works.
    let upgraded = System::start().await?;
    root.click("sign-out").await?;
    let bridge = bridge.restart_in_front_of(upgraded.server_addr()).await?;
    root.sign_in("root", ROOT_PASSWORD, false).await?;
    ensure!(root.protocol().await?.as_deref() == Some("2.1.0"));

    root.close().await?;
    alice.close().await?;
    bridge.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswered_requests_fail_with_the_right_words_within_the_deadline() -> Result<()> {
    // Like the Java server's 2.1 branch: Register is never answered; here joins of
    // room 2 and every message too.
    let lossy = Behaviour::mcp_2_1()
        .with_heartbeat_ms(HEARTBEAT_MS)
        .reacting(
            |p| {
                matches!(&p.body, Body::Register(_) | Body::CreateTextMessage(_))
                    || matches!(&p.body, Body::RoomJoin(r) if r.room == 2)
            },
            Reaction::Ignore,
        );
    let fixture = FixtureServer::start(lossy, ROOT_PASSWORD).await?;
    let bridge = Bridge::in_front_of(fixture.addr()).await?;
    let driver = Chromedriver::start().await?;
    let page = format!(
        "{}?request-timeout-ms={}",
        bridge.url(),
        DEADLINE.as_millis()
    );

    // The unanswered Register is the server's silence, not a lost bridge.
    let bob = Browser::open(&driver, &page).await?;
    let started = Instant::now();
    bob.submit_sign_in("bob", "bobs-password", true).await?;
    bob.wait_for_error("The server did not answer the sign-in.")
        .await?;
    let took = started.elapsed();
    ensure!(
        took >= DEADLINE / 2 && took < DEADLINE * 4,
        "failed after {took:?}"
    );
    bob.close().await?;

    let root = Browser::open(&driver, &page).await?;
    root.sign_in("root", ROOT_PASSWORD, false).await?;

    // The join of room 2 fails on its own button, which can be pressed again.
    let random = root.wait_for_room("random").await?;
    root.click(&format!("room-entry-{random}")).await?;
    root.click("room-join").await?;
    root.wait_for_text("room-refusal", "The server did not answer.")
        .await?;
    let usable = root
        .js(
            "return !document.querySelector(\"[data-testid='room-join']\").disabled;",
            vec![],
        )
        .await?;
    ensure!(usable == true, "the Join button is usable again");

    // A message in a room that was joined fails next to itself, with Retry.
    root.join_room("general").await?;
    root.send("into the void").await?;
    root.wait_for_status("root", "into the void", "failed")
        .await?;
    let shown = root
        .js(
            "const m = [...document.querySelectorAll(\"[data-testid='message']\")].at(-1); \
             return [m.querySelector('.delivery')?.textContent ?? '', !!m.querySelector(\"[data-testid='message-retry']\")];",
            vec![],
        )
        .await?;
    ensure!(
        shown[0]
            .as_str()
            .is_some_and(|t| t.starts_with("Not sent: The server did not answer."))
            && shown[1] == true,
        "the message says {shown}"
    );

    // Nothing spins: over a few heartbeats nothing is sent again, and the
    // connection stayed up throughout.
    pings_after(&fixture, fixture.count(PacketKind::Ping), 3).await?;
    ensure!(
        fixture.count(PacketKind::RoomJoin) == 2,
        "{:?}",
        fixture.requests()
    );
    ensure!(
        fixture.count(PacketKind::CreateTextMessage) == 1,
        "{:?}",
        fixture.requests()
    );
    ensure!(
        fixture.count(PacketKind::Register) == 1,
        "{:?}",
        fixture.requests()
    );
    ensure!(
        fixture.handshake_versions().len() == 2,
        "one connection per browser"
    );
    ensure!(root.connection_state().await? == "online");
    root.close().await?;
    bridge.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_drops_the_connection_on_a_join_is_not_sent_it_again() -> Result<()> {
    // The Java server's 2.1 branch crashes the connection on every Room.Join.
    let crashing = Behaviour::mcp_2_1()
        .with_heartbeat_ms(HEARTBEAT_MS)
        .reacting(|p| p.kind() == PacketKind::RoomJoin, Reaction::Close);
    let fixture = FixtureServer::start(crashing, ROOT_PASSWORD).await?;
    let bridge = Bridge::in_front_of(fixture.addr()).await?;
    let driver = Chromedriver::start().await?;
    let root = Browser::open(&driver, &bridge.url()).await?;
    root.sign_in("root", ROOT_PASSWORD, false).await?;

    let general = root.wait_for_room("general").await?;
    root.click(&format!("room-entry-{general}")).await?;
    root.click("room-join").await?;
    let why = root
        .wait_for_text("room-refusal", "The chat server closed the connection.")
        .await?;
    ensure!(why.contains("not sent again"), "the room says {why:?}");
    root.wait_for_state("online").await?;

    // Reconnected once, signed in again, and the join is not repeated.
    wait::until("the second sign-in", STEP_TIMEOUT, || async {
        Ok((fixture.count(PacketKind::Login) == 2).then_some(()))
    })
    .await?;
    pings_after(&fixture, fixture.count(PacketKind::Ping), 3).await?;
    ensure!(
        fixture.count(PacketKind::RoomJoin) == 1,
        "{:?}",
        fixture.requests()
    );
    ensure!(
        fixture.handshake_versions().len() == 2,
        "{:?}",
        fixture.handshake_versions()
    );
    ensure!(root.connection_state().await? == "online");
    root.close().await?;
    bridge.stop().await
}
