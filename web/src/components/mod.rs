//! The views: one function component (and its props) per file.
//!
//! Views with no state of their own that re-render with their parent anyway (the
//! error banner, the connection pill, the room header, ...) are plain functions the
//! parent calls instead: a component costs the wasm about 1.5 KB of glue (its
//! runner, mount, props comparison and scope).

pub mod admin_notice;
pub mod announcer;
pub mod app;
pub mod chat_screen;
pub mod composer;
pub mod confirm_dialog;
pub mod connection_status;
pub mod create_room_form;
pub mod create_user_form;
pub mod delete_user_form;
pub mod error_banner;
pub mod external_images_toggle;
pub mod history_top;
pub mod image_tools;
pub mod login_screen;
pub mod members_panel;
pub mod message_group;
pub mod message_image;
pub mod message_item;
pub mod message_list;
pub mod notifications_toggle;
pub mod room_admin_bar;
pub mod room_entry;
pub mod room_header;
pub mod search_box;
pub mod search_results;
pub mod sidebar;
pub mod stored_note;
pub mod text_input;
pub mod theme_toggle;
pub mod upload_progress;
pub mod user_admin_panel;
