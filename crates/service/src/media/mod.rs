//! Signed, expiring media URLs (docs/decisions.md, "Media URLs"). A URL names a track and what
//! it serves (the file itself, an encoding of it that the player's quality calls for, or a
//! DASH presentation), carries its expiry, and an HMAC of all three under the installation's
//! key: Alexa and players fetch it without credentials, any process sharing the store can
//! check it, and it stops working once it expires (Alexa's `validUntil`; GetItem hands out a
//! fresh one).

pub mod artwork;
pub mod dash;

use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine;
use hmac::{Hmac, Mac};
use medley_core::audio::{self, AudioFormat, Codec, Player, Rendition};
use medley_core::catalog::TrackView;
use medley_core::dash::{self as presentations, Presentation, Served};
use medley_core::ids::TrackId;
use sha2::Sha256;

use crate::cache::TtlCache;
use crate::tracks::Tracks;
use crate::{Clock, ServiceError, ServiceResult};
use medley_media::artwork::Picture;
use medley_media::transcode::{Encoding, Transcoder};
use medley_store::Store;

/// The secret that signs media URLs, as the store names it.
const KEY_NAME: &str = "media-url-key";

/// The signed right to fetch a track's audio, as a file or a DASH presentation, until
/// `expires_s` (Unix seconds): what a media URL carries. The api makes it the URL.
#[derive(Clone, Debug, PartialEq)]
pub struct MediaGrant {
    pub track_id: String,
    pub served: Served,
    pub expires_s: i64,
    pub sig: String,
}

impl MediaGrant {
    pub fn expires_ms(&self) -> i64 {
        self.expires_s * 1000
    }
}

/// What a valid media URL serves: a rendition of an audio file, or a DASH presentation of it.
pub struct MediaFile {
    pub track_id: String,
    pub path: PathBuf,
    pub served: Served,
    /// The file's encoding, when known.
    pub codec: Option<Codec>,
    /// What the file holds, when known.
    pub format: Option<AudioFormat>,
    pub sample_rate: u32,
    /// The track's length.
    pub seconds: u32,
}

impl MediaFile {
    /// The rendition a progressive URL serves; `None` for a DASH presentation's URL.
    pub fn rendition(&self) -> Option<Rendition> {
        match self.served {
            Served::File(r) => Some(r),
            Served::Dash(_) => None,
        }
    }
}

/// How a player gets a track: what its URL serves, and the `format` that names it.
pub struct Delivery {
    pub served: Served,
    pub format: Option<&'static str>,
}

/// What the track's audio holds: its file's format, or the placeholder's when it has none.
fn source_format(t: &TrackView) -> Option<AudioFormat> {
    match &t.file {
        None => Some(medley_media::tunes::FORMAT),
        Some(_) => t.audio,
    }
}

fn source_codec(t: &TrackView) -> Option<Codec> {
    source_format(t)
        .map(|a| a.codec)
        .or_else(|| t.file.as_deref().and_then(Codec::from_path))
}

/// Bytes of the MAC a URL carries.
const SIG_BYTES: usize = 16;

fn mac(key: &[u8], track_id: &str, rendition: &str, expires_s: i64) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(format!("{track_id}\n{rendition}\n{expires_s}").as_bytes());
    mac
}

fn signature(key: &[u8], track_id: &str, rendition: &str, expires_s: i64) -> String {
    let tag = mac(key, track_id, rendition, expires_s)
        .finalize()
        .into_bytes();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&tag[..SIG_BYTES])
}

/// Whether `sig` is the signature of these parameters, compared in constant time.
fn genuine(key: &[u8], track_id: &str, rendition: &str, expires_s: i64, sig: &str) -> bool {
    let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sig) else {
        return false;
    };
    tag.len() == SIG_BYTES
        && mac(key, track_id, rendition, expires_s)
            .verify_truncated_left(&tag)
            .is_ok()
}

/// The media context: signed URLs, what they serve (files, encodings, DASH and its Clear
/// Key) and cover art. It holds only what those need.
#[derive(Clone)]
pub struct Media {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    tracks: Arc<Tracks>,
    /// The key that signs media URLs, read from the store on first use.
    key: Arc<tokio::sync::OnceCell<Vec<u8>>>,
    transcoder: Arc<Transcoder>,
    artwork: Arc<Pictures>,
}

/// (artwork id, size) → the resized image, for an hour.
type Pictures = TtlCache<(String, Option<u32>), Arc<Picture>>;

