//! `User.Create` and `User.Delete` (root only). The root account itself cannot be
//! created or deleted over the protocol.

use miricat_shared::packet::auth::Credentials;
use miricat_shared::packet::user::Username;
use miricat_shared::{Body, ErrorKind, Packet, PacketId};

use super::{internal_error, valid_name};
use crate::connection::Conn;
use crate::store::users::CreateUser;

/// `User.Create`.
pub async fn create(conn: &mut Conn, id: PacketId, credentials: Credentials) {
    if credentials.username == conn.shared.config.root_user {
        return conn
            .error(
                &id,
                ErrorKind::AccessDenied,
                "the root account is managed by the operator",
            )
            .await;
    }
    let bad_name = ErrorKind::PacketDataIncorrect;
    if let Some(username) = create_account(conn, &id, credentials, bad_name).await {
        tracing::info!(user = %username, "user created by root");
        conn.send(Packet::new(id, Body::UserCreated(Username { username })))
            .await;
    }
}

/// Creates an account for Register and `User.Create`, answering every failure
/// itself: a username that is blank, too long, padded or has control characters
/// (`bad_name`), an empty password, a taken name. Returns the new username.
pub(super) async fn create_account(
    conn: &mut Conn,
    id: &PacketId,
    credentials: Credentials,
    bad_name: ErrorKind,
) -> Option<String> {
    let shared = conn.shared.clone();
    let Credentials {
        username, password, ..
    } = credentials;
    if !valid_name(&username, shared.config.max_username_chars) || username.trim() != username {
        conn.error(id, bad_name, "invalid username").await;
        return None;
    }
    if password.is_empty() {
        conn.error(id, ErrorKind::UserPasswordRequired, "password is empty")
            .await;
        return None;
    }
    // Checked before hashing, so a taken name costs no hash.
    let taken = match shared.store.password_hash(&username).await {
        Ok(hash) => hash.is_some(),
        Err(e) => {
            internal_error(conn, id, &e).await;
            return None;
        }
    };
    let created = if taken {
        Ok(CreateUser::AlreadyExists)
    } else {
        match shared.passwords.hash(password, conn.client).await {
            Ok(hash) => shared.store.create_user(&username, hash).await,
            Err(e) => {
                internal_error(conn, id, &e).await;
                return None;
            }
        }
    };
    match created {
        Ok(CreateUser::Created) => Some(username),
        Ok(CreateUser::AlreadyExists) => {
            conn.error(id, ErrorKind::UserAlreadyExists, "username taken")
                .await;
            None
        }
        Err(e) => {
            internal_error(conn, id, &e).await;
            None
        }
    }
}

/// `User.Delete`: closes the user's connections, which leave their rooms.
pub async fn delete(conn: &mut Conn, id: PacketId, user: Username) {
    let shared = conn.shared.clone();
    if user.username == shared.config.root_user {
        return conn
            .error(
                &id,
                ErrorKind::AccessDenied,
                "the root account cannot be deleted",
            )
            .await;
    }
    match shared.store.delete_user(&user.username).await {
        Ok(true) => {
            let closed = shared.hub.close_user(&user.username);
            tracing::info!(user = %user.username, closed, "user deleted by root");
            conn.send(Packet::new(id, Body::UserDeleted(user))).await;
        }
        Ok(false) => {
            conn.error(&id, ErrorKind::UserNotFound, "no such user")
                .await
        }
        Err(e) => internal_error(conn, &id, &e).await,
    }
}
