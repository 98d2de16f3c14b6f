"""Bluesky (AT Protocol) importers: AppView post views, Jetstream and Tap events.

Three JSON formats share one record reader:

* `BlueskyFormat` ("bluesky") reads `app.bsky.feed.defs#postView` objects as the public
  AppView returns them, alone or in their response envelopes: `searchPosts` / `getPosts` /
  `getQuotes` (`{"posts": [...]}`), feeds (`getAuthorFeed`, `getTimeline`, `getFeed`,
  `getListFeed`, `getActorLikes`: `{"feed": [{"post", "reply", "reason"}]}`) and threads
  (`getPostThread`: `{"thread": threadViewPost}`, walked up through `parent` and down
  through `replies`; also the list-shaped `getPostThreadV2`).
* `JetstreamFormat` ("bluesky-jetstream") reads Jetstream firehose events.
* `TapFormat` ("bluesky-tap") reads the record events of Bluesky's `tap` sync tool.

Post views carry the author's handle, counts and hydrated embeds (full-size image URLs,
the quoted post); Jetstream and Tap events carry only the raw record, so their posts have
no handle and no counts. The mapping is documented in docs/sources/bluesky.md.
"""

from radsocial.sources.bluesky.common import PLATFORM, tid_time
from radsocial.sources.bluesky.firehose import JetstreamFormat, TapFormat
from radsocial.sources.bluesky.views import BlueskyFormat

__all__ = ["PLATFORM", "BlueskyFormat", "JetstreamFormat", "TapFormat", "tid_time"]
