//! Who is signed in. One global signal: set at startup from `GET /api/v1/profile`, on sign-in, and cleared by
//! sign-out or any 401 (the account layout then sends the user to the login page).

use leptos::prelude::*;
use shared::dto::{AccountMembership, Profile, SessionUser};
use std::cell::OnceCell;

#[derive(Debug, Clone, PartialEq)]
pub struct Me {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub account_id: Option<i64>,
    pub accounts: Vec<AccountMembership>,
    pub super_admin: bool,
}

impl Me {
    /// Where the user lands: their default account's inbox list.
    pub fn home(&self) -> String {
        match self
            .account_id
            .or_else(|| self.accounts.first().map(|a| a.id))
        {
            Some(id) => format!("/app/accounts/{id}/settings/inboxes"),
            None if self.super_admin => "/app/super_admin/app_config".to_owned(),
            None => "/app/login".to_owned(),
        }
    }

    pub fn account_name(&self, account_id: i64) -> Option<String> {
        self.accounts
            .iter()
            .find(|a| a.id == account_id)
            .map(|a| a.name.clone())
    }
}

impl From<Profile> for Me {
    fn from(p: Profile) -> Self {
        Me {
            id: p.id,
            name: p.name,
            email: p.email,
            account_id: p.account_id,
            accounts: p.accounts,
            super_admin: p.super_admin,
        }
    }
}

impl From<SessionUser> for Me {
    fn from(u: SessionUser) -> Self {
        Me {
            id: u.id,
            name: u.name,
            email: u.email,
            account_id: u.account_id,
            accounts: u.accounts,
            super_admin: u.super_admin,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Session {
    /// The startup profile request has not answered yet.
    Unknown,
    SignedOut,
    SignedIn(Me),
}

thread_local! {
    static SESSION: OnceCell<RwSignal<Session>> = const { OnceCell::new() };
}

pub fn session() -> RwSignal<Session> {
    SESSION.with(|s| *s.get_or_init(|| RwSignal::new(Session::Unknown)))
}

pub fn signed_out() {
    session().set(Session::SignedOut);
}

pub fn signed_in(me: Me) {
    session().set(Session::SignedIn(me));
}

/// Asks the server once at startup whether the session cookie is still valid.
pub fn load_profile() {
    leptos::task::spawn_local(async {
        match crate::api::profile().await {
            Ok(profile) => signed_in(profile.into()),
            Err(_) => signed_out(),
        }
    });
}
