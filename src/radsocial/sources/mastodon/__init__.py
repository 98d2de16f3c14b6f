"""Mastodon (4.x REST API) statuses → `Post`.

Accepted records (one decoded JSON value each; the reader has already split top-level
arrays and unwrapped recorded-response envelopes):

* a `Status` (timelines, `/api/v1/statuses/:id`, account statuses, bookmarks, ...);
* a search result `{"accounts", "statuses", "hashtags"}` and a grouped-notifications page
  `{"accounts", "statuses", "notification_groups"}` → their statuses;
* a status context `{"ancestors", "descendants"}`;
* a notification `{"type", "account", "status", ...}` (those without a status give nothing);
* a conversation `{"id", "accounts", "last_status", "unread"}` → its last status;
* a streaming message `{"stream", "event", "payload"}` (WebSocket; `payload` is a JSON
  string) for `update` / `status.update` / `notification`; other events give nothing.

Identity decisions (see docs/sources/mastodon.md):

* `platform_id` is the status `uri` (the ActivityPub id, unique across the fediverse); the
  numeric `id` is only valid on the instance that served the payload, so it goes to
  `extras["id"]` with that instance's host in `extras["instance"]`.
* `author_id` is the account `url` (what `mentions[]` also carry, so reply authors can be
  resolved); handles and mentions are fully qualified `user@host`.
* a reply's `reply_to_id` is the parent's `uri` when the parent is in the same payload
  (context, reblog, quote); otherwise the instance-local id can only be written as
  `https://<instance>/api/v1/statuses/<id>` — a real URL on the serving instance that
  returns the parent — and needs the serving instance (option `instance`, an `http(s)`
  `ctx.source`, or a local author in the payload). Without it `reply_to_id` stays None and
  the local id is kept in `extras["in_reply_to_id"]`.
"""

from radsocial.sources.mastodon.format import PLATFORM, MastodonFormat
from radsocial.sources.mastodon.html import _convert, html_to_text

__all__ = ["PLATFORM", "MastodonFormat", "_convert", "html_to_text"]
