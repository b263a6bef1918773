//! A WebSocket to the bridge whose event handlers are detached when it is dropped,
//! so a replaced or abandoned socket can never report into the current session.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

/// What the socket reports.
#[derive(Debug)]
pub enum SocketEvent {
    /// Connected; lines may be sent.
    Open,
    /// One text frame (one MCP line).
    Line(String),
    /// Closed, with the close code and reason.
    Closed {
        /// WebSocket close code (1006 when the connection just failed).
        code: u16,
        /// The reason text the bridge gave, if any.
        reason: String,
    },
}

/// An open (or opening) WebSocket.
pub struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Starts connecting to `url`; every event goes to `on_event`.
    pub fn open(url: &str, on_event: impl Fn(SocketEvent) + 'static) -> Result<Self, String> {
        let ws = WebSocket::new(url).map_err(|e| {
            e.as_string()
                .or_else(|| {
                    e.dyn_ref::<js_sys::Error>()
                        .map(|e| String::from(e.message()))
                })
                .unwrap_or_else(|| format!("cannot open a WebSocket to {url}"))
        })?;
        let on_event: Rc<dyn Fn(SocketEvent)> = Rc::new(on_event);
        let sink = Rc::clone(&on_event);
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_| sink(SocketEvent::Open));
        let sink = Rc::clone(&on_event);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            // The bridge sends text frames only; anything else is not a line.
            if let Some(text) = event.data().as_string() {
                sink(SocketEvent::Line(text));
            }
        });
        let sink = on_event;
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            sink(SocketEvent::Closed {
                code: event.code(),
                reason: event.reason(),
            });
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Bytes queued in the browser, not yet sent: uploads wait while this is high,
    /// so progress reflects the network and memory stays bounded.
    pub fn buffered_amount(&self) -> u32 {
        self.ws.buffered_amount()
    }

    /// Sends one line as a text frame.
    pub fn send(&self, line: &str) -> Result<(), String> {
        self.ws
            .send_with_str(line)
            .map_err(|_| "the connection is not open".to_owned())
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}
