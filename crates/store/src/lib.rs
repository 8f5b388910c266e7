//! Storage traits and the records they move. Nothing here assumes a backend: the service layer
//! talks to `dyn Store`, the SQLite backend (medley-store-sqlite) is the embedded default, and a
//! PostgreSQL backend slots in behind the same traits.

mod records;

pub use medley_core::session::{
    ContextKind, ContextRef, EventRow, Session, SessionBody, Stream, UserStreams,
};
pub use records::*;

use async_trait::async_trait;
use medley_core::catalog::{CatalogFile, TrackView};
use medley_core::ids::{AlbumId, ArtistId, PlaylistId, ShowId, UserId};
use medley_core::mrn::ItemKind;
use medley_core::policy::Tier;
use uuid::Uuid;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// An optimistic-concurrency check failed: someone else wrote first. Retry from a fresh read.
    #[error("concurrent update")]
    Conflict,
    /// The input was refused by the store (for example a dangling reference in a catalog file).
    /// The text is Medley's own, written for the client: never a database's message.
    #[error("{0}")]
    Invalid(String),
    /// The store cannot be reached or cannot write just now (the database restarts, the disk
    /// is full): a temporary condition, worth a retry. The text is the cause, for the log.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Anything else that went wrong inside the store. The text is the cause, for the log.
    #[error("storage failure: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Imports a catalog file in one transaction; importing again updates.
    async fn import_catalog(&self, file: CatalogFile) -> StoreResult<ImportSummary>;
    /// Imports what a folder scan found, in one transaction. With a `root`, the tracks whose
    /// files under it were not found are retired, except those of `keep` (files there but not
    /// readable just now).
    async fn import_scan(
        &self,
        file: CatalogFile,
        root: Option<&str>,
        keep: &[String],
        artwork: &[Artwork],
    ) -> StoreResult<ImportSummary>;
    /// How many tracks have their file under `root` (a folder's path, without a final `/`).
    async fn tracks_under(&self, root: &str) -> StoreResult<u64>;
    /// Where the artwork of this id comes from.
    async fn artwork(&self, id: &str) -> StoreResult<Option<Artwork>>;
    /// Tracks joined with album and artists, in the order asked; unknown ids are left out.
    async fn tracks(&self, ids: &[String]) -> StoreResult<Vec<TrackView>>;
    /// Number of entries of a context, `None` when it does not exist.
    async fn context_len(&self, ctx: &ContextRef) -> StoreResult<Option<u32>>;
    /// Track ids at the given context indices (same order).
    /// `None` where the context no longer has that index (it shrank since the session began).
    async fn context_tracks(
        &self,
        ctx: &ContextRef,
        indices: &[u32],
    ) -> StoreResult<Vec<Option<String>>>;
    /// The first index of `track_id` in the context.
    async fn context_index_of(&self, ctx: &ContextRef, track_id: &str) -> StoreResult<Option<u32>>;
    /// The primary artist id of every context entry, for contexts up to `max` entries.
    async fn context_artists(&self, ctx: &ContextRef, max: u32)
        -> StoreResult<Option<Vec<String>>>;
    /// The title (or an artist's name) of a catalog item; `kind` is `ALBUM`, `PLAYLIST`,
    /// `ARTIST`, `TRACK` or `PODCAST_SHOW`.
    async fn item_title(&self, kind: &str, id: &str) -> StoreResult<Option<String>> {
        let asked = [(kind.to_string(), id.to_string())];
        Ok(self.item_titles(&asked).await?.pop().flatten())
    }
    /// The titles of several `(kind, id)` items at once, in the order asked.
    async fn item_titles(&self, items: &[(String, String)]) -> StoreResult<Vec<Option<String>>>;
    /// Up to `limit` tracks of a genre (exact name), a sample that starts at `pivot`.
    async fn genre_tracks(&self, genre: &str, pivot: u64, limit: u32) -> StoreResult<Vec<String>>;
    /// Up to `limit` entities of a kind for Alexa's voice catalogs, in id order after `after`
    /// (`""` for the first page): those with something to play, and public.
    async fn voice_entries(
        &self,
        kind: VoiceKind,
        after: &str,
        limit: u32,
    ) -> StoreResult<Vec<VoiceEntry>>;
    /// The genres of the catalog's tracks, by name: a short list kept at import.
    async fn genres(&self) -> StoreResult<Vec<String>>;
    /// Up to `limit` tracks of the whole catalog, a sample that starts at `pivot`.
    async fn sample_tracks(&self, pivot: u64, limit: u32) -> StoreResult<Vec<String>>;
    /// Tracks with each of the signals, in the order given (each artist's, then each genre's,
    /// then each year's, give or take three, then the whole catalog's): up to `per` of each,
    /// each group a sample that starts at `pivot`.
    async fn signal_tracks(&self, signals: &TrackSignals) -> StoreResult<Vec<String>>;
    /// For each of `tracks` in turn, up to `max` distinct users other than `except` among its
    /// `recent` latest plays, all in one list (a user can be in it more than once).
    async fn listeners(
        &self,
        tracks: &[String],
        except: Option<&UserId>,
        recent: u32,
        max: u32,
    ) -> StoreResult<Vec<UserId>>;
    /// Each user's `per_user` latest plays, newest first, as `(user, track)`.
    async fn latest_plays(
        &self,
        users: &[UserId],
        per_user: u32,
    ) -> StoreResult<Vec<(UserId, String)>>;
    /// The recommender's features of the tracks of `ids` that exist, in that order (no plays
    /// counted).
    async fn track_features(&self, ids: &[String]) -> StoreResult<Vec<Candidate>>;
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn create_user(&self, user: &User) -> StoreResult<()>;
    async fn user(&self, id: &UserId) -> StoreResult<Option<User>>;
    /// Users by id, in the order asked; unknown ids are left out.
    async fn users(&self, ids: &[UserId]) -> StoreResult<Vec<User>>;
    /// Up to `limit` users in id order, after `after`: every user, a page at a time.
    async fn users_after(&self, after: Option<&UserId>, limit: u32) -> StoreResult<Vec<User>>;
    /// The users with this id or, case aside, this name (at most 10).
    async fn users_called(&self, login: &str) -> StoreResult<Vec<User>>;
    /// Sets a user's name and visibilities; false when there is no such user.
    async fn update_profile(
        &self,
        id: &UserId,
        name: &str,
        visibility: Visibility,
        playback_visibility: Visibility,
    ) -> StoreResult<bool>;
    /// Sets a user's tier and how many streams they may play at once; false when there is no
    /// such user.
    async fn set_plan(&self, id: &UserId, tier: Tier, max_streams: u32) -> StoreResult<bool>;
    /// Makes a user an admin or not; false when there is no such user.
    async fn set_admin(&self, id: &UserId, admin: bool) -> StoreResult<bool>;
    /// Sets a user's password hash (a PHC string); false when there is no such user.
    async fn set_password(&self, user_id: &UserId, hash: &str) -> StoreResult<bool>;
    /// The users who can sign in (have a password) with this id or, case aside, this name,
    /// each with its password hash.
    async fn sign_in_candidates(&self, login: &str) -> StoreResult<Vec<(User, String)>>;
    async fn create_client(&self, client: &Client) -> StoreResult<()>;
    async fn client(&self, api_key: &str) -> StoreResult<Option<Client>>;
    /// Replaces a client's redirect URIs; false when there is no such client.
    async fn set_redirect_uris(&self, api_key: &str, uris: &[String]) -> StoreResult<bool>;
    async fn insert_token(&self, token: &TokenRecord) -> StoreResult<()>;
    /// The token with this hash, with its user; none once its grant is revoked.
    async fn token(&self, hash: &str) -> StoreResult<Option<(TokenRecord, User)>>;
    async fn create_auth_code(&self, code: &AuthCode) -> StoreResult<()>;
    /// The code with this hash, removed as it is read: a code is used at most once.
    async fn take_auth_code(&self, hash: &str) -> StoreResult<Option<AuthCode>>;
    /// Stores a device code; false when its user code is taken (the caller draws another).
    async fn create_device_code(&self, code: &DeviceCode) -> StoreResult<bool>;
    /// The device code with this user code (case as stored).
    async fn device_code_by_user_code(&self, user_code: &str) -> StoreResult<Option<DeviceCode>>;
    /// Marks the device code of `user_code` approved by `user_id`; false if there is none.
    async fn approve_device_code(&self, user_code: &str, user_id: &UserId) -> StoreResult<bool>;
    /// A device's poll: the code as it was before this poll, whose time is now recorded; an
    /// approved code is removed as it is read (it yields tokens once).
    async fn poll_device_code(&self, hash: &str, now_ms: i64) -> StoreResult<Option<DeviceCode>>;
    /// Stores a grant. A grant with a browser replaces (revokes) the live grants of the same
    /// user, client and browser; how many it replaced.
    async fn create_grant(&self, grant: &GrantRecord) -> StoreResult<u64>;
    /// The live (unrevoked) grant whose current refresh token has this hash.
    async fn grant_by_refresh(&self, refresh_hash: &str) -> StoreResult<Option<GrantRecord>>;
    /// The live grant a refresh token with this hash was once current of, and when it was
    /// replaced.
    async fn grant_by_retired_refresh(
        &self,
        refresh_hash: &str,
    ) -> StoreResult<Option<(GrantRecord, i64)>>;
    /// Replaces a live grant's refresh token `current` by `next`, only if `current` is still
    /// its token (false otherwise); `current` is kept as retired at `now_ms`, and retired
    /// tokens older than `forget_before_ms` are forgotten.
    async fn rotate_refresh(
        &self,
        grant_id: &str,
        current: &str,
        next: &str,
        now_ms: i64,
        forget_before_ms: i64,
    ) -> StoreResult<bool>;
    /// Names one of a user's live grants; false if there is none.
    async fn label_grant(&self, user_id: &UserId, grant_id: &str, label: &str)
        -> StoreResult<bool>;
    /// A user's live grants, newest first.
    async fn user_grants(&self, user_id: &UserId) -> StoreResult<Vec<GrantRecord>>;
    /// Revokes one of a user's live grants (and so its tokens); false if there is none.
    async fn revoke_grant(
        &self,
        user_id: &UserId,
        grant_id: &str,
        now_ms: i64,
    ) -> StoreResult<bool>;
    /// Revokes a user's live grants (of one client, or all) and deletes their access tokens,
    /// those `medley token issue` made too; how many grants it revoked.
    async fn revoke_grants(
        &self,
        user_id: &UserId,
        client_key: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<u64>;
    /// A number that grows with every revocation (of a grant or of tokens) by any process
    /// using the store; 0 before the first.
    async fn revocation_mark(&self) -> StoreResult<i64>;
    /// Whether any user exists (the demo seeds an empty store only).
    async fn has_users(&self) -> StoreResult<bool>;
    /// Ok when the store answers and, if its last write failed for want of the database or the
    /// disk, when a write succeeds again (`/readyz`).
    async fn ready(&self) -> StoreResult<()>;
    /// The installation's secret of this name; stores `fresh` first if there is none yet, so
    /// every process sharing the store agrees on it.
    async fn secret(&self, name: &str, fresh: &[u8]) -> StoreResult<Vec<u8>>;
    /// Opens a sign-in to the account page until `expires_ms`, `hash` being its cookie's; the
    /// ones expired by `now_ms` go.
    async fn open_web_session(
        &self,
        hash: &str,
        user_id: &UserId,
        now_ms: i64,
        expires_ms: i64,
    ) -> StoreResult<()>;
    /// The user a sign-in to the account page is of, while it lasts.
    async fn web_session(&self, hash: &str, now_ms: i64) -> StoreResult<Option<UserId>>;
    async fn close_web_session(&self, hash: &str) -> StoreResult<()>;
}

