//! Playback V1.0 answers, with the spec's field names, nesting and order. They borrow from the
//! use cases' results, so a track's catalog record is serialized without being copied.

use medley_core::catalog::TrackView;
use medley_core::dash::Served;
use medley_core::policy::{ActionState as PolicyState, Actions as PolicyActions};
use medley_core::queue::{LoopMode, PlaybackState as State};
use medley_service::playback::view::{self, Delivery, Modes};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::urls::Urls;
use crate::v1::shapes::{AlbumRef, ArtistRef, Image};

/// A session's modes and state.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// `LOOP_OFF`, `LOOP_ONE` or `LOOP_ALL`.
    loop_mode: &'static str,
    /// `SHUFFLE_ON` or `SHUFFLE_OFF`.
    shuffle_mode: &'static str,
    /// `STOPPED`, `PLAYING` or `PAUSED`.
    playback_state: &'static str,
}

impl From<Modes> for Metadata {
    fn from(m: Modes) -> Self {
        Metadata {
            loop_mode: match m.loop_mode {
                LoopMode::LoopOff => "LOOP_OFF",
                LoopMode::LoopOne => "LOOP_ONE",
                LoopMode::LoopAll => "LOOP_ALL",
            },
            shuffle_mode: if m.shuffle {
                "SHUFFLE_ON"
            } else {
                "SHUFFLE_OFF"
            },
            playback_state: match m.state {
                State::Stopped => "STOPPED",
                State::Playing => "PLAYING",
                State::Paused => "PAUSED",
            },
        }
    }
}

/// `{"metadata": …}`: what Set Loop and Set Shuffle answer.
#[derive(Serialize, ToSchema)]
pub struct ModesAnswer {
    metadata: Metadata,
}

impl From<Modes> for ModesAnswer {
    fn from(m: Modes) -> Self {
        ModesAnswer { metadata: m.into() }
    }
}

/// `{"entityReferenceId": …}`: what Queue Next and Queue Last answer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Queued {
    /// The queued entity, as later answers list it.
    pub entity_reference_id: Uuid,
}

/// Whether more entities follow. `token` is always null (these lists do not page by cursor); it
/// is present where the spec's examples show it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = QueuePageInfo)]
pub struct PageInfo {
    has_next_page: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    token: Option<Null>,
}

/// Serializes as `null`.
pub struct Null;

impl Serialize for Null {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_none()
    }
}

/// How a page shows its `pageInfo`.
#[derive(Clone, Copy)]
pub enum Paging {
    /// Create, Restore: `{"hasNextPage"}`.
    Plain,
    /// Next, Previous, Queue: `{"hasNextPage", "token": null}`.
    WithToken,
    /// Current: no `pageInfo`.
    None,
}

/// Entities of a session.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = PlaybackEntities)]
pub struct EntityPage<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    page_info: Option<PageInfo>,
    entities: Vec<Entity<'a>>,
    metadata: Metadata,
}

/// The queue view: entities without actions or playback information.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueuePage<'a> {
    page_info: PageInfo,
    entities: Vec<QueueEntity<'a>>,
    metadata: Metadata,
}

fn page_info(paging: Paging, has_more: bool) -> Option<PageInfo> {
    match paging {
        Paging::Plain => Some(PageInfo {
            has_next_page: has_more,
            token: None,
        }),
        Paging::WithToken => Some(PageInfo {
            has_next_page: has_more,
            token: Some(Null),
        }),
        Paging::None => None,
    }
}

impl<'a> EntityPage<'a> {
    pub fn of(
        urls: &Urls,
        page: &'a view::EntityPage<view::Entity>,
        paging: Paging,
    ) -> EntityPage<'a> {
        EntityPage {
            page_info: page_info(paging, page.has_more),
            entities: page.entities.iter().map(|e| Entity::of(urls, e)).collect(),
            metadata: page.modes.into(),
        }
    }
}

impl<'a> QueuePage<'a> {
    pub fn of(urls: &Urls, page: &'a view::EntityPage<view::QueuedTrack>) -> QueuePage<'a> {
        QueuePage {
            page_info: PageInfo {
                has_next_page: page.has_more,
                token: Some(Null),
            },
            entities: page
                .entities
                .iter()
                .map(|e| QueueEntity::of(urls, e))
                .collect(),
            metadata: page.modes.into(),
        }
    }
}

/// A queue entity with everything a player needs.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = PlaybackEntity)]
pub struct Entity<'a> {
    session_id: Uuid,
    entity_reference_id: Uuid,
    /// Names the entity in playback events; opaque to clients.
    metric_id: &'a str,
    actions: Actions,
    track: Track<'a>,
}

