//! One headless Chromium session driven through chromedriver, with the app's test
//! hooks (`data-testid` attributes) wrapped as the steps a person takes.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use fantoccini::actions::{InputSource, KeyAction, KeyActions, MouseActions, PointerAction};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::chromedriver::Chromedriver;
use crate::{STEP_TIMEOUT, wait};

/// Chromium flags for running as root in a container without a display.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--window-size=1280,800",
];

/// A browser session with the app open.
pub struct Browser {
    client: Client,
    // Kept until the session closes: Chromium's fresh profile.
    _profile: TempDir,
    /// Files chosen in the page's pickers. Kept until the session closes: the page
    /// reads a chosen file after the choice, and a file deleted by then cannot be
    /// read (a large one lost that race on a busy machine).
    picked_files: TempDir,
}

/// What a message looks like in the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenMessage {
    /// `data-sender`.
    pub sender: String,
    /// The message text.
    pub text: String,
    /// `data-status` for our own messages (`pending`, `sent`, `failed`).
    pub status: Option<String>,
}

impl Browser {
    /// Starts a session with a fresh profile and opens `url`.
    pub async fn open(driver: &Chromedriver, url: &str) -> Result<Self> {
        let profile = tempfile::tempdir().context("creating a Chromium profile directory")?;
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": driver.chromium(), "args": args }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url())
            .await
            .context("starting a Chromium session through chromedriver")?;
        client
            .goto(url)
            .await
            .with_context(|| format!("opening {url}"))?;
        let browser = Self {
            client,
            _profile: profile,
            picked_files: tempfile::tempdir().context("creating a directory for picked files")?,
        };
        browser
            .element("login-username")
            .await
            .context("the sign-in form never appeared")?;
        Ok(browser)
    }

    /// The raw WebDriver client, for anything not wrapped here.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Waits for the element with `data-testid` `id`.
    pub async fn element(&self, id: &str) -> Result<Element> {
        let css = format!("[data-testid='{id}']");
        self.client
            .wait()
            .at_most(STEP_TIMEOUT)
            .for_element(Locator::Css(&css))
            .await
            .with_context(|| format!("waiting for [data-testid='{id}']"))
    }

