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
inbox-settings-locale = Language
inbox-settings-locale-help = The language this inbox greets callers in.
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
error-twilio-setup-failed = Twilio refused the setup. Check the credentials and try again.
error-twilio-setup-failed-with = Twilio refused the setup: { $message }

## Form controls
form-show = Show
form-hide = Hide
form-show-field = Show { $field }
form-hide-field = Hide { $field }
copy = Copy
copied = Copied to the clipboard.
copy-failed = Could not copy automatically. The text is selected: press Ctrl+C (⌘C on a Mac) to copy it.

## New inbox wizard: channel tiles (channel-<key>-title / -description)
wizard-back-to-channels = Choose another channel
channel-voice-title = Voice
channel-voice-description = Integrate with Twilio Voice
channel-api-title = API
channel-api-description = Make a custom channel using our API
channel-instagram-title = Instagram
channel-instagram-description = Connect your Instagram account
channel-website-title = Website
channel-website-description = Create a live-chat widget
channel-facebook-title = Messenger
channel-facebook-description = Connect your Facebook page
channel-whatsapp-title = WhatsApp
channel-whatsapp-description = Support your customers on WhatsApp
channel-sms-title = SMS
channel-sms-description = Integrate an SMS channel with Twilio or Bandwidth
channel-email-title = Email
channel-email-description = Connect with Gmail, Outlook or other providers
channel-telegram-title = Telegram
channel-telegram-description = Configure a Telegram channel using a bot token
channel-line-title = LINE
channel-line-description = Integrate your LINE channel
channel-tiktok-title = TikTok
channel-tiktok-description = Connect your TikTok account
channel-twitter-title = X (Twitter)
channel-twitter-description = Connect your X profile

## New inbox wizard: voice
voice-title = Voice channel
voice-description = Receive phone calls through your Twilio number. Switchboard sets up the number's voice webhooks for you.
voice-phone-number-label = Phone number
voice-phone-number-placeholder = +15551234567
voice-phone-number-help = Your Twilio number in E.164 format: a + then the country code and the number, no spaces.
voice-phone-number-required = Enter the phone number.
voice-phone-number-invalid = Enter the number in E.164 format, e.g. +15551234567 (a +, the country code and the number, no spaces or dashes).
voice-phone-number-taken = This phone number is already connected to an inbox.
voice-account-sid-label = Account SID
voice-account-sid-placeholder = ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
voice-account-sid-help = In the Twilio Console, under Account Info on the home page. It starts with AC.
voice-account-sid-required = Enter your Twilio Account SID.
voice-account-sid-invalid = The Account SID is AC followed by 32 letters (a–f) and digits.
voice-auth-token-label = Auth Token
voice-auth-token-placeholder = Your Twilio auth token
voice-auth-token-help = Next to the Account SID under Account Info in the Twilio Console.
voice-auth-token-required = Enter your Twilio Auth Token.
voice-api-key-sid-label = API Key SID
voice-api-key-sid-placeholder = SKxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
voice-api-key-sid-help = Create a Standard API key in the Twilio Console under Account › API keys & tokens. Its SID starts with SK.
voice-api-key-sid-required = Enter your Twilio API Key SID.
voice-api-key-sid-invalid = The API Key SID is SK followed by 32 letters (a–f) and digits.
voice-api-key-secret-label = API Key Secret
voice-api-key-secret-placeholder = Your API key secret
voice-api-key-secret-help = Shown only once, when you create the API key in the Twilio Console.
voice-api-key-secret-required = Enter your Twilio API Key Secret.
voice-submit = Create voice channel
voice-submitting = Creating voice channel…
voice-provider-twilio = Twilio
voice-webhooks-intro = Twilio sends calls to these two addresses. Switchboard configures them on your number automatically; if the number was not found, paste them in yourself.
voice-call-webhook-url-label = Voice webhook URL
voice-call-webhook-url-hint = In the Twilio Console, open your number › Voice Configuration and paste it under “A call comes in” (Webhook, HTTP POST).
voice-status-webhook-url-label = Status callback URL
voice-status-webhook-url-hint = On the same page, paste it under “Call status changes” (HTTP POST).

