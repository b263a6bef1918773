//! This browser's copy of each account, in IndexedDB (through `idb`): one database,
//! one object store of JSON string records keyed by [`AccountKey`] (what the
//! records hold, and their bounds, is `crate::stored`).
//!
//! Reads happen once per sign-in; writes come batched from
//! `services::persist` (one transaction for every room that changed since the
//! last one), never one per keystroke or per message.

use idb::{Database, DatabaseEvent, Factory, KeyRange, ObjectStoreParams, TransactionMode};
use wasm_bindgen::JsValue;

use crate::state::Restored;
use crate::stored::{self, AccountKey, MAX_STORED_ROOMS};

const DATABASE: &str = "miricat";
/// Bumped when the object stores change (records carry their own format version).
const DATABASE_VERSION: u32 = 1;
const RECORDS: &str = "records";

/// Why the store could not be used; the app then works as before, without it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// IndexedDB refused (private mode, a policy, disk full, another version).
    #[error("the browser's storage refused: {0}")]
    Browser(#[from] idb::Error),
    /// The write's transaction was aborted (quota, another tab's upgrade).
    #[error("the browser's storage gave up on the write")]
    Aborted,
}

/// One write: the account record and the rooms that changed, all in one
/// transaction, so a reader never sees half of it.
#[derive(Debug, Default)]
pub struct WriteBatch {
    /// Whose records.
    pub key: Option<AccountKey>,
    /// The account record, encoded.
    pub account: String,
    /// Room records to put, encoded.
    pub rooms: Vec<(u64, String)>,
    /// Room records to delete (the room is gone).
    pub removed: Vec<u64>,
}

async fn open() -> Result<Database, StoreError> {
    let factory = Factory::new()?;
    let mut request = factory.open(DATABASE, Some(DATABASE_VERSION))?;
    request.on_upgrade_needed(|event| {
        if let Ok(database) = event.database()
            && !database.store_names().iter().any(|name| name == RECORDS)
        {
            let _ = database.create_object_store(RECORDS, ObjectStoreParams::new());
        }
    });
    Ok(request.await?)
}

/// The key range of every record of `key` under `sub` (keys are strings, and the
/// separator `\u{1}` sorts below anything typed).
fn range(prefix: &str) -> Result<KeyRange, StoreError> {
    let upper = format!("{prefix}\u{ffff}");
    Ok(KeyRange::bound(
        &JsValue::from_str(prefix),
        &JsValue::from_str(&upper),
        None,
        None,
    )?)
}

/// Reads what is stored for `key`. Records that do not read back (another
/// version, damaged) are left out with a console line.
pub async fn load(key: &AccountKey) -> Result<Restored, StoreError> {
    let database = open().await?;
    let transaction = database.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
    let records = transaction.object_store(RECORDS)?;
    let account = records
        .get(JsValue::from_str(&key.account_record()))?
        .await?
        .and_then(|value| value.as_string());
    let room_prefix = format!("{}room\u{1}", key.prefix());
    let limit = u32::try_from(MAX_STORED_ROOMS).unwrap_or(u32::MAX);
    let rooms = records
        .get_all(Some(range(&room_prefix)?.into()), Some(limit))?
        .await?;
    let _ = transaction.await;
    database.close();
    let account = account.and_then(|json| match stored::decode_account(&json) {
        Ok(account) => Some(account),
        Err(e) => {
            web_sys::console::info_1(&format!("stored account left out: {e}").into());
            None
        }
    });
    let rooms = rooms
        .iter()
        .filter_map(JsValue::as_string)
        .filter_map(|json| match stored::decode_room(&json) {
            Ok(room) => Some(room),
            Err(e) => {
                web_sys::console::info_1(&format!("stored room left out: {e}").into());
                None
            }
        })
        .collect();
    Ok(Restored { account, rooms })
}

/// Writes `batch` in one transaction, unless `still_wanted` says otherwise once
/// the database is open (the user signed out meanwhile, and perhaps asked to
/// forget: a late write must not bring the records back).
pub async fn write(batch: WriteBatch, still_wanted: impl Fn() -> bool) -> Result<(), StoreError> {
    let Some(key) = batch.key else {
        return Ok(());
    };
    let database = open().await?;
    if !still_wanted() {
        database.close();
        return Ok(());
    }
    let transaction = database.transaction(&[RECORDS], TransactionMode::ReadWrite)?;
    let records = transaction.object_store(RECORDS)?;
    for (id, json) in &batch.rooms {
        records.put(
            &JsValue::from_str(json),
            Some(&JsValue::from_str(&key.room_record(*id))),
        )?;
    }
    for id in &batch.removed {
        records.delete(JsValue::from_str(&key.room_record(*id)))?;
    }
    records.put(
        &JsValue::from_str(&batch.account),
        Some(&JsValue::from_str(&key.account_record())),
    )?;
    let result = transaction.await;
    database.close();
    if result?.is_aborted() {
        return Err(StoreError::Aborted);
    }
    Ok(())
}

/// Deletes every record of `key` (signing out and forgetting this browser).
pub async fn forget(key: &AccountKey) -> Result<(), StoreError> {
    let database = open().await?;
    let transaction = database.transaction(&[RECORDS], TransactionMode::ReadWrite)?;
    transaction
        .object_store(RECORDS)?
        .delete(range(&key.prefix())?)?;
    let result = transaction.await;
    database.close();
    result?;
    Ok(())
}