/// Rate limits that every process over a store counts together.
#[async_trait]
pub trait LimitStore: Send + Sync {
    /// For each key, in the order asked: how many failures (of signing in) were counted
    /// against it since `since_ms`, and when the oldest of them was.
    async fn failures(&self, keys: &[String], since_ms: i64) -> StoreResult<Vec<(u32, i64)>>;
    /// Counts a failure against each key at `at_ms`; those before `forget_before_ms` go.
    async fn add_failure(
        &self,
        keys: &[String],
        at_ms: i64,
        forget_before_ms: i64,
    ) -> StoreResult<()>;
    /// Forgets the failures counted against `key`.
    async fn clear_failures(&self, key: &str) -> StoreResult<()>;
    /// Takes `(key, requests)` from the shared token buckets (refilled at `rule.per_sec` up
    /// to `rule.burst` since each was last taken from) and answers what each then holds, in
    /// the order given; the buckets idle since `forget_before_ms` go.
    async fn take_shared(
        &self,
        taken: &[(String, f64)],
        rule: BucketRule,
        now_ms: i64,
    ) -> StoreResult<Vec<f64>>;
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new session, with the track list of a `TrackList` context.
    async fn create_session(&self, session: &Session, track_list: &[String]) -> StoreResult<()>;
    async fn session(&self, id: Uuid) -> StoreResult<Option<Session>>;
    /// Saves `session` if its stored version is still `session.version`; bumps the version.
    async fn save_session(&self, session: &Session) -> StoreResult<()>;
    /// Deletes the sessions with no activity since `before_ms`; returns how many.
    async fn purge_sessions(&self, before_ms: i64) -> StoreResult<u64>;
    /// The user's sessions with activity since `since_ms`, newest first, one per device.
    async fn active_sessions(&self, user_id: &UserId, since_ms: i64) -> StoreResult<Vec<Session>>;
    async fn streams(&self, user_id: &UserId) -> StoreResult<UserStreams>;
    /// How many streams, of every user, have not ended by `now_ms`.
    async fn live_streams(&self, now_ms: i64) -> StoreResult<u64>;
    /// User skips (stop `userNext`) since `since_ms`.
    async fn skips_since(&self, user_id: &UserId, since_ms: i64) -> StoreResult<u32>;
    /// Applies a batch of events atomically: sessions and streams are compare-and-set on their
    /// versions, events are appended (start events are the listening history). Durable
    /// when it returns.
    async fn commit_events(&self, commit: &EventCommit) -> StoreResult<()>;
}

