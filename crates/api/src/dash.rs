//! `GET /media/dash/{id}/manifest.mpd` and `GET /media/dash/{id}/{representation}/{segment}`:
//! the DASH presentation behind a signed media URL, its MPD and its segments (`init.mp4`, then
//! `1.m4s`, `2.m4s`, …). The manifest's segment URLs carry the manifest's own signature, so
//! they expire with it; Range requests are answered on segments.

use std::fmt::Write;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use medley_core::dash::SEGMENT_SECONDS;
use medley_core::ids::TrackId;
use medley_service::media::dash::{Manifest, Offered, Segment};
use medley_service::media::{Media, MediaGrant};

use crate::extract::IdPath;
use crate::media::{checked, Signed};
use crate::params::Query;
use crate::ApiError;

/// The DASH-IF scheme of W3C Clear Key, and the MPEG one of Common Encryption.
const CLEAR_KEY_SCHEME: &str = "urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e";
const CENC_SCHEME: &str = "urn:mpeg:dash:mp4protection:2011";

/// A DASH presentation's manifest
#[utoipa::path(get, path = "/media/dash/{id}/manifest.mpd", tag = "Media",
    description = "The URL is the credential: `playbackInformation.url` when `protocol` is `DASH`, signed and expiring. Segment URLs in it carry the same signature.",
    params(IdPath<TrackId>, Signed),
    responses(
        (status = 200, description = "The MPD (static, SegmentTemplate, one AdaptationSet per codec)", content_type = "application/dash+xml"),
        (status = 400, description = "A parameter is missing or malformed (BAD_REQUEST)", body = crate::error::ErrorBody),
        (status = 403, description = "Expired or forged URL (ACCESS_DENIED)", body = crate::error::ErrorBody),
        (status = 404, description = "No such track, or the URL is a file's (RESOURCE_NOT_FOUND)", body = crate::error::ErrorBody),
        (status = 503, description = "ffmpeg cannot encode it here now (UNAVAILABLE)", body = crate::error::ErrorBody),
    ))]
pub async fn manifest(
    State(m): State<Media>,
    id: Result<IdPath<TrackId>, ApiError>,
    query: Result<Query<Signed>, ApiError>,
) -> Result<Response, ApiError> {
    let (q, file) = checked(&m, id, query).await?;
    let manifest = m.dash_manifest(&file).await?;
    let grant = MediaGrant {
        track_id: file.track_id.clone(),
        served: file.served,
        expires_s: q.expires,
        sig: q.sig,
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/dash+xml"),
        )],
        mpd(&manifest, &crate::urls::signed_query(&grant)),
    )
        .into_response())
}

/// A segment of a DASH presentation
#[utoipa::path(get, path = "/media/dash/{id}/{representation}/{segment}", tag = "Media",
    description = "`init.mp4`, or the media segment `N.m4s` (from 1; each 4 s): fragmented MP4, CENC-encrypted when the presentation is Clear Key's. Made by ffmpeg on first use and kept in the transcode cache; a request waits for an encode that is still running to reach it.",
    params(
        IdPath<TrackId>,
        ("representation" = String, Path, description = "A representation id of the manifest: opus48, opus192, opus320, flac16, flac"),
        ("segment" = String, Path, description = "init.mp4 or N.m4s"),
        Signed,
        ("Range" = Option<String>, Header, description = "bytes=FIRST-LAST"),
    ),
    responses(
        (status = 200, description = "The segment", content_type = "audio/mp4"),
        (status = 206, description = "The range asked for", content_type = "audio/mp4"),
        (status = 400, description = "A parameter is missing or malformed (BAD_REQUEST)", body = crate::error::ErrorBody),
        (status = 403, description = "Expired or forged URL (ACCESS_DENIED)", body = crate::error::ErrorBody),
        (status = 404, description = "No such track, representation or segment (RESOURCE_NOT_FOUND)", body = crate::error::ErrorBody),
        (status = 416, description = "The range lies outside the segment", body = crate::error::ErrorBody),
        (status = 503, description = "The encode failed (UNAVAILABLE)", body = crate::error::ErrorBody),
    ))]
