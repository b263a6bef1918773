//! `Authentication.Login` and `Authentication.Register` (`WIRE.md` section 8), and the
//! extensions a sign-in agrees to ([`crate::negotiation`]).

use std::sync::Arc;

use miricat_shared::packet::auth::{Accepted, Credentials};
use miricat_shared::packet::extension::{Extension, ExtensionNames};
use miricat_shared::{Body, ErrorKind, Packet, PacketId};

use super::internal_error;
use super::user::create_account;
use crate::connection::Conn;
use crate::negotiation;
use crate::rate::TokenBucket;

/// Login: unknown user, empty password and wrong password each have their error.
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
        Ok(Some(hash)) => hash,
        Ok(None) => {
            return conn
                .error(&id, ErrorKind::UserNotFound, "no such user")
                .await;
        }
        Err(e) => return internal_error(conn, &id, &e).await,
    };
    match shared.passwords.verify(credentials.password, stored).await {
        Ok(true) => {
            if let Some(pause) = &shared.config.hooks.before_sign_in {
                pause.hold().await;
            }
            // Root may have deleted the account while its password was being
            // checked (that takes a while): refuse as for an unknown user rather
            // than sign in to an account that is gone.
            match shared.store.password_hash(&credentials.username).await {
                Ok(Some(_)) => accept(conn, id, credentials.username, credentials.extensions).await,
                Ok(None) => {
                    tracing::info!(user = %credentials.username, "account deleted while signing in");
                    conn.error(&id, ErrorKind::UserNotFound, "no such user")
                        .await
                }
                Err(e) => internal_error(conn, &id, &e).await,
            }
        }
        Ok(false) => {
            tracing::info!(user = %credentials.username, "wrong password");
            conn.error(&id, ErrorKind::UserPasswordInvalid, "wrong password")
                .await
        }
        Err(e) => internal_error(conn, &id, &e).await,
    }
}

/// Register: creates the account and signs in.
pub async fn register(conn: &mut Conn, id: PacketId, mut credentials: Credentials) {
    let bad_name = ErrorKind::AuthDataIncorrect;
    let offer = credentials.extensions.take();
    if let Some(username) = create_account(conn, &id, credentials, bad_name).await {
        tracing::info!(user = %username, "registered");
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
