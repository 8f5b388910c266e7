//! Signed, expiring media URLs (docs/decisions.md, "Media URLs"). A URL names a track and the rendition it serves
//! (the file itself, or an encoding of it that the player's quality calls for), carries its
//! expiry, and an HMAC of all three under the installation's key: Alexa and players fetch it
//! without credentials, any process sharing the store can check it, and it stops working once
//! it expires (Alexa's `validUntil`; GetItem hands out a fresh one).

use std::path::PathBuf;

use base64::Engine;
use hmac::{Hmac, Mac};
use medley_core::audio::{self, Codec, Player, Rendition};
use medley_core::catalog::TrackView;
use medley_core::ids::TrackId;
use sha2::Sha256;

use crate::{Medley, ServiceError, ServiceResult};

/// The secret that signs media URLs, as the store names it.
const KEY_NAME: &str = "media-url-key";

/// The signed right to fetch a rendition of a track's audio until `expires_s` (Unix
/// seconds): what a media URL carries. The api makes it the URL.
#[derive(Clone, Debug, PartialEq)]
pub struct MediaGrant {
    pub track_id: String,
    pub rendition: Rendition,
    pub expires_s: i64,
    pub sig: String,
}

impl MediaGrant {
    pub fn expires_ms(&self) -> i64 {
        self.expires_s * 1000
    }
}

/// What a valid media URL serves: a rendition of an audio file.
pub struct MediaFile {
    pub path: PathBuf,
    pub rendition: Rendition,
    /// The file's encoding, when known.
    pub codec: Option<Codec>,
    pub sample_rate: u32,
}

/// How a player gets a track: the rendition, and the `format` that names what it serves.
pub struct Delivery {
    pub rendition: Rendition,
    pub format: Option<&'static str>,
}

/// What the track's audio holds: its file's format, or the placeholder's when it has none.
fn source_format(t: &TrackView) -> Option<audio::AudioFormat> {
    match &t.file {
        None => Some(crate::tunes::FORMAT),
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

impl Medley {
    async fn media_key(&self) -> ServiceResult<&[u8]> {
        let key = self
            .media_key
            .get_or_try_init(|| async {
                let fresh: [u8; 32] = rand::random();
                self.store.secret(KEY_NAME, &fresh).await
            })
            .await?;
        Ok(key)
    }

    /// The rendition of a track that `player` gets: the one its quality calls for when this
    /// installation can make it, else the file as it is (and `format` says which).
    pub(crate) async fn delivery(&self, t: &TrackView, player: Player) -> Delivery {
        let mut rendition = audio::rendition(source_format(t).as_ref(), player);
        if !self.transcoder.can(rendition).await {
            rendition = Rendition::Original;
        }
        Delivery {
            rendition,
            format: rendition.codec(source_codec(t)).map(Codec::name),
        }
    }

    /// A grant of a rendition of the track's audio, valid for `ttl_secs` from now.
    pub(crate) async fn media_grant(
        &self,
        track_id: &str,
        rendition: Rendition,
        ttl_secs: i64,
    ) -> ServiceResult<MediaGrant> {
        let expires_s = self.now_ms() / 1000 + ttl_secs;
        let sig = signature(
            self.media_key().await?,
            track_id,
            rendition.as_str(),
            expires_s,
        );
        Ok(MediaGrant {
            track_id: track_id.to_string(),
            rendition,
            expires_s,
            sig,
        })
    }

    /// Checks a media URL's parameters; the file to serve when it is genuine and unexpired.
    pub async fn media_file(
        &self,
        track: &TrackId,
        rendition: &str,
        expires_s: i64,
        sig: &str,
    ) -> ServiceResult<MediaFile> {
        let track_id = track.as_str();
        if !genuine(self.media_key().await?, track_id, rendition, expires_s, sig) {
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
            .tracks(&[track_id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| crate::browse::not_found(track))?;
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
        Ok(MediaFile {
            path,
            // Only Medley signs renditions, and only ones it knows.
            rendition: Rendition::parse(rendition).unwrap_or(Rendition::Original),
            codec: source_codec(&track),
            sample_rate: source_format(&track).map_or(44_100, |a| a.sample_rate),
        })
    }

    /// Where to read a rendition Medley encodes: the cache, or the encode running now.
    pub async fn transcoded(
        &self,
        file: &MediaFile,
    ) -> ServiceResult<crate::transcode::Transcoded> {
        self.transcoder
            .get(&file.path, file.sample_rate, file.rendition)
            .await
            .map_err(|e| {
                // The path is the operator's business, not the player's.
                tracing::warn!(path = %file.path.display(), "cannot read for transcoding: {e}");
                ServiceError::NotFound("this track's audio file cannot be read".into())
            })
    }
}