impl<'a> Entity<'a> {
    fn of(urls: &Urls, e: &'a view::Entity) -> Entity<'a> {
        Entity {
            session_id: e.session_id,
            entity_reference_id: e.entity_reference_id,
            metric_id: &e.metric_id,
            actions: e.actions.into(),
            track: Track::of(urls, &e.track, Some(PlaybackInformation::of(urls, e))),
        }
    }
}

/// An entity of the queue view: `actions` is empty.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueueEntity<'a> {
    session_id: Uuid,
    entity_reference_id: Uuid,
    #[schema(value_type = Object)]
    actions: Empty,
    track: Track<'a>,
}

impl<'a> QueueEntity<'a> {
    fn of(urls: &Urls, e: &'a view::QueuedTrack) -> QueueEntity<'a> {
        QueueEntity {
            session_id: e.session_id,
            entity_reference_id: e.entity_reference_id,
            actions: Empty,
            track: Track::of(urls, &e.track, None),
        }
    }
}

/// Serializes as `{}`.
pub struct Empty;

impl Serialize for Empty {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        s.serialize_map(Some(0))?.end()
    }
}

/// Get Active Sessions.
#[derive(Serialize, ToSchema)]
pub struct ActiveSessions<'a> {
    sessions: Vec<ActiveSession<'a>>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActiveSession<'a> {
    session_id: Uuid,
    entity_reference_id: Uuid,
    track: Track<'a>,
    metadata: Metadata,
    /// Medley's extension: the device that last played the session (or restored it), so that
    /// a device list can say where the music is.
    device_id: &'a str,
}

impl<'a> ActiveSessions<'a> {
    pub fn of(urls: &Urls, sessions: &'a [view::ActiveSession]) -> ActiveSessions<'a> {
        ActiveSessions {
            sessions: sessions
                .iter()
                .map(|s| ActiveSession {
                    session_id: s.current.session_id,
                    entity_reference_id: s.current.entity_reference_id,
                    track: Track::of(urls, &s.current.track, None),
                    metadata: s.modes.into(),
                    device_id: &s.device_id,
                })
                .collect(),
        }
    }
}

/// What the policy allows on this entity, in the order the spec prints the ten actions.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Actions {
    next: ActionState,
    previous: ActionState,
    scrub_forward: ActionState,
    scrub_backward: ActionState,
    loop_one: ActionState,
    rate: ActionState,
    queue_mutations: ActionState,
    queue_view: ActionState,
    loop_all: ActionState,
    shuffle: ActionState,
}

