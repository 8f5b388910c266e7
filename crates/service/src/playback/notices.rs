//! What a change to sessions tells the user's open notification streams (`live`): published
//! once the change is stored, each notice naming its session and that session's new version.

use medley_core::ids::UserId;
use medley_store::Session;
use uuid::Uuid;

use crate::live::Change;
use crate::playback::Playback;

impl Playback {
    /// Publishes the changes of a stored commit whose `sessions` were saved (each at the
    /// version before): a notice's revision is its session's version once saved.
    pub(crate) fn announce_commit(
        &self,
        user: &UserId,
        sessions: &[Session],
        changes: Vec<(Uuid, Change)>,
    ) {
        let saved = |id: Uuid| {
            sessions
                .iter()
                .find(|s| s.id == id)
                .map_or(0, |s| s.version + 1)
        };
        let notices = changes
            .into_iter()
            .map(|(id, c)| (id, saved(id), c))
            .collect();
        self.announce(user, notices);
    }

    /// Publishes `(session, revision, change)` notices to `user`'s feed.
    pub(crate) fn announce(&self, user: &UserId, notices: Vec<(Uuid, i64, Change)>) {
        for (session, revision, change) in notices {
            self.publish(user, session, revision, change);
        }
    }
}
