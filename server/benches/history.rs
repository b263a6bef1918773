//! Criterion benchmarks of `history/1` page queries (`store::history::read_page`) on
//! a real SQLite file: a page costs the same in a room of ten thousand messages and
//! in one of a million (the `(room, id)` index), and the alternative without that
//! index, in the same run, for the ratio.
//!
//! Run with `cargo bench -p miricat-server --bench history`.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use miricat_server::store::history::{HistoryQuery, read_page};
use miricat_server::store::schema::migrate;
use miricat_shared::packet::history::MAX_HISTORY_REPLY_BYTES;
use rusqlite::{Connection, params};

/// A database file with `in_room` messages of `text_len` bytes in room 1, and as many
/// again spread over rooms 2..=10 in between (so room 1 is not the whole table).
fn database(dir: &tempfile::TempDir, in_room: u64, text_len: usize) -> Connection {
    let path = dir.path().join(format!("bench-{in_room}-{text_len}.db"));
    let mut conn = Connection::open(path).expect("open");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    migrate(&mut conn).expect("migrate");
    let text = "m".repeat(text_len);
    let tx = conn.transaction().expect("tx");
    {
        let mut insert = tx
            .prepare("INSERT INTO messages (room, username, time_ms, kind, body) VALUES (?1, 'ann', ?2, 'text', ?3)")
            .expect("prepare");
        for i in 0..in_room * 2 {
            let room = if i % 2 == 0 { 1 } else { 2 + i % 9 };
            insert
                .execute(params![room, i as i64, text])
                .expect("insert");
        }
    }
    tx.commit().expect("commit");
    conn
}

fn query(before: Option<u64>, limit: u64) -> HistoryQuery {
    HistoryQuery {
        room: 1,
        before,
        after: None,
        limit,
        max_bytes: MAX_HISTORY_REPLY_BYTES - 100,
    }
}

fn page_cost_by_room_size(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut group = c.benchmark_group("history page of 50");
    group.measurement_time(Duration::from_secs(3));
    for in_room in [10_000u64, 1_000_000] {
        let conn = database(&dir, in_room, 100);
        let middle = Some(in_room);
        group.bench_with_input(BenchmarkId::new("newest", in_room), &conn, |b, conn| {
            b.iter(|| read_page(conn, black_box(&query(None, 50))).expect("page"))
        });
        group.bench_with_input(
            BenchmarkId::new("from the middle", in_room),
            &conn,
            |b, conn| b.iter(|| read_page(conn, black_box(&query(middle, 50))).expect("page")),
        );
        if in_room == 1_000_000 {
            // The alternative: only the (room, time_ms) index of schema version 1.
            conn.execute_batch("DROP INDEX messages_room_id")
                .expect("drop");
            group.sample_size(10);
            group.bench_with_input(
                BenchmarkId::new("from the middle, without the (room, id) index", in_room),
                &conn,
                |b, conn| b.iter(|| read_page(conn, black_box(&query(middle, 50))).expect("page")),
            );
        }
    }
    group.finish();
}

fn full_pages(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut group = c.benchmark_group("history full page");
    group.measurement_time(Duration::from_secs(3));
    // 200 short messages, and 16 KiB ones cut at 512 KiB (about 31 of them).
    for (text_len, label) in [(100usize, "200 x 100 B"), (16 * 1024, "512 KiB of 16 KiB")] {
        let conn = database(&dir, 2_000, text_len);
        group.bench_function(label, |b| {
            b.iter(|| read_page(&conn, black_box(&query(None, 200))).expect("page"))
        });
    }
    group.finish();
}

criterion_group!(benches, page_cost_by_room_size, full_pages);
criterion_main!(benches);