    /// Runs `script` in the page and returns its result.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.client
            .execute(script, args)
            .await
            .with_context(|| format!("running script: {script}"))
    }

    /// Types into an input (replacing what it held).
    pub async fn fill(&self, id: &str, text: &str) -> Result<()> {
        let input = self.element(id).await?;
        input.clear().await?;
        input.send_keys(text).await?;
        Ok(())
    }

    /// Clicks the element with `data-testid` `id`.
    pub async fn click(&self, id: &str) -> Result<()> {
        self.element(id).await?.click().await?;
        Ok(())
    }

    /// Clicks the button whose `aria-label` is `label` (icon buttons).
    pub async fn click_button_labelled(&self, label: &str) -> Result<()> {
        let css = format!("button[aria-label='{label}']");
        self.client
            .wait()
            .at_most(STEP_TIMEOUT)
            .for_element(Locator::Css(&css))
            .await
            .with_context(|| format!("waiting for the button {label:?}"))?
            .click()
            .await?;
        Ok(())
    }

    /// The connection pill's `data-state`.
    pub async fn connection_state(&self) -> Result<String> {
        let value = self
            .js(
                "const e = document.querySelector(\"[data-testid='connection-status']\"); \
                 return e ? e.dataset.state : null;",
                vec![],
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// The MCP version the connection pill names (`data-protocol`), once signed in.
    pub async fn protocol(&self) -> Result<Option<String>> {
        let value = self
            .js(
                "return document.querySelector(\"[data-testid='connection-status']\")?.dataset.protocol ?? null;",
                vec![],
            )
            .await?;
        Ok(value.as_str().map(str::to_owned))
    }

    /// Waits until the connection pill shows `state`.
    pub async fn wait_for_state(&self, state: &str) -> Result<()> {
        wait::until(
            &format!("connection state {state:?}"),
            STEP_TIMEOUT,
            || async { Ok((self.connection_state().await? == state).then_some(())) },
        )
        .await
    }

    /// A `data-*` attribute of the connection pill (the app's own measurements).
    pub async fn status_figure(&self, attribute: &str) -> Result<Option<f64>> {
        let value = self
            .js(
                "const e = document.querySelector(\"[data-testid='connection-status']\"); \
                 return e ? e.getAttribute(arguments[0]) : null;",
                vec![json!(attribute)],
            )
            .await?;
        Ok(value.as_str().and_then(|v| v.parse().ok()))
    }

    /// Fills the sign-in form and presses Sign in (or Create account).
    pub async fn submit_sign_in(
        &self,
        username: &str,
        password: &str,
        register: bool,
    ) -> Result<()> {
        self.fill("login-username", username).await?;
        self.fill("login-password", password).await?;
        self.click(if register {
            "register-submit"
        } else {
            "login-submit"
        })
        .await
    }

    /// Signs in (or registers) and waits until online.
    pub async fn sign_in(&self, username: &str, password: &str, register: bool) -> Result<()> {
        self.submit_sign_in(username, password, register).await?;
        self.wait_for_state("online")
            .await
            .with_context(|| format!("{username} did not get online"))?;
        self.element("room-list").await?;
        Ok(())
    }

    /// The text of the error banner, once it says `saying`. Polled for the text,
    /// not just for the banner: the previous error may still be on screen for a
    /// moment after the action that replaces it.
    pub async fn wait_for_error(&self, saying: &str) -> Result<String> {
        let banner_text = || async {
            let text = self
                .js(
                    "return document.querySelector(\"[data-testid='error-banner']\")?.textContent ?? '';",
                    vec![],
                )
                .await?;
            Ok::<_, anyhow::Error>(text.as_str().unwrap_or_default().to_owned())
        };
        let found = wait::until(
            &format!("an error banner saying {saying:?}"),
            STEP_TIMEOUT,
            || async { Ok(Some(banner_text().await?).filter(|text| text.contains(saying))) },
        )
        .await;
        match found {
            Ok(text) => Ok(text),
            Err(error) => {
                let shown = banner_text().await.unwrap_or_default();
                Err(error.context(format!("the banner says {shown:?}")))
            }
        }
    }

    /// The ID of the room called `name` in the sidebar, once it is listed.
    pub async fn wait_for_room(&self, name: &str) -> Result<String> {
        wait::until(
            &format!("room {name:?} in the sidebar"),
            STEP_TIMEOUT,
            || async {
                let id = self
                .js(
                    "const e = [...document.querySelectorAll(\"[data-testid^='room-entry-']\")] \
                       .find(e => e.querySelector('.room-name')?.textContent === arguments[0]); \
                     return e ? e.dataset.testid.slice('room-entry-'.length) : null;",
                    vec![json!(name)],
                )
                .await?;
                Ok(id.as_str().map(str::to_owned))
            },
        )
        .await
    }

    /// Chooses the file `name` holding `bytes` in the image picker, as a user would
    /// in the file dialog (the file stays on disk until the session closes).
    pub async fn pick_image(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.picked_files.path().join(name);
        std::fs::write(&path, bytes).with_context(|| format!("writing {name}"))?;
        self.element("image-input")
            .await?
            .send_keys(&path.display().to_string())
            .await
            .with_context(|| format!("choosing {name}"))?;
        Ok(())
    }

    /// Waits until the room called `name` is the open one (its header names it).
    pub async fn wait_for_open_room(&self, name: &str) -> Result<()> {
        wait::until(
            &format!("room {name:?} to be open"),
            STEP_TIMEOUT,
            || async {
                let open = self
                    .js(
                        "return document.querySelector('.room-header h2')?.textContent ?? '';",
                        vec![],
                    )
                    .await?;
                let open = open.as_str().unwrap_or_default().trim_start_matches('#');
                Ok((open == name).then_some(()))
            },
        )
        .await
    }

    /// Opens the room called `name` and joins it, waiting until joined.
    pub async fn join_room(&self, name: &str) -> Result<()> {
        let id = self.wait_for_room(name).await?;
        self.click(&format!("room-entry-{id}")).await?;
        self.click("room-join").await?;
        self.element("room-leave")
            .await
            .with_context(|| format!("joining {name:?}"))?;
        Ok(())
    }

    /// Types `text` in the composer and presses Enter.
    pub async fn send(&self, text: &str) -> Result<()> {
        let input = self.element("message-input").await?;
        input.send_keys(text).await?;
        input.send_keys(&Key::Enter.to_string()).await?;
        Ok(())
    }

    /// Every message in the open room's timeline.
    pub async fn messages(&self) -> Result<Vec<SeenMessage>> {
        let value = self
            .js(
                "return [...document.querySelectorAll(\"[data-testid='message']\")].map(m => [ \
                   m.dataset.sender, m.querySelector('.message-text')?.textContent ?? m.textContent, \
                   m.dataset.status ?? null]);",
                vec![],
            )
            .await?;
        let rows = value
            .as_array()
            .ok_or_else(|| anyhow!("messages: not a list"))?;
        Ok(rows
            .iter()
            .map(|row| SeenMessage {
                sender: row[0].as_str().unwrap_or_default().to_owned(),
                text: row[1].as_str().unwrap_or_default().to_owned(),
                status: row[2].as_str().map(str::to_owned),
            })
            .collect())
    }

    /// Waits until a message from `sender` with `text` is in the open room, and
    /// returns it.
    pub async fn wait_for_message(&self, sender: &str, text: &str) -> Result<SeenMessage> {
        self.wait_for_message_within(sender, text, STEP_TIMEOUT)
            .await
    }

    /// [`Browser::wait_for_message`] with another timeout.
    pub async fn wait_for_message_within(
        &self,
        sender: &str,
        text: &str,
        timeout: Duration,
    ) -> Result<SeenMessage> {
        wait::until(
            &format!("message {text:?} from {sender}"),
            timeout,
            || async {
                Ok(self
                    .messages()
                    .await?
                    .into_iter()
                    .find(|m| m.sender == sender && m.text == text))
            },
        )
        .await
    }

    /// Waits until our own message `text` has delivery status `status`.
    pub async fn wait_for_status(&self, sender: &str, text: &str, status: &str) -> Result<()> {
        wait::until(
            &format!("message {text:?} to be {status}"),
            STEP_TIMEOUT,
            || async {
                let found = self
                    .messages()
                    .await?
                    .into_iter()
                    .find(|m| m.sender == sender && m.text == text);
                Ok(found
                    .filter(|m| m.status.as_deref() == Some(status))
                    .map(|_| ()))
            },
        )
        .await
    }

    /// The names in the members panel.
    pub async fn members(&self) -> Result<Vec<String>> {
        let value = self
            .js(
                "return [...document.querySelectorAll(\"[data-testid='member-list'] .member-name\")] \
                   .map(e => e.textContent);",
                vec![],
            )
            .await?;
        Ok(value
            .as_array()
            .map(|names| {
                names
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Waits until `name` is in the members panel.
    pub async fn wait_for_member(&self, name: &str) -> Result<()> {
        wait::until(
            &format!("{name} in the members panel"),
            STEP_TIMEOUT,
            || async {
                Ok(self
                    .members()
                    .await?
                    .iter()
                    .any(|m| m == name)
                    .then_some(()))
            },
        )
        .await
    }

    /// Types `keys` into whatever has focus, as a keyboard does: no element is
    /// targeted. Special keys go in as `Key` characters (`Key::Tab.to_string()`).
    pub async fn type_keys(&self, keys: &str) -> Result<()> {
        let mut typing = KeyActions::new("keyboard".to_owned());
        for key in keys.chars() {
            typing = typing
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.client
            .perform_actions(typing)
            .await
            .with_context(|| format!("typing {keys:?}"))
    }

    /// Presses `keys` together (say Alt and Down) on whatever has focus.
    pub async fn press_together(&self, keys: &[Key]) -> Result<()> {
        let keys: Vec<char> = keys.iter().map(|key| char::from(*key)).collect();
        let mut chord = KeyActions::new("keyboard".to_owned());
        for key in &keys {
            chord = chord.then(KeyAction::Down { value: *key });
        }
        for key in keys.iter().rev() {
            chord = chord.then(KeyAction::Up { value: *key });
        }
        self.client
            .perform_actions(chord)
            .await
            .context("pressing a key chord")
    }

    /// The `data-testid` of the focused element, if it has one.
    pub async fn focused(&self) -> Result<Option<String>> {
        let id = self
            .js(
                "return document.activeElement?.dataset?.testid ?? null;",
                vec![],
            )
            .await?;
        Ok(id.as_str().map(str::to_owned))
    }

    /// Presses Tab until the element with `data-testid` `id` has focus, failing when
    /// it is not reachable in `MAX_TABS` presses.
    pub async fn tab_to(&self, id: &str) -> Result<()> {
        const MAX_TABS: usize = 60;
        let tab = Key::Tab.to_string();
        for _ in 0..MAX_TABS {
            if self.focused().await?.as_deref() == Some(id) {
                return Ok(());
            }
            self.type_keys(&tab).await?;
        }
        bail!("[data-testid='{id}'] was not reached with {MAX_TABS} Tab presses")
    }

    /// Resizes the window so the page's viewport is `width` x `height` CSS pixels.
    pub async fn set_viewport(&self, width: u32, height: u32) -> Result<()> {
        let (mut window_width, mut window_height) = (width, height);
        // The window frame (if any) is measured, then added: two tries suffice.
        for _ in 0..2 {
            self.client
                .set_window_size(window_width, window_height)
                .await
                .context("resizing the window")?;
            let inner = self
                .js("return [window.innerWidth, window.innerHeight];", vec![])
                .await?;
            let measured = |i: usize| inner[i].as_u64().and_then(|v| u32::try_from(v).ok());
            let (Some(inner_width), Some(inner_height)) = (measured(0), measured(1)) else {
                bail!("cannot read the viewport size: {inner}");
            };
            if (inner_width, inner_height) == (width, height) {
                return Ok(());
            }
            window_width = (window_width + width).saturating_sub(inner_width);
            window_height = (window_height + height).saturating_sub(inner_height);
        }
        bail!("the viewport could not be made {width}x{height}")
    }

    /// Moves the mouse pointer to the top-left corner, so nothing shows a hover
    /// style (before a screenshot).
    pub async fn park_pointer(&self) -> Result<()> {
        let park = MouseActions::new("mouse".to_owned()).then(PointerAction::MoveTo {
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        self.client
            .perform_actions(park)
            .await
            .context("moving the pointer away")
    }

    /// Presses the theme button until it shows `choice` (`system`, `light` or `dark`).
    pub async fn choose_theme(&self, choice: &str) -> Result<()> {
        const CHOICES: usize = 3;
        for _ in 0..CHOICES {
            let button = self.element("theme-toggle").await?;
            if button.attr("data-theme-choice").await?.as_deref() == Some(choice) {
                return Ok(());
            }
            button.click().await?;
        }
        bail!("the theme button never offered {choice:?}")
    }

    /// Saves a PNG screenshot of the page.
    pub async fn screenshot(&self, path: &std::path::Path) -> Result<()> {
        let png = self.client.screenshot().await?;
        std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
    }

    /// Saves a screenshot as `<name>.png` in `$MIRICAT_E2E_SCREENSHOTS`, when that is
    /// set (to look at the UI, or keep as a CI artifact); otherwise does nothing.
    pub async fn screenshot_if_asked(&self, name: &str) -> Result<()> {
        match std::env::var_os("MIRICAT_E2E_SCREENSHOTS") {
            Some(dir) => {
                let dir = std::path::PathBuf::from(dir);
                std::fs::create_dir_all(&dir)?;
                self.screenshot(&dir.join(format!("{name}.png"))).await
            }
            None => Ok(()),
        }
    }

    /// Waits until the sidebar no longer lists a room called `name`.
    pub async fn wait_for_room_gone(&self, name: &str) -> Result<()> {
        wait::until(
            &format!("room {name:?} to leave the sidebar"),
            STEP_TIMEOUT,
            || async {
                let listed = self
                    .js(
                        "return [...document.querySelectorAll(\"[data-testid^='room-entry-'] .room-name\")] \
                           .some(e => e.textContent === arguments[0]);",
                        vec![json!(name)],
                    )
                    .await?;
                Ok((listed == Value::Bool(false)).then_some(()))
            },
        )
        .await
    }

    /// Waits until the element with `data-testid` `id` shows text containing
    /// `needle`, and returns its text.
    pub async fn wait_for_text(&self, id: &str, needle: &str) -> Result<String> {
        wait::until(
            &format!("[data-testid='{id}'] to say {needle:?}"),
            STEP_TIMEOUT,
            || async {
                let text = self
                    .js(
                        "const e = document.querySelector(`[data-testid='${arguments[0]}']`); \
                         return e ? e.textContent : null;",
                        vec![json!(id)],
                    )
                    .await?;
                Ok(text
                    .as_str()
                    .filter(|t| t.contains(needle))
                    .map(str::to_owned))
            },
        )
        .await
    }

    /// Waits until no element has `data-testid` `id`.
    pub async fn wait_for_absent(&self, id: &str) -> Result<()> {
        wait::until(
            &format!("[data-testid='{id}'] to go"),
            STEP_TIMEOUT,
            || async {
                let found = self
                    .client
                    .find_all(Locator::Css(&format!("[data-testid='{id}']")))
                    .await?;
                Ok(found.is_empty().then_some(()))
            },
        )
        .await
    }

    /// Every `data-testid` on the page that starts with `prefix`.
    pub async fn testids_starting_with(&self, prefix: &str) -> Result<Vec<String>> {
        let value = self
            .js(
                "return [...document.querySelectorAll('[data-testid]')] \
                   .map(e => e.dataset.testid).filter(id => id.startsWith(arguments[0]));",
                vec![json!(prefix)],
            )
            .await?;
        Ok(value
            .as_array()
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| id.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The `data-testid` of the focused element, if it has one.
    pub async fn focused_testid(&self) -> Result<Option<String>> {
        let value = self
            .js(
                "return document.activeElement?.dataset?.testid ?? null;",
                vec![],
            )
            .await?;
        Ok(value.as_str().map(str::to_owned))
    }

    /// Presses Escape on the focused element.
    pub async fn press_escape(&self) -> Result<()> {
        self.client
            .active_element()
            .await?
            .send_keys(&Key::Escape.to_string())
            .await?;
        Ok(())
    }

    /// Ends the session (closing Chromium).
    pub async fn close(self) -> Result<()> {
        self.client
            .close()
            .await
            .context("closing the browser session")
    }
}

/// Fails unless the page shows no error banner.
pub async fn assert_no_error(browser: &Browser) -> Result<()> {
    let banners = browser
        .client
        .find_all(Locator::Css("[data-testid='error-banner']"))
        .await?;
    if let Some(banner) = banners.first() {
        bail!("unexpected error banner: {}", banner.text().await?);
    }
    Ok(())
}