## New inbox wizard: API
api-title = API channel
api-description = A custom channel: send and receive messages through Switchboard's API.
api-name-label = Inbox name
api-name-placeholder = e.g. Website chat backend
api-name-help = Shown to agents in the sidebar and the conversation list.
api-name-required = Enter a name.
api-name-too-long = The name is too long (255 characters at most).
api-name-invalid = This name cannot be used.
api-webhook-url-label = Webhook URL (optional)
api-webhook-url-placeholder = https://example.com/switchboard/webhook
api-webhook-url-help = Switchboard posts new messages and events of this inbox to this address.
api-webhook-url-invalid = Enter a full URL starting with https:// or http://.
api-submit = Create API channel
api-submitting = Creating API channel…

## New inbox wizard: agents
agents-title = Add agents
agents-description = Choose the agents who handle this inbox's conversations. You can change them later.
agents-legend = Agents
agents-empty = There are no other agents in this account yet. You can add members to this inbox later.
agents-continue = Continue
agents-submit = Add agents
agents-submitting = Adding agents…
agents-skip = Skip

## New inbox wizard: done
finish-title = Done
finish-description = Your new inbox is set up.
finish-ready = Your inbox is ready
finish-go-to-settings = Go to inbox settings
warning-generic = The inbox was created, but part of its setup did not complete. Check its configuration.
warning-phone-number-not-found-in-twilio = This number was not found in your Twilio account, so its webhooks were not set. Paste the two URLs below into the number's Voice Configuration, or calls will not reach this inbox.

## Inbox settings (voice)
inbox-settings-phone-e164 = E.164
inbox-settings-provider = Provider
inbox-settings-voice-config = Twilio configuration

