//! DASH presentations behind signed media URLs (docs/decisions.md, "DASH"): what a manifest
//! lists, the initialization and media segments of each representation (read from its encode
//! in the cache, while it runs if need be), their Clear Key encryption, and the licence that
//! gives a track's key to the user whose playback session asks for it.

use std::os::unix::fs::FileExt;
use std::time::Duration;

use super::{Media, MediaFile};
use crate::{ServiceError, ServiceResult};
use base64::Engine;
use hmac::{Hmac, Mac};
use medley_core::audio::AudioFormat;
use medley_core::dash::{self, Presentation, Representation, Served};
use medley_core::ids::TrackId;
use medley_media::transcode::{Encoding, Transcoded};
use medley_media::{cenc, fmp4};
use sha2::Sha256;

/// A representation as a manifest lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct Offered {
    pub representation: Representation,
    /// Bits per second: measured once it is encoded, estimated before.
    pub bandwidth: u64,
    pub sample_rate: u32,
    pub channels: u8,
}

/// What a DASH manifest describes.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    pub seconds: u32,
    pub representations: Vec<Offered>,
    /// The key id of an encrypted presentation (never its key).
    pub key_id: Option<[u8; 16]>,
}

/// A segment of a representation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Segment {
    Init,
    /// Numbered from 1.
    Media(u32),
}

/// A track's Clear Key: the key id players ask for, and the key.
pub struct ClearKey {
    pub kid: [u8; 16],
    pub key: [u8; 16],
}

/// How long a segment request waits between looks at an encode that is still running.
const POLL: Duration = Duration::from_millis(20);

/// What a DASH media URL presents: the presentation, the file's audio and the track's length
/// in seconds (at least one).
fn presentation(file: &MediaFile) -> ServiceResult<(Presentation, AudioFormat, u32)> {
    let Served::Dash(p) = file.served else {
        return Err(ServiceError::NotFound(
            "this media URL is a file's, not a DASH presentation's".into(),
        ));
    };
    let source = file.format.ok_or_else(|| {
        ServiceError::NotFound("this track's audio cannot be read for DASH".into())
    })?;
    Ok((p, source, file.seconds.max(1)))
}

/// The bytes of `which` in the encode `file` (whole or still being written); `None` while
/// they are not all written.
fn read_segment(file: &std::fs::File, which: Segment) -> std::io::Result<Option<Vec<u8>>> {
    let len = file.metadata()?.len();
    let layout = fmp4::layout(len, |buf, at| file.read_at(buf, at))?;
    let range = match which {
        Segment::Init => layout.init,
        Segment::Media(n) => layout.fragments.get(n as usize - 1).cloned(),
    };
    let Some(range) = range else {
        return Ok(None);
    };
    let mut out = vec![0; (range.end - range.start) as usize];
    file.read_exact_at(&mut out, range.start)?;
    Ok(Some(out))
}

impl Media {
    /// A track's Clear Key, derived from the installation's media key: the same on every node,
    /// different for every track, and never stored.
    async fn clear_key(&self, track_id: &str) -> ServiceResult<ClearKey> {
        let derive = |label: &str, key: &[u8]| {
            let mut mac =
                Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
            mac.update(format!("clear-key {label}\n{track_id}").as_bytes());
            let tag = mac.finalize().into_bytes();
            let mut out = [0u8; 16];
            out.copy_from_slice(&tag[..16]);
            out
        };
        let secret = self.media_key().await?;
        Ok(ClearKey {
            kid: derive("id", secret),
            key: derive("key", secret),
        })
    }

    /// What the manifest of a DASH media URL lists.
    pub async fn dash_manifest(&self, file: &MediaFile) -> ServiceResult<Manifest> {
        let (p, source, seconds) = presentation(file)?;
        let mut representations = Vec::new();
        for r in self.representations(&source, p).await {
            let measured = self
                .transcoder
                .finished_len(&file.path, Encoding::Dash(r, seconds))
                .map(|bytes| bytes * 8 / u64::from(seconds));
            representations.push(Offered {
                representation: r,
                bandwidth: measured.unwrap_or_else(|| r.estimated_bandwidth(&source)),
                sample_rate: r.sample_rate(source.sample_rate),
                channels: r.channels(source.channels),
            });
        }
        if representations.is_empty() {
            return Err(ServiceError::Unavailable(
                "this installation cannot encode this track for DASH now (is ffmpeg there?)".into(),
            ));
        }
        let key_id = match p.clear_key {
            true => Some(self.clear_key(&file.track_id).await?.kid),
            false => None,
        };
        Ok(Manifest {
            seconds,
            representations,
            key_id,
        })
    }