/// Listening history, written by `SessionStore::commit_events` (start events).
#[async_trait]
pub trait HistoryStore: Send + Sync {
    /// The user's plays, newest first, strictly older than `before` (`(played_ms, play_id)`).
    async fn recent_tracks(
        &self,
        user_id: &UserId,
        before: Option<(i64, i64)>,
        limit: u32,
    ) -> StoreResult<Vec<PlayedTrack>>;
    /// The user's most played tracks among their last `recent` plays, most played first (ties:
    /// played last first), at most `limit`.
    async fn top_tracks(
        &self,
        user_id: &UserId,
        recent: u32,
        limit: u32,
    ) -> StoreResult<Vec<String>>;
    /// The distinct things the user played, latest first, of the given types (all when empty),
    /// strictly after `before` in that order (`(played_ms, type, id)`).
    async fn recent_entities(
        &self,
        user_id: &UserId,
        types: &[ItemKind],
        before: Option<(i64, String, String)>,
        limit: u32,
    ) -> StoreResult<Vec<PlayedEntity>>;
}

/// Follows and libraries: a user relates to a target of some kind (`USER`, `ARTIST`,
/// `PLAYLIST`, `PODCAST_SHOW`, `LIBRARY_TRACK`). Lists are newest first, paged by
/// `(created_ms, id)` keysets.
#[async_trait]
pub trait RelationStore: Send + Sync {
    /// Adds (keeping the first time) or removes a relation; both are idempotent.
    async fn set_relation(
        &self,
        user_id: &UserId,
        kind: &str,
        target_id: &str,
        on: bool,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// A user's targets of a kind, only among `only` when it is not empty.
    async fn targets(
        &self,
        user_id: &UserId,
        kind: &str,
        only: &[String],
        before: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<(String, i64)>>;
    /// The users related to a target (a user's followers).
    async fn sources(
        &self,
        kind: &str,
        target_id: &str,
        before: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<(String, i64)>>;
}

/// Catalog reads for browsing: albums, artists, playlists and shows whole, and the entries of
/// a context a page at a time. Every list keeps the order asked and leaves out unknown ids.
#[async_trait]
pub trait BrowseStore: Send + Sync {
    /// `(name, id)` of up to `limit` albums, artists or catalog playlists with something to
    /// play, by name (case aside) then id, after `after`.
    async fn by_name(
        &self,
        kind: NamedKind,
        after: Option<(String, String)>,
        limit: u32,
    ) -> StoreResult<Vec<(String, String)>>;
    async fn albums(&self, ids: &[AlbumId]) -> StoreResult<Vec<AlbumRecord>>;
    async fn artists(&self, ids: &[ArtistId]) -> StoreResult<Vec<ArtistRecord>>;
    async fn playlists(&self, ids: &[PlaylistId]) -> StoreResult<Vec<PlaylistRecord>>;
    async fn podcast_shows(&self, ids: &[ShowId]) -> StoreResult<Vec<PodcastShowRecord>>;
    /// `(index, track id)` of an album's, playlist's or artist's entries after index `after`.
    async fn context_entries(
        &self,
        ctx: &ContextRef,
        after: Option<u32>,
        limit: u32,
    ) -> StoreResult<Vec<(u32, String)>>;
    /// The ids of the albums an artist appears on (as an album artist or on a track), newest
    /// release first (undated last), strictly after the `(release date or "", album id)`
    /// cursor in that order.
    async fn artist_albums(
        &self,
        artist_id: &ArtistId,
        after: Option<(String, String)>,
        limit: u32,
    ) -> StoreResult<Vec<(String, String)>>;
}

/// Users' own playlists. Reads go through `BrowseStore::playlists`; entries through
/// `playlist_entries`.
#[async_trait]
pub trait PlaylistStore: Send + Sync {
    async fn create_playlist(&self, p: &PlaylistRecord) -> StoreResult<()>;
    /// Applies an edit to a user's playlist; `Ok(false)` when there is no such playlist.
    async fn edit_playlist(
        &self,
        id: &PlaylistId,
        edit: &PlaylistEdit,
        now_ms: i64,
    ) -> StoreResult<bool>;
    async fn delete_playlist(&self, id: &PlaylistId) -> StoreResult<bool>;
    /// A user's playlists, newest first, strictly after the `(created_ms, id)` cursor.
    async fn user_playlists(
        &self,
        owner_id: &UserId,
        before: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<PlaylistRecord>>;
    /// Entries after index `after`, in order.
    async fn playlist_entries(
        &self,
        id: &PlaylistId,
        after: Option<u32>,
        limit: u32,
    ) -> StoreResult<Vec<PlaylistEntry>>;
}

/// The search index over the catalog, kept in step with imports. It matches and returns
/// rows; ranking, typo tolerance and paging are the service's (`medley_service::library::ranking`).
#[async_trait]
pub trait SearchStore: Send + Sync {
    /// For each query, what it matches (see `MatchQuery`); one answer per query, in order.
    async fn search_matches(&self, queries: &[MatchQuery]) -> StoreResult<Vec<Vec<MatchRow>>>;
    /// Items of these kinds whose id is `query`, and tracks whose ISRC is (any case).
    async fn search_ids(
        &self,
        kinds: &[SearchKind],
        query: &str,
    ) -> StoreResult<Vec<(SearchKind, String)>>;
    /// The index's words of `min_len..=max_len` characters: the vocabulary near spellings
    /// come from.
    async fn search_terms(&self, min_len: usize, max_len: usize) -> StoreResult<Vec<String>>;
    /// What `order` sorts each item by, in order; `None` for an order without values
    /// (relevance) or an item the store does not have.
    async fn sort_values(
        &self,
        order: SearchOrder,
        items: &[(SearchKind, String)],
    ) -> StoreResult<Vec<Option<SortValue>>>;
}

/// What a process tells the other processes over the same store, and hears from them: how
/// several nodes over one database keep what they cache, and what they stream to devices, in
/// step. Messages are the service's; the bus only carries them.
#[async_trait]
pub trait Bus: Send + Sync {
    /// Whether other processes may be serving from this store at the same time (so what this
    /// one caches can go stale, and what it counts is not the whole count).
    fn is_shared(&self) -> bool;
    /// Posts a message to the other processes, once what it tells of is stored: delivered in
    /// the order posted, at most once, best effort (a process that misses some hears `Gap`).
    fn post(&self, message: String);
    /// Waits until what this process posted so far has been sent (before a command exits).
    async fn flush(&self);
    /// What the other processes post from now on.
    fn hear(&self) -> tokio::sync::broadcast::Receiver<Heard>;
}

/// One thing heard on the bus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Heard {
    Message(std::sync::Arc<str>),
    /// Messages may have been missed (the connection that hears them was lost, and is back):
    /// whatever was kept from earlier ones must be read again.
    Gap,
}

/// The bus of a store no other process serves from: nothing to tell, nothing to hear.
pub struct LocalBus(tokio::sync::broadcast::Sender<Heard>);

impl Default for LocalBus {
    fn default() -> Self {
        LocalBus(tokio::sync::broadcast::channel(1).0)
    }
}

#[async_trait]
impl Bus for LocalBus {
    fn is_shared(&self) -> bool {
        false
    }
    fn post(&self, _: String) {}
    async fn flush(&self) {}
    fn hear(&self) -> tokio::sync::broadcast::Receiver<Heard> {
        self.0.subscribe()
    }
}

pub trait Store:
    CatalogStore
    + BrowseStore
    + PlaylistStore
    + SearchStore
    + AccountStore
    + SessionStore
    + HistoryStore
    + RelationStore
    + LimitStore
    + Bus
{
}
impl<T> Store for T where
    T: CatalogStore
        + BrowseStore
        + PlaylistStore
        + SearchStore
        + AccountStore
        + SessionStore
        + HistoryStore
        + RelationStore
        + LimitStore
        + Bus
{
}
