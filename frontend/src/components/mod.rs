pub mod channel_icon;
pub mod copy_field;
pub mod form;
pub mod language_select;
pub mod layout;
pub mod toast;
