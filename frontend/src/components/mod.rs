pub mod channel_icon;
pub mod language_select;
pub mod layout;
pub mod toast;
