//! Time in the browser. `std::time` panics on wasm32, so wall time comes from
//! `Date.now()` and precise intervals from `performance.now()`.

use wasm_bindgen::JsValue;

/// Unix epoch milliseconds (for message times and the session's heartbeat).
pub fn now_ms() -> u64 {
    // Date.now() is a whole, positive number of milliseconds.
    js_sys::Date::now().max(0.0) as u64
}

/// Milliseconds since the page started loading, with sub-millisecond precision
/// (for the handshake and sign-in measurements).
pub fn since_page_start_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// A random number in `[0, 1)` for reconnect jitter (not for cryptography).
pub fn jitter() -> f64 {
    js_sys::Math::random()
}

fn date(time_ms: u64) -> js_sys::Date {
    // Message times fit an f64 exactly (below 2^53 ms).
    js_sys::Date::new(&JsValue::from_f64(time_ms as f64))
}

/// `HH:MM` in the viewer's time zone.
pub fn local_time(time_ms: u64) -> String {
    let d = date(time_ms);
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// The full local date and time, for a tooltip.
pub fn local_date_time(time_ms: u64) -> String {
    String::from(date(time_ms).to_locale_string("default", &JsValue::UNDEFINED))
}

/// The local day number of a time (see [`crate::timeline::day_number`]).
pub fn local_day(time_ms: u64) -> i64 {
    // getTimezoneOffset is a whole number of minutes (at most ±14 h).
    let offset = date(time_ms).get_timezone_offset() as i32;
    crate::timeline::day_number(time_ms, offset)
}

/// "Today", "Yesterday" or a date such as "Monday, 3 March 2026" for a day
/// separator.
pub fn day_label(time_ms: u64) -> String {
    let today = local_day(now_ms());
    match today - local_day(time_ms) {
        0 => "Today".to_owned(),
        1 => "Yesterday".to_owned(),
        _ => {
            let options = js_sys::Object::new();
            for (key, value) in [
                ("weekday", "long"),
                ("day", "numeric"),
                ("month", "long"),
                ("year", "numeric"),
            ] {
                let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
            }
            String::from(date(time_ms).to_locale_date_string("default", &options))
        }
    }
}
