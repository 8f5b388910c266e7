//! Initiate (Alexa.Media.Playback): starts a Medley session on the speaker for a content id.
//! A voice request to play is an explicit act of the user, so the speaker takes one of the
//! user's streams as `FORCE` does: from another Alexa queue (which Alexa is told to deactivate)
//! or from an app, whose session learns it is `STOPPED` as any taken-over device does.

use medley_core::mrn::{ItemKind, Mrn};
use medley_store::{EventCommit, Stream};
use uuid::Uuid;

use super::content::{Content, ContentId};
use super::moves::{playing_by_voice, voice_event};
use super::{QueueControls, VoiceItem};
use crate::accounts::Principal;
use crate::playback::change::{committed, until_done, Attempt};
use crate::playback::continuation::window;
use crate::playback::view::Resolved;
use crate::playback::CreateRequest;
use crate::playback::Playback;
use crate::{ServiceError, ServiceResult};
use medley_core::streams::voice_device;

/// The modes Alexa asks a new queue to play in.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlaybackModes {
    pub shuffle: bool,
    pub loop_: bool,
    /// Repeat the current track.
    pub repeat: bool,
}

pub struct Initiated {
    pub queue_id: Uuid,
    pub controls: QueueControls,
    /// The user's Alexa queues that lost their stream to this one.
    pub deactivate: Vec<Uuid>,
    pub first: VoiceItem,
}

impl Playback {
    pub async fn voice_initiate(
        &self,
        p: &Principal,
        id: &ContentId,
        modes: PlaybackModes,
    ) -> ServiceResult<Initiated> {
        p.require_scope("music::playback")?;
        let any = |_: &Stream| true;

        let track = |id: String| Mrn {
            kind: ItemKind::Track,
            id,
        };
        // What to play: one item, or (for the user's own music) a list of tracks.
        let (item, list, start_as_station) = match &id.content {
            Content::Item(m) => (Some(m.clone()), Vec::new(), false),
            Content::Mine { popular } => {
                let mine = self.my_music(p, *popular).await?;
                (None, mine.tracks.into_iter().map(track).collect(), false)
            }
            Content::Liked => {
                let liked = self.liked_tracks(p).await?;
                (None, liked.into_iter().map(track).collect(), false)
            }
            // A genre plays as a station seeded by one of its tracks.
            Content::Genre(g) => {
                let seed = self
                    .store
                    .genre_tracks(g, rand::random(), 1)
                    .await?
                    .pop()
                    .ok_or_else(|| ServiceError::NotFound(format!("no track of genre '{g}'")))?;
                (Some(track(seed)), Vec::new(), true)
            }
        };
        let station =
            start_as_station || item.as_ref().is_some_and(|m| m.kind == ItemKind::Station);
        // Modes the tier or a station does not allow are left off rather than refused: the
        // user asked to hear something, and hears it.
        let loops = p.user.tier.on_demand() && !station;
        let req = CreateRequest {
            id: item,
            container_ids: list,
            // "Shuffle my music" says so in its content id; Alexa's own mode may say so too.
            shuffle: Some(modes.shuffle || id.shuffle),
            loop_on: Some(modes.loop_ && loops),
            start_as_station,
            // Alexa asks for no continuation: an album, playlist, artist or the user's own
            // music ends where it ends (GetNextItem says the queue is finished); a station goes
            // on by itself.
            autoplay: Some(false),
            limit: 1,
        };
        // The speaker is named after its queue on every notice, from the first one on.
        let queue_id = Uuid::new_v4();
        let created = self
            .start_session(p, queue_id, voice_device(queue_id), &req)
            .await?;
        // The first attempt starts the session just created; one that lost a race reads it again.
        let mut created = Some(created);
        until_done("the queue", || {
            let first = created.take();
            async move {
                let mut s = match first {
                    Some(s) => s,
                    None => self.owned_session(p, queue_id).await?,
                };
                let w = window(&s, 1);
                if loops {
                    s.body.queue.set_loop_and_repeat(modes.loop_, modes.repeat);
                }
                let current = s.body.queue.current.clone();
                let mut claim = self
                    .voice_claim(p, &mut s, &current.track, &any, true)
                    .await?;
                s.body.queue.start(current.clone());
                // Alexa deactivates its own queues (and Medley no longer answers for them); an
                // app's session learns on its next request.
                let mut deactivate = Vec::new();
                for l in &mut claim.losers {
                    if l.device_id == voice_device(l.id) {
                        l.body.replaced_by = Some(s.id);
                        deactivate.push(l.id);
                    }
                }
                self.top_up(&mut s).await?;
                let commit = EventCommit {
                    user_id: p.user.id.clone(),
                    events: vec![voice_event(&s, &current, "start", false, self.now_ms())],
                    sessions: std::iter::once(s.clone()).chain(claim.losers).collect(),
                    streams: claim.streams,
                };
                if !committed(self.store.commit_events(&commit).await)? {
                    return Ok(Attempt::Lost);
                }
                let notices = playing_by_voice(&s, &current, &commit.sessions);
                self.announce_commit(&p.user.id, &commit.sessions, notices);
                s.version += 1;
                let more = !w.slots.is_empty() || w.has_more;
                let first = self
                    .voice_items(&s, &[Resolved::from(&current)], more)
                    .await?
                    .pop()
                    .ok_or_else(|| {
                        ServiceError::NotFound("the content has no playable track".into())
                    })?;
                Ok(Attempt::Done(Initiated {
                    queue_id: s.id,
                    controls: self.queue_controls(&s).await?,
                    deactivate,
                    first,
                }))
            }
        })
        .await
    }
}