    /// A segment of a representation of a DASH media URL's presentation, encrypted when the
    /// presentation is; it waits for the encode to reach it.
    pub async fn dash_segment(
        &self,
        file: &MediaFile,
        representation: &str,
        which: Segment,
    ) -> ServiceResult<Vec<u8>> {
        let (p, source, seconds) = presentation(file)?;
        let r = Representation::parse(representation)
            .filter(|r| dash::representations(&source, p.ceiling).contains(r))
            .ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "this presentation has no representation '{representation}'"
                ))
            })?;
        let count = dash::segments(seconds);
        if let Segment::Media(n) = which {
            if n == 0 || n > count {
                return Err(ServiceError::NotFound(format!(
                    "segment {n} does not exist: this representation has segments 1 to {count}"
                )));
            }
        }
        let clear = self
            .fragment(file, Encoding::Dash(r, seconds), which)
            .await?;
        if !p.clear_key {
            return Ok(clear);
        }
        let key = self.clear_key(&file.track_id).await?;
        let sealed = match which {
            Segment::Init => cenc::protect_init(&clear, &key.kid),
            // Unique per representation, segment and sample: no IV repeats under the key.
            Segment::Media(n) => cenc::protect_fragment(
                &clear,
                &key.key,
                u64::from(r.index()) << 56 | u64::from(n) << 24,
            ),
        };
        sealed.map_err(|why| {
            ServiceError::Internal(format!("cannot encrypt {representation} {which:?}: {why}"))
        })
    }

    /// The clear bytes of a segment of an encoding, from the cache or the encode running now.
    async fn fragment(
        &self,
        file: &MediaFile,
        encoding: Encoding,
        which: Segment,
    ) -> ServiceResult<Vec<u8>> {
        let unreadable = |e: std::io::Error| {
            tracing::warn!(path = %file.path.display(), "cannot read a DASH encode: {e}");
            ServiceError::Unavailable("this track's DASH encoding cannot be read; retry".into())
        };
        let missing = || ServiceError::NotFound(format!("the encode has no {which:?}"));
        let (part, mut done) = match self.transcoded(file, encoding).await? {
            Transcoded::Ready(path) => {
                let f = std::fs::File::open(path).map_err(unreadable)?;
                return read_segment(&f, which)
                    .map_err(unreadable)?
                    .ok_or_else(missing);
            }
            Transcoded::Growing { file, done } => (file, done),
        };
        loop {
            // The outcome first: once it is in, the file (renamed, the same inode) is whole.
            let outcome = done.borrow().clone();
            if let Some(bytes) = read_segment(&part, which).map_err(unreadable)? {
                return Ok(bytes);
            }
            match outcome {
                Some(Ok(_)) => return Err(missing()),
                // The transcoder logged why (ffmpeg's words name files); the client is told
                // what it can act on.
                Some(Err(_)) => {
                    return Err(ServiceError::Unavailable(format!(
                        "track '{}' could not be encoded for DASH; retry",
                        file.track_id
                    )))
                }
                None => {
                    if let Ok(Err(_)) = tokio::time::timeout(POLL, done.changed()).await {
                        return Err(ServiceError::Unavailable("the encode stopped".into()));
                    }
                }
            }
        }
    }

    /// The Clear Key of `track` when `kids` (base64url, as the browser's licence request has
    /// them) asks for it; who may ask is Playback's to check.
    pub(crate) async fn licence(
        &self,
        track: &TrackId,
        kids: &[String],
    ) -> ServiceResult<ClearKey> {
        if self
            .tracks
            .get(&[track.as_str().to_string()])
            .await?
            .is_empty()
        {
            return Err(crate::error::not_found(track));
        }
        let key = self.clear_key(track.as_str()).await?;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let asked = kids
            .iter()
            .any(|k| b64.decode(k.trim_end_matches('=')).ok().as_deref() == Some(&key.kid[..]));
        if !asked {
            return Err(ServiceError::AccessDenied(format!(
                "this licence request asks for no key of track '{track}'"
            )));
        }
        Ok(key)
    }
}