impl From<PolicyActions> for Actions {
    fn from(a: PolicyActions) -> Self {
        Actions {
            next: a.next.into(),
            previous: a.previous.into(),
            scrub_forward: a.scrub_forward.into(),
            scrub_backward: a.scrub_backward.into(),
            loop_one: a.loop_one.into(),
            rate: a.rate.into(),
            queue_mutations: a.queue_mutations.into(),
            queue_view: a.queue_view.into(),
            loop_all: a.loop_all.into(),
            shuffle: a.shuffle.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActionState {
    is_allowed: bool,
    /// Skips left in the hour, where they are limited.
    #[serde(skip_serializing_if = "Option::is_none")]
    remaining_skips: Option<u32>,
    /// Why it is not allowed: `FEATURE_NOT_AVAILABLE` or `NO_MORE_SKIPS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    disable_type: Option<&'static str>,
}

impl From<PolicyState> for ActionState {
    fn from(s: PolicyState) -> Self {
        ActionState {
            is_allowed: s.is_allowed,
            remaining_skips: s.remaining_skips,
            disable_type: s.disable_type,
        }
    }
}

/// A track as the Playback answers show it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = PlaybackTrack)]
pub struct Track<'a> {
    id: &'a str,
    /// Always `Track`.
    #[serde(rename = "_type")]
    type_: &'static str,
    /// Always `AUDIO`.
    media_type: &'static str,
    url: String,
    /// On full entities.
    #[serde(skip_serializing_if = "Option::is_none")]
    playback_information: Option<PlaybackInformation>,
    /// On the reduced entities (queue view, active sessions): always null.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    preview_url: Option<Null>,
    title: &'a str,
    /// "Artist - Album".
    subtitle: String,
    isrc: Option<&'a str>,
    images: Vec<Image>,
    /// Seconds.
    duration: u32,
    album: Option<AlbumRef<'a>>,
    artists: Vec<ArtistRef<'a>>,
}

impl<'a> Track<'a> {
    fn of(urls: &Urls, t: &'a TrackView, playback: Option<PlaybackInformation>) -> Track<'a> {
        Track {
            id: &t.id,
            type_: "Track",
            media_type: "AUDIO",
            url: urls.item("tracks", &t.id),
            preview_url: playback.is_none().then_some(Null),
            playback_information: playback,
            title: &t.title,
            subtitle: t.subtitle(),
            isrc: t.isrc.as_deref(),
            images: t
                .images
                .iter()
                .map(|i| Image {
                    url: urls.image(&i.url),
                })
                .collect(),
            duration: t.duration,
            album: t.album.as_ref().map(|a| AlbumRef {
                id: &a.id,
                title: &a.title,
            }),
            artists: t
                .artists
                .iter()
                .map(|a| ArtistRef {
                    id: &a.id,
                    name: &a.name,
                })
                .collect(),
        }
    }
}

/// How to play the track.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlaybackInformation {
    /// A signed media URL; it expires (docs/api.md, "Media"): a DASH manifest or a file.
    url: String,
    /// `DASH` (the URL is an MPD) or `PROGRESSIVE` (one file, fetched with Range).
    protocol: &'static str,
    /// What is served: a file's encoding (`FLAC`, `OPUS`, …) or a presentation's (`OPUS`,
    /// `OPUS_FLAC`, `ENCRYPTED_OPUS_FLAC`, …), where known.
    format: Option<&'static str>,
    /// Where a Clear Key player gets the key (with the bearer token and `licenseHeaders`);
    /// null for a clear stream.
    license_url: Option<String>,
    /// What the licence request sends besides the token; only with `licenseUrl`.
    #[serde(skip_serializing_if = "Option::is_none")]
    license_headers: Option<LicenseHeaders>,
    /// Always null.
    #[schema(value_type = Option<String>)]
    application_certificate: Option<Null>,
    /// Where a restored session resumes.
    progress_milliseconds: Option<i64>,
}

/// The headers of a Clear Key licence request.
#[derive(Serialize, ToSchema)]
pub struct LicenseHeaders {
    /// The track whose key is asked for.
    #[serde(rename = "x-amz-music-asin")]
    asin: String,
    /// The entity's reference id.
    #[serde(rename = "x-amz-music-rid")]
    rid: Uuid,
    /// Always `CLEARKEY`.
    #[serde(rename = "x-amz-music-drm-type")]
    drm_type: &'static str,
}

impl PlaybackInformation {
    fn of(urls: &Urls, e: &view::Entity) -> PlaybackInformation {
        let d: &Delivery = &e.delivery;
        let encrypted = matches!(d.media.served, Served::Dash(p) if p.clear_key);
        PlaybackInformation {
            url: urls.media(&d.media),
            protocol: d.media.served.protocol(),
            format: d.format,
            license_url: encrypted.then(|| urls.licence(e.session_id)),
            license_headers: encrypted.then(|| LicenseHeaders {
                asin: e.track.id.clone(),
                rid: e.entity_reference_id,
                drm_type: "CLEARKEY",
            }),
            application_certificate: None,
            progress_milliseconds: d.progress_ms,
        }
    }
}

/// A Clear Key licence (W3C EME's JSON Web Key set): the track's key, under the id asked for.
#[derive(Serialize, ToSchema)]
pub struct Licence {
    keys: Vec<LicenceKey>,
    /// Always `temporary`.
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct LicenceKey {
    /// Always `oct`.
    kty: &'static str,
    /// The key id, base64url.
    kid: String,
    /// The key, base64url.
    k: String,
}

impl Licence {
    pub fn of(key: &medley_service::media::dash::ClearKey) -> Licence {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        Licence {
            keys: vec![LicenceKey {
                kty: "oct",
                kid: b64.encode(key.kid),
                k: b64.encode(key.key),
            }],
            kind: "temporary",
        }
    }
}