impl Media {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        tracks: Arc<Tracks>,
        transcoder: Transcoder,
    ) -> Media {
        Media {
            store,
            clock,
            tracks,
            key: Arc::new(tokio::sync::OnceCell::new()),
            transcoder: Arc::new(transcoder),
            artwork: Arc::new(TtlCache::new(3_600_000, 500)),
        }
    }

    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Encodes running now, and the bytes the encode cache holds.
    pub(crate) async fn transcodes(&self) -> (usize, u64) {
        (
            self.transcoder.running().await,
            self.transcoder.cache_bytes().await,
        )
    }

    async fn media_key(&self) -> ServiceResult<&[u8]> {
        let key = self
            .key
            .get_or_try_init(|| async {
                let fresh: [u8; 32] = rand::random();
                self.store.secret(KEY_NAME, &fresh).await
            })
            .await?;
        Ok(key)
    }

    /// How `player` gets a track. A DASH presentation when it takes one (`dash`), the file is
    /// one DASH serves and ffmpeg is here to pack it; else the rendition its quality calls
    /// for when this installation can make it, else the file as it is (and `format` says
    /// which).
    pub(crate) async fn delivery(
        &self,
        t: &TrackView,
        player: Player,
        dash: Option<Presentation>,
    ) -> Delivery {
        let source = source_format(t);
        if let (Some(p), Some(source)) = (dash, source.as_ref()) {
            let offered = self.representations(source, p).await;
            if !offered.is_empty() {
                return Delivery {
                    served: Served::Dash(p),
                    format: Some(p.format(&offered)),
                };
            }
        }
        let mut rendition = audio::rendition(source.as_ref(), player);
        if !self.transcoder.can(Encoding::File(rendition)).await {
            rendition = Rendition::Original;
        }
        Delivery {
            served: Served::File(rendition),
            format: rendition.codec(source_codec(t)).map(Codec::name),
        }
    }

    /// The representations a presentation of `source` offers here: none without the encoders.
    pub(crate) async fn representations(
        &self,
        source: &AudioFormat,
        p: Presentation,
    ) -> Vec<presentations::Representation> {
        let mut out = Vec::new();
        for r in presentations::representations(source, p.ceiling) {
            if self.transcoder.can(Encoding::Dash(r, 1)).await {
                out.push(r);
            }
        }
        // Without Opus there is no standard quality, which every presentation starts from.
        if out.first().is_some_and(|r| r.is_flac()) {
            out.clear();
        }
        out
    }

    /// A grant of the track's audio as `served`, valid for `ttl_secs` from now.
    pub(crate) async fn media_grant(
        &self,
        track_id: &str,
        served: Served,
        ttl_secs: i64,
    ) -> ServiceResult<MediaGrant> {
        let expires_s = self.now_ms() / 1000 + ttl_secs;
        let sig = signature(
            self.media_key().await?,
            track_id,
            served.as_str(),
            expires_s,
        );
        Ok(MediaGrant {
            track_id: track_id.to_string(),
            served,
            expires_s,
            sig,
        })
    }

    /// Checks a media URL's parameters; the file to serve when it is genuine and unexpired.
    pub async fn media_file(
        &self,
        track: &TrackId,
        served: &str,
        expires_s: i64,
        sig: &str,
    ) -> ServiceResult<MediaFile> {
        let track_id = track.as_str();
        if !genuine(self.media_key().await?, track_id, served, expires_s, sig) {
            return Err(ServiceError::AccessDenied(
                "this media URL was not issued by Medley (its signature does not match)".into(),
            ));
        }
        if self.now_ms() > expires_s * 1000 {
            return Err(ServiceError::AccessDenied(format!(
                "this media URL expired at {}; ask for the item again for a fresh one",
                medley_core::time::iso8601_ms(expires_s * 1000)
            )));
        }
        let track = self
            .tracks
            .get(&[track_id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| crate::error::not_found(track))?;
        let path = match &track.file {
            Some(file) => PathBuf::from(file),
            // No file in the catalog: the track's generated tune plays instead.
            None => self
                .transcoder
                .placeholder(&track.id, track.duration)
                .await
                .map_err(|e| {
                    tracing::warn!(track = track_id, "cannot write the placeholder audio: {e}");
                    ServiceError::Internal(
                        "this track's placeholder audio cannot be written".into(),
                    )
                })?,
        };
        let format = source_format(&track);
        Ok(MediaFile {
            track_id: track.id.clone(),
            path,
            // Only Medley signs what it serves, and only what it knows.
            served: Served::parse(served).unwrap_or(Served::File(Rendition::Original)),
            codec: source_codec(&track),
            format,
            sample_rate: format.map_or(44_100, |a| a.sample_rate),
            seconds: track.duration,
        })
    }

    /// Where to read an encoding Medley makes of a media URL's file: the cache, or the encode
    /// running now.
    pub async fn transcoded(
        &self,
        file: &MediaFile,
        encoding: Encoding,
    ) -> ServiceResult<medley_media::transcode::Transcoded> {
        self.transcoder
            .get(&file.path, file.sample_rate, encoding)
            .await
            .map_err(|e| {
                // The path is the operator's business, not the player's.
                tracing::warn!(path = %file.path.display(), "cannot read for transcoding: {e}");
                ServiceError::NotFound("this track's audio file cannot be read".into())
            })
    }
}
