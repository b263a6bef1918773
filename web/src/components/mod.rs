//! The views: one function component (and its props) per file.

pub mod admin_notice;
pub mod app;
pub mod chat_provider;
pub mod chat_screen;
pub mod composer;
pub mod confirm_dialog;
pub mod connection_status;
pub mod create_room_form;
pub mod create_user_form;
pub mod delete_user_form;
pub mod error_banner;
pub mod login_screen;
pub mod main_view;
pub mod members_panel;
pub mod message_group;
pub mod message_item;
pub mod message_list;
pub mod room_admin_bar;
pub mod room_entry;
pub mod room_header;
pub mod sidebar;
pub mod user_admin_panel;
