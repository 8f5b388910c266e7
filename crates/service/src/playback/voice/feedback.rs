//! ReceiveFeedback (Alexa.UserPreference): a thumbs-up keeps the track in the user's library; a
//! thumbs-down takes it out and is remembered, so the recommender never picks it for them again.

use uuid::Uuid;

use crate::accounts::Principal;
use crate::library::social::Relation;
use crate::playback::Playback;
use crate::ServiceResult;

/// The relation kind that remembers a user's thumbs-down on a track.
pub const DISLIKED_TRACK: &str = "DISLIKED_TRACK";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feedback {
    Positive,
    Negative,
}

impl Feedback {
    pub fn parse(s: &str) -> Option<Feedback> {
        match s {
            "POSITIVE" => Some(Feedback::Positive),
            "NEGATIVE" => Some(Feedback::Negative),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Feedback::Positive => "POSITIVE",
            Feedback::Negative => "NEGATIVE",
        }
    }
}

impl Playback {
    /// Records the user's preference for the track an item of their queue plays. Returns
    /// whether that item is the one playing now (a thumbs-down then skips it).
    pub async fn voice_feedback(
        &self,
        p: &Principal,
        queue_id: Uuid,
        item_id: Uuid,
        feedback: Feedback,
    ) -> ServiceResult<bool> {
        p.require_scope("music::favorites")?;
        let s = self.voice_session(p, queue_id).await?;
        let entry = self.entry_of(&s, item_id).await?;
        let library = Relation::LibraryTrack.kind();
        let (off, on) = match feedback {
            Feedback::Positive => (DISLIKED_TRACK, library),
            Feedback::Negative => (library, DISLIKED_TRACK),
        };
        // The opposite preference goes first: a failure in between leaves neither, never both.
        let now = self.now_ms();
        self.store
            .set_relation(&p.user.id, off, &entry.track, false, now)
            .await?;
        self.store
            .set_relation(&p.user.id, on, &entry.track, true, now)
            .await?;
        Ok(s.body.queue.current.slot == entry.slot)
    }
}