pub async fn segment(
    State(m): State<Media>,
    id: Result<IdPath<TrackId>, ApiError>,
    query: Result<Query<Signed>, ApiError>,
    req: Request,
) -> Result<Response, ApiError> {
    let (mut parts, _) = req.into_parts();
    let [representation, name] =
        crate::extract::path_params(&mut parts, &(), ["representation", "segment"]).await?;
    let which = match name.as_str() {
        "init.mp4" => Segment::Init,
        n => n
            .strip_suffix(".m4s")
            .filter(|d| !d.is_empty() && d.len() < 10 && d.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|d| d.parse().ok())
            .map(Segment::Media)
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "no segment '{}': segments are init.mp4 and N.m4s",
                    crate::error::shown(n, 40)
                ))
            })?,
    };
    let (_, file) = checked(&m, id, query).await?;
    let bytes = m.dash_segment(&file, &representation, which).await?;
    Ok(crate::media::ranged(bytes, "audio/mp4", &parts.headers))
}

/// The MPD of a presentation whose segment URLs end in `query`.
fn mpd(manifest: &Manifest, query: &str) -> String {
    let query = query.replace('&', "&amp;");
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" xmlns:cenc=\"urn:mpeg:cenc:2013\" \
         profiles=\"urn:mpeg:dash:profile:isoff-live:2011\" type=\"static\" \
         mediaPresentationDuration=\"PT{}S\" minBufferTime=\"PT{SEGMENT_SECONDS}S\">\n \
         <Period id=\"0\" start=\"PT0S\">\n",
        manifest.seconds
    );
    let (opus, flac): (Vec<&Offered>, Vec<&Offered>) = manifest
        .representations
        .iter()
        .partition(|o| !o.representation.is_flac());
    // FLAC's set has the higher selectionPriority: a player that honours it starts lossless.
    for (set, (codecs, offered)) in [("opus", opus), ("flac", flac)].into_iter().enumerate() {
        if offered.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "  <AdaptationSet id=\"{set}\" contentType=\"audio\" mimeType=\"audio/mp4\" \
             codecs=\"{codecs}\" lang=\"und\" segmentAlignment=\"true\" \
             selectionPriority=\"{}\">",
            set + 1
        );
        if let Some(kid) = manifest.key_id {
            let _ = write!(
                out,
                "   <ContentProtection schemeIdUri=\"{CENC_SCHEME}\" value=\"cenc\" \
                 cenc:default_KID=\"{}\"/>\n   \
                 <ContentProtection schemeIdUri=\"{CLEAR_KEY_SCHEME}\" value=\"ClearKey1.0\"/>\n",
                uuid::Uuid::from_bytes(kid)
            );
        }
        let _ = writeln!(
            out,
            "   <SegmentTemplate timescale=\"1000\" duration=\"{}\" startNumber=\"1\" \
             initialization=\"$RepresentationID$/init.mp4?{query}\" \
             media=\"$RepresentationID$/$Number$.m4s?{query}\"/>",
            SEGMENT_SECONDS * 1000
        );
        for o in offered {
            let _ = write!(
                out,
                "   <Representation id=\"{}\" bandwidth=\"{}\" audioSamplingRate=\"{}\">\n    \
                 <AudioChannelConfiguration \
                 schemeIdUri=\"urn:mpeg:dash:23003:3:audio_channel_configuration:2011\" \
                 value=\"{}\"/>\n   </Representation>\n",
                o.representation.id(),
                o.bandwidth,
                o.sample_rate,
                o.channels
            );
        }
        out.push_str("  </AdaptationSet>\n");
    }
    out.push_str(" </Period>\n</MPD>\n");
    out
}
