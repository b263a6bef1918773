//! `Authentication.Login` and `Authentication.Register` (`WIRE.md` section 8), and the
//! extensions a sign-in agrees to ([`crate::negotiation`]).

use std::sync::Arc;

use miricat_shared::clip::clip;
use miricat_shared::packet::auth::{Accepted, Credentials};
use miricat_shared::packet::extension::{Extension, ExtensionNames};
use miricat_shared::{Body, ErrorKind, Packet, PacketId};
use tokio::time::Instant;

use super::internal_error;
use super::user::create_account;
use crate::connection::Conn;
use crate::negotiation;
use crate::outbox::Frame;
use crate::rate::TokenBucket;

/// Login: unknown user, empty password and wrong password each have their error.
///
/// A password check first books its place with the sign-in throttle
/// ([`crate::sign_in_throttle`]): after a few failures from this address, or on this
/// account, it waits (the connection's requests wait with it), and once the wait
/// would be too long, or this connection has failed too often, the answer is
/// `Error.AccessDenied` and the connection is closed. An unknown username is
/// checked against a dummy hash, so it costs and takes what a wrong password does.
pub async fn login(conn: &mut Conn, id: PacketId, credentials: Credentials) {
    if credentials.username.is_empty() {
        return conn
            .error(&id, ErrorKind::AuthDataIncorrect, "username is empty")
            .await;
    }
    if credentials.password.is_empty() {
        return conn
            .error(&id, ErrorKind::UserPasswordRequired, "password is empty")
            .await;
    }
    let shared = conn.shared.clone();
    let stored = match shared.store.password_hash(&credentials.username).await {
        Ok(stored) => stored,
        Err(e) => return internal_error(conn, &id, &e).await,
    };
    let account = stored.as_ref().map(|_| credentials.username.as_str());
    let booked = shared
        .sign_in
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .reserve(conn.client, account, Instant::now());
    let Ok(wait) = booked else {
        return refuse_guessing(conn, &id).await;
    };
    if !wait.is_zero() {
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = conn.outbox.closed() => return,
        }
    }
    let verified = match stored {
        Some(stored) => {
            shared
                .passwords
                .verify(credentials.password, stored, conn.client)
                .await
        }
        None => {
            shared
                .passwords
                .verify_unknown(credentials.password, conn.client)
                .await
        }
    };
    let succeeded = match verified {
        Ok(succeeded) => succeeded,
        Err(e) => return internal_error(conn, &id, &e).await,
    };
    shared
        .sign_in
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .record(conn.client, account, succeeded, Instant::now());
    if succeeded {
        if let Some(pause) = &shared.config.hooks.before_sign_in {
            pause.hold().await;
        }
        // Root may have deleted the account while its password was being checked
        // (that takes a while): refuse as for an unknown user rather than sign in
        // to an account that is gone.
        return match shared.store.password_hash(&credentials.username).await {
            Ok(Some(_)) => accept(conn, id, credentials.username, credentials.extensions).await,
            Ok(None) => {
                tracing::info!(user = %clip(&credentials.username), "account deleted while signing in");
                conn.error(&id, ErrorKind::UserNotFound, "no such user")
                    .await
            }
            Err(e) => internal_error(conn, &id, &e).await,
        };
    }
    conn.sign_in_failures += 1;
    let (kind, message) = if account.is_some() {
        (ErrorKind::UserPasswordInvalid, "wrong password")
    } else {
        (ErrorKind::UserNotFound, "no such user")
    };
    tracing::debug!(user = %clip(&credentials.username), "sign-in failed");
    conn.error(&id, kind, message).await;
    if conn.sign_in_failures >= shared.config.sign_in.failures_per_connection.max(1) {
        tracing::info!(
            failures = conn.sign_in_failures,
            "too many failed sign-ins on one connection; closed"
        );
        conn.outbox.reply(Frame::Close).await;
    }
}

/// Refuses a sign-in the throttle will not book and closes the connection.
async fn refuse_guessing(conn: &mut Conn, id: &PacketId) {
    tracing::info!(
        "sign-in refused: too many recent failures from this address or on this account; closed"
    );
    conn.error(
        id,
        ErrorKind::AccessDenied,
        "too many failed sign-ins; try again later",
    )
    .await;
    conn.outbox.reply(Frame::Close).await;
}

/// Register: creates the account and signs in.
pub async fn register(conn: &mut Conn, id: PacketId, mut credentials: Credentials) {
    let bad_name = ErrorKind::AuthDataIncorrect;
    let offer = credentials.extensions.take();
    if let Some(username) = create_account(conn, &id, credentials, bad_name).await {
        tracing::info!(user = %clip(&username), "registered");
        accept(conn, id, username, offer).await;
    }
}

/// Signs the connection in, agreeing to what it can of the extensions `offer`ed.
async fn accept(conn: &mut Conn, id: PacketId, username: String, offer: Option<ExtensionNames>) {
    let shared = conn.shared.clone();

    let user: Arc<str> = Arc::from(username);
    conn.is_root = *user == *shared.config.root_user;
    conn.user = Some(user.clone());
    let agreement = negotiation::agree(offer.as_ref(), negotiation::supported(&shared.config));
    let message_ids = agreement.agreed.contains(Extension::History);
    conn.history = message_ids
        .then(|| TokenBucket::new(shared.config.history_rate, tokio::time::Instant::now()));
    let heartbeat_rate = shared.config.heartbeat_ms;
    shared.hub.sign_in(
        conn.id,
        user.clone(),
        conn.outbox.clone(),
        message_ids,
        |rooms| {
            Packet::new(
                id,
                Body::Accepted(Accepted {
                    rooms,
                    heartbeat_rate,
                    extensions: agreement.accepted_field,
                }),
            )
        },
    );
    // Root may still have deleted the account after the last check, when there was
    // no connection of it to close yet. Signed in now, so a delete from here on
    // closes this connection; one that came before shows in the store.
    match shared.store.password_hash(&user).await {
        Ok(None) => {
            tracing::info!(user = %user, "account deleted while signing in; closed");
            conn.outbox.close();
        }
        Ok(Some(_)) => tracing::info!(user = %user, root = conn.is_root, "signed in"),
        Err(e) => tracing::warn!(user = %user, error = %e, "could not recheck the account"),
    }
}
