//! Medley's use cases, over `dyn Store`, in four contexts (accounts, library, media,
//! playback), each its own type; `Medley` builds them once (docs/architecture.md).

pub mod accounts;
mod cache;
pub mod clock;
pub mod demo;
pub mod error;
pub mod library;
pub mod live;
pub mod media;
pub mod paging;
pub mod playback;
mod signals;
pub mod stats;
mod tracks;
pub mod voice_catalog;

use std::sync::Arc;

use medley_store::Store;

pub use accounts::REVOCATION_CHECK_MS;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{ServiceError, ServiceResult};

/// The composition root: the contexts, built once over one store and one clock, and what the
/// process as a whole does (the demo, keeping in step with other nodes, stats).
#[derive(Clone)]
pub struct Medley {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    /// Every user's feed of live notices (the notification stream).
    pub live: Arc<live::Live>,
    /// The accounts context: users, clients, tokens, sign-in, OAuth and rate limits.
    pub accounts: accounts::Accounts,
    /// The library context: the catalog, search, playlists, follows, history.
    pub library: library::Library,
    /// The music folders the library is kept in step with.
    pub folders: library::folders::Folders,
    /// The media context: signed URLs, encodings, DASH and cover art.
    pub media: media::Media,
    /// The playback context: sessions, queues, events, streams and the voice queue.
    pub playback: playback::Playback,
    tracks: Arc<tracks::Tracks>,
}

#[derive(Clone, Debug)]
pub struct Settings {
    /// Base of the URLs Medley puts in responses, e.g. `http://127.0.0.1:8080`.
    pub public_url: String,
    /// Seconds a stream counts as live after its track should have ended without a stop event.
    pub stream_grace_secs: i64,
    /// Days a session can be restored after its last activity.
    pub restore_days: i64,
    /// How long a token or catalog track read stays cached. A catalog imported by another
    /// process shows in updated tracks after at most this long.
    pub cache_ttl_ms: i64,
    /// Requests per second one access token may make (bursts of twice that); 0 turns it off.
    pub rate_limit_per_sec: u32,
    /// How long a Web API media URL stays valid, in seconds.
    pub stream_uri_ttl_secs: i64,
    /// How long a stream URI handed to Alexa stays valid (its `validUntil`), in seconds.
    pub alexa_stream_ttl_secs: i64,
    /// When set, `/alexa` answers only requests Alexa signed, for this skill.
    pub alexa_skill_id: Option<String>,
    /// The ffmpeg program that makes the renditions of lower qualities; empty turns
    /// transcoding off (every quality then serves the original file).
    pub ffmpeg: String,
    /// Where transcoded renditions are kept.
    pub transcode_dir: std::path::PathBuf,
    /// How much of them to keep, in MiB; the least recently played go first.
    pub transcode_cache_mb: u64,
    /// Seconds a request body may take to arrive whole (408 after it).
    pub body_timeout_secs: u64,
    /// Origins whose web pages may call the API (CORS); `*` for any.
    pub cors_origins: Vec<String>,
    /// Seconds an access token of the token endpoint lasts.
    pub access_token_secs: i64,
    /// The music folders scanned and watched by `serve`.
    pub library: Vec<std::path::PathBuf>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for sign-in throttling).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: "http://127.0.0.1:8080".into(),
            stream_grace_secs: 30,
            restore_days: 30,
            cache_ttl_ms: 10_000,
            rate_limit_per_sec: 1000,
            stream_uri_ttl_secs: 15 * 60,
            alexa_stream_ttl_secs: 6 * 3600,
            alexa_skill_id: None,
            ffmpeg: "ffmpeg".into(),
            transcode_dir: std::env::temp_dir().join("medley-transcoded"),
            transcode_cache_mb: 2048,
            body_timeout_secs: 30,
            cors_origins: vec!["*".into()],
            access_token_secs: 3600,
            library: Vec::new(),
            trusted_proxies: Vec::new(),
        }
    }
}

impl Medley {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, settings: Settings) -> Medley {
        let ttl = settings.cache_ttl_ms;
        let transcoder = medley_media::transcode::Transcoder::new(
            &settings.ffmpeg,
            settings.transcode_dir.clone(),
            settings.transcode_cache_mb,
        );
        let tracks = Arc::new(tracks::Tracks::new(store.clone(), clock.clone(), ttl));
        let accounts = accounts::Accounts::new(store.clone(), clock.clone(), &settings);
        let library = library::Library::new(store.clone(), clock.clone(), tracks.clone());
        let folders = library::folders::Folders::new(
            library.clone(),
            clock.clone(),
            settings.library.clone(),
        );
        let media = media::Media::new(store.clone(), clock.clone(), tracks.clone(), transcoder);
        let settings = Arc::new(settings);
        let live = Arc::new(live::Live::default());
        let playback = playback::Playback::new(
            store.clone(),
            clock.clone(),
            settings.clone(),
            live.clone(),
            tracks.clone(),
            library.clone(),
            media.clone(),
        );
        Medley {
            accounts,
            library,
            folders,
            media,
            playback,
            tracks,
            store,
            clock,
            settings,
            live,
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Ok when the store answers and writes succeed (`/readyz`); any failure of the store's is
    /// a store fault here, whatever its kind.
    pub async fn ready(&self) -> ServiceResult<()> {
        self.store
            .ready()
            .await
            .map_err(|e| ServiceError::StoreUnavailable(e.to_string()))
    }
}
