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
    let shared = conn.shared.clone();
    if credentials.username == shared.config.root_user {
        return conn
            .error(
                &id,
                ErrorKind::AccessDenied,
                "the root account is managed by the operator",
            )
            .await;
    }
    if !valid_name(&credentials.username, shared.config.max_username_chars)
        || credentials.username.trim() != credentials.username
    {
        return conn
            .error(&id, ErrorKind::PacketDataIncorrect, "invalid username")
            .await;
    }
    if credentials.password.is_empty() {
        return conn
            .error(&id, ErrorKind::UserPasswordRequired, "password is empty")
            .await;
    }
    match shared.store.password_hash(&credentials.username).await {
        Ok(Some(_)) => {
            return conn
                .error(&id, ErrorKind::UserAlreadyExists, "username taken")
                .await;
        }
        Ok(None) => {}
        Err(e) => return internal_error(conn, &id, &e).await,
    }
    let hash = match shared.passwords.hash(credentials.password).await {
        Ok(hash) => hash,
        Err(e) => return internal_error(conn, &id, &e).await,
    };
    match shared.store.create_user(&credentials.username, hash).await {
        Ok(CreateUser::Created) => {
            tracing::info!(user = %credentials.username, "user created by root");
            let username = credentials.username;
            conn.send(Packet::new(id, Body::UserCreated(Username { username })))
                .await;
        }
        Ok(CreateUser::AlreadyExists) => {
            conn.error(&id, ErrorKind::UserAlreadyExists, "username taken")
                .await
        }
        Err(e) => internal_error(conn, &id, &e).await,
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
