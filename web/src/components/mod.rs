//! The views: one function component (and its props) per file.

pub mod announcer;
pub mod app;
pub mod chat_provider;
pub mod chat_screen;
pub mod composer;
pub mod connection_status;
pub mod create_room_form;
pub mod error_banner;
pub mod image_tools;
pub mod login_screen;
pub mod main_view;
pub mod members_panel;
pub mod message_group;
pub mod message_image;
pub mod message_item;
pub mod message_list;
pub mod notifications_toggle;
pub mod room_entry;
pub mod room_header;
pub mod sidebar;
pub mod theme_toggle;
pub mod upload_progress;
