# Switchboard SPA — English (source locale). Every key here must exist in es and pt-BR too
# (checked by shared/tests/i18n.rs).

app-name = Switchboard
loading = Loading…
skip-to-content = Skip to content

## Languages (each named in its own language)
language-label = Language
language-en = English
language-es = Español
language-pt-BR = Português (Brasil)

## Sidebar
nav-main = Main navigation
nav-account = Account
nav-conversations = Conversations
nav-settings = Settings
nav-inboxes = Inboxes
nav-super-admin = Super admin
nav-sign-out = Sign out
sidebar-inboxes-heading = Inboxes
sidebar-no-inboxes = No inboxes yet

## Login
login-title = Sign in to Switchboard
login-subtitle = Use the email and password of your agent account.
login-email = Email
login-email-placeholder = you@example.com
login-password = Password
login-password-placeholder = Your password
login-submit = Sign in
login-submitting = Signing in…
login-no-account = You are signed in, but you are not a member of any account yet. Ask an administrator to add you.

## Inbox list
inboxes-title = Inboxes
inboxes-description = Channels your customers reach you through. Each inbox routes its messages to the agents assigned to it.
inboxes-add = Add inbox
inboxes-empty = There are no inboxes in this account yet. Add one to start receiving messages.
inboxes-loading = Loading inboxes…
inboxes-settings = Settings
inboxes-settings-for = Settings for { $name }
inboxes-reauthorize = Needs reconnection
retry = Retry

## Conversations
conversations-title = Conversations
conversations-empty = No conversations yet
conversations-empty-hint = When customers write to one of your inboxes, their conversations appear here.
conversations-go-to-inboxes = Manage inboxes

## New inbox (channel picker)
new-inbox-title = Add inbox
new-inbox-description = Choose the channel your customers will use to reach you.
new-inbox-step-channel = Choose channel
new-inbox-step-configure = Configure
new-inbox-step-agents = Add agents
new-inbox-step-done = Done
new-inbox-steps = Progress
new-inbox-coming-soon = Coming soon
new-inbox-back = Back to inboxes

## Inbox settings
inbox-settings-title = Inbox settings
inbox-settings-description = The name, channel and identity of this inbox.
inbox-settings-name = Inbox name
inbox-settings-name-placeholder = e.g. Support line
inbox-settings-name-help = Shown to agents in the sidebar and the conversation list.
inbox-settings-name-required = Enter a name.
inbox-settings-type = Channel
inbox-settings-id = Inbox ID
inbox-settings-phone = Phone number
inbox-settings-username = Username
inbox-settings-save = Save changes
inbox-settings-saving = Saving…
inbox-settings-saved = Inbox updated.
inbox-settings-reauthorize = This inbox has lost access to its channel. Reconnect it to keep receiving messages.

## Super admin
super-admin-title = App configuration
super-admin-description = Installation-wide settings, such as the Instagram app credentials.
super-admin-placeholder = Configuration forms will appear here.

## Not found
not-found-title = Page not found
not-found-text = The page you are looking for does not exist or was moved.
not-found-home = Go to the dashboard

## Channel types (ChannelType::label_key)
channel-type-web-widget = Website
channel-type-api = API
channel-type-email = Email
channel-type-facebook = Messenger
channel-type-instagram = Instagram
channel-type-telegram = Telegram
channel-type-line = LINE
channel-type-sms = SMS
channel-type-twilio-sms = Twilio SMS
channel-type-whatsapp = WhatsApp
channel-type-twitter = X (Twitter)
channel-type-tiktok = TikTok
channel-type-voice = Voice
channel-type-other = Other channel

## API error codes (error-<code>, underscores as dashes)
error-generic = Something went wrong. Please try again.
error-network-error = Could not reach the server. Check your connection and try again.
error-invalid-credentials = The email or password is incorrect.
error-rate-limited = Too many attempts. Please wait a moment and try again.
error-unauthorized = Your session has ended. Please sign in again.
error-forbidden = You do not have permission to do that.
error-not-found = This item does not exist or you do not have access to it.
error-validation-failed = Some fields are not valid. Check them and try again.
error-internal-error = The server ran into a problem. Please try again later.
error-malformed-json = The request could not be read. Please reload the page and try again.
error-missing-requested-with = The request was refused for security reasons. Please reload the page.
error-payload-too-large = That is too large to send.
error-service-unavailable = The service is temporarily unavailable. Please try again in a moment.
error-unsupported-channel-type = This channel type is not supported yet.