## Super admin: Instagram app configuration
super-admin-forbidden-title = You are not allowed to see this page
super-admin-forbidden-text = Only super admins of this installation can change the app configuration. Ask one of them if a setting needs changing.
ig-config-title = Instagram
ig-config-description = The Meta app that lets your accounts connect Instagram professional accounts (Instagram API with Instagram Login).
ig-config-status-configured = Configured: administrators can connect Instagram inboxes.
ig-config-status-missing = Not configured yet: enter the App ID and App Secret to offer Instagram inboxes.
ig-not-set = Not set
ig-app-id-label = Instagram App ID
ig-app-id-placeholder = e.g. 123456789012345
ig-app-id-help = In Meta for Developers, open your app › Instagram › API setup with Instagram login: the "Instagram app ID" (not the Facebook app ID under App settings › Basic).
ig-app-id-invalid = The App ID is a number, such as 123456789012345.
ig-app-secret-label = Instagram App Secret
ig-app-secret-help = Next to the Instagram app ID under API setup with Instagram login ("Instagram app secret"; press Show in Meta's dashboard). Stored encrypted; leave the mask to keep the saved secret.
ig-app-secret-invalid = This App Secret was refused. Paste it again from Meta's dashboard.
ig-verify-token-label = Webhook verify token
ig-verify-token-help = Any string you choose. Paste the same value as "Verify token" when you set up webhooks in Meta's dashboard (API setup with Instagram login › Configure webhooks).
ig-verify-token-invalid = This verify token was refused. Use letters, digits and punctuation, without spaces.
ig-api-version-label = Graph API version
ig-api-version-placeholder = v22.0
ig-api-version-help = The Instagram Graph API version to call, written like v22.0. Leave the default unless Meta has retired it.
ig-api-version-invalid = Write the version like v22.0.
ig-human-agent-label = Allow replies up to 7 days after the customer's last message (Human Agent)
ig-human-agent-help = Needs Meta's approval of the "Human Agent" permission for your app (App review). Without it, replies are only possible within 24 hours.
ig-human-agent-invalid = This value was refused. Turn the option off and on again.
ig-save = Save
ig-saving = Saving…
ig-config-saved = Instagram settings saved.
ig-urls-title = URLs for Meta's dashboard
ig-urls-description = Copy these into your Meta app. They are built from this server's public address (FRONTEND_URL).
ig-url-webhook-label = Webhook callback URL
ig-url-webhook-hint = Instagram › API setup with Instagram login › Configure webhooks: "Callback URL", with the verify token above. Subscribe to messages, message_reactions and messaging_seen.
ig-url-redirect-label = OAuth redirect URL
ig-url-redirect-hint = Instagram › API setup with Instagram login › Set up Instagram business login: "OAuth redirect URIs".
ig-url-deauthorize-label = Deauthorize callback URL
ig-url-deauthorize-hint = Business login settings: "Deauthorize callback URL". Meta calls it when someone removes your app.
ig-url-data-deletion-label = Data deletion request URL
ig-url-data-deletion-hint = Business login settings: "Data deletion request URL". Meta calls it when someone asks for their data to be deleted.

## Instagram: channel picker and wizard
channel-instagram-not-configured = Not available yet: a super admin has to enter the Instagram app credentials first.
channel-instagram-configure = Configure Instagram
ig-wizard-title = Connect Instagram
ig-wizard-description = Receive and answer Instagram Direct messages of a professional (business or creator) account.
ig-wizard-how-title = What happens next
ig-wizard-how-1 = You are sent to Instagram to log in with the professional account you want to connect.
ig-wizard-how-2 = Instagram asks you to allow Switchboard to read and send its messages. Approve it.
ig-wizard-how-3 = You come back here to choose which agents work in the new inbox.
ig-wizard-requirements = The account must be an Instagram professional account, and "Allow access to messages" must be on in the Instagram app (Settings › Messages and story replies › Message controls).
ig-wizard-admin-only = Only administrators of this account can connect Instagram.
ig-connect = Continue with Instagram
ig-redirecting = Redirecting to Instagram…
ig-error-access-denied = Authorization canceled — nothing was connected.
ig-error-state-expired = The connection attempt expired. Start again.
ig-error-state-reused = This connection attempt was already used. Start again.
ig-error-state-invalid = The connection attempt could not be verified. Start again.
ig-error-account-already-connected = This Instagram account is connected in another Switchboard account.
ig-error-not-configured = Instagram is not configured on this installation. Ask a super admin to enter the app credentials.
ig-error-forbidden = Only administrators of this account can connect Instagram.
ig-error-timeout = Instagram took too long to answer. Try again in a moment.
ig-error-network = Switchboard could not reach Instagram. Try again in a moment.
ig-error-invalid-response = Instagram sent an answer Switchboard could not read. Try again.
ig-error-token = Instagram's access token is expired or invalid. Connect the account again.
ig-error-rate-limited = Instagram is limiting requests right now. Wait a few minutes and try again.
ig-error-permissions = The app lacks a permission it needs. Approve every permission Instagram asks for, and check the app's permissions in Meta's dashboard.
ig-error-generic = Instagram returned an error.
error-instagram-not-configured = Instagram is not configured on this installation. Ask a super admin to enter the app credentials.

## Instagram: inbox settings
ig-reauthorize-banner = Instagram no longer accepts this inbox's access. Reconnect Instagram to keep receiving and sending messages.
ig-reconnect = Reconnect Instagram
ig-reauthorized = Instagram reconnected.
inbox-settings-instagram-id = Instagram account ID
inbox-settings-token-expires = Access expires
inbox-settings-token-expired = Expired

finish-instagram-connected = @{ $username } is connected. New Direct messages to it will appear in Conversations.

## Conversations: list
conv-tabs-label = Show conversations
conv-tab-mine = Mine
conv-tab-unassigned = Unassigned
conv-tab-all = All
conv-status-label = Status
conv-status-open = Open
conv-status-resolved = Resolved
conv-status-pending = Pending
conv-state-open = Open
conv-state-resolved = Resolved
conv-state-pending = Pending
conv-status-all = All statuses
conv-loading = Loading conversations…
conv-load-more = Load more
conv-empty-mine = No conversations assigned to you
conv-empty-mine-hint = Conversations you are assigned to appear here. Pick one from the other tabs and assign it to yourself.
conv-empty-unassigned = No unassigned conversations
conv-empty-unassigned-hint = Every conversation with this status has an agent.
conv-show-all = Show all conversations
conv-unread = Unread messages: { $count }
conv-preview-deleted = Message deleted
conv-preview-attachment = Attachment
conv-preview-unsupported = Unsupported message
conv-preview-outgoing = You: { $text }
conv-preview-private = Note: { $text }
conv-select-hint = Select a conversation to read it and reply.
time-now = now
time-minutes = { $n } min
time-hours = { $n } h

## Conversations: thread
conv-back = All conversations
conv-assignee = Assignee
conv-unassigned = Unassigned
conv-assign-me = Assign to me
conv-resolve = Resolve
conv-reopen = Reopen
conv-open-inbox-settings = Open inbox settings
conv-messages-label = Messages
conv-load-earlier = Load earlier messages
conv-no-messages = No messages in this conversation yet.
conv-private-note = Private note
conv-message-reply = Reply to an earlier message
conv-message-deleted = This message was deleted
conv-message-unsupported = This message type is not supported here. Open it in the channel's own app to see it.
conv-message-failed = Not delivered.
conv-reactions = Reactions
conv-reaction-by = { $emoji } from { $name }
conv-attachment-image = Image
conv-attachment-image-from = Image sent by { $name }
conv-attachment-video = Video
conv-attachment-audio = Audio message
conv-attachment-open = Open attachment
conv-status-sending = Sending…
conv-status-sent = Sent
conv-status-delivered = Delivered
conv-status-read = Read
conv-status-failed = Failed
conv-call-incoming = Incoming call from { $number }
conv-call-outgoing = Outgoing call to { $number }
conv-call-status-ringing = Ringing
conv-call-status-in-progress = In progress
conv-call-status-completed = Completed
conv-call-status-missed = Missed
conv-call-status-ended = Ended
conv-call-duration = Duration
conv-call-recording = Call recording
conv-preview-call = Call
conv-preview-missed-call = Missed call

## Conversations: reply box
conv-reply-label = Reply
conv-reply-private-label = Private note
conv-reply-placeholder = Write a reply…
conv-reply-private-placeholder = Write a private note — only agents see it…
conv-reply-closed-placeholder = Replies are not possible right now. You can still add a private note.
conv-reply-keys = Enter to send, Shift+Enter for a new line
conv-private-note-toggle = Private note
conv-attach-files = Attach files
conv-attach-files-hint = Pick files, or paste or drop them into the reply box
conv-files-picked = Files to send with the reply
conv-file-remove = Remove { $name }
conv-file-too-large = { $name } is larger than { $size } and was not added.
conv-too-many-files = A reply can carry at most { $count } files.
conv-send = Send
conv-add-note = Add note
conv-window-closed = You cannot reply to this conversation right now. You can still add a private note.
conv-window-closed-24h = Instagram only allows replies within 24 hours of the customer's last message. That window closed on { $time }. You can reply again when the customer writes, and you can still add a private note.
conv-window-closed-human-agent = Instagram allows replies up to 7 days after the customer's last message (Human Agent). That window closed on { $time }. You can reply again when the customer writes, and you can still add a private note.
conv-window-open-until = You can reply until { $time }.
conv-window-human-agent = The 24-hour window has passed: replies are sent with Instagram's Human Agent tag until { $time }.
error-messaging-window-closed = The reply window for this conversation has closed, so the message was not sent. You can still add a private note.
