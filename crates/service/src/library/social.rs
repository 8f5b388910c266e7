//! The social graph and the library (User V1): following users, artists, playlists and
//! podcast shows, and the tracks a user keeps in their library. Every list is newest first,
//! paged by opaque cursors; another user's lists are shown only when their profile is public.

use std::collections::HashSet;

use medley_core::ids::{self, ArtistId, Id, PlaylistId, ShowId, TrackId, UserId};
use medley_store::User;

use super::Library;
use crate::accounts::Principal;
use crate::error::not_found;
use crate::paging::{cursor_of, shape, time_cursor, Page};
use crate::{ServiceError, ServiceResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    User,
    Artist,
    Playlist,
    PodcastShow,
    LibraryTrack,
}

impl Relation {
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Relation::User => "USER",
            Relation::Artist => "ARTIST",
            Relation::Playlist => "PLAYLIST",
            Relation::PodcastShow => "PODCAST_SHOW",
            Relation::LibraryTrack => "LIBRARY_TRACK",
        }
    }

    fn catalog_kind(self) -> &'static str {
        match self {
            Relation::Artist => "ARTIST",
            Relation::Playlist => "PLAYLIST",
            Relation::PodcastShow => "PODCAST_SHOW",
            Relation::User | Relation::LibraryTrack => "TRACK",
        }
    }
}

/// An id of what a user can follow or keep; its type says which relation it is.
pub trait Followable: Id {
    const RELATION: Relation;
}

impl Followable for UserId {
    const RELATION: Relation = Relation::User;
}

impl Followable for ArtistId {
    const RELATION: Relation = Relation::Artist;
}

impl Followable for PlaylistId {
    const RELATION: Relation = Relation::Playlist;
}

impl Followable for ShowId {
    const RELATION: Relation = Relation::PodcastShow;
}

/// A track's relation is being kept in the library.
impl Followable for TrackId {
    const RELATION: Relation = Relation::LibraryTrack;
}

/// What a relation points at: its id and its name or title (a user's only where the viewer
/// may see it; none for a track in a list of library tracks).
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub id: String,
    pub label: Option<String>,
}

/// A user's list: the user (as the viewer may see them) and a page of what they relate to.
#[derive(Clone, Debug)]
pub struct RelationList {
    pub owner: Target,
    pub page: Page<Target>,
}

fn user_target(u: &User, viewer: &Principal) -> Target {
    Target {
        id: u.id.to_string(),
        label: viewer.may_see(u).then(|| u.name.clone()),
    }
}

impl Library {
    /// The target of a relation, `None` when it no longer exists.
    async fn target(
        &self,
        rel: Relation,
        id: &str,
        viewer: &Principal,
    ) -> ServiceResult<Option<Target>> {
        let titled = |title: String| Target {
            id: id.to_string(),
            label: Some(title),
        };
        Ok(match rel {
            Relation::User => self
                .store
                .user(&UserId::stored(id))
                .await?
                .map(|u| user_target(&u, viewer)),
            Relation::LibraryTrack => Some(Target {
                id: id.to_string(),
                label: None,
            }),
            // A playlist its owner made private is no longer shown to followers.
            Relation::Playlist => {
                let Some(playlist) = PlaylistId::parse(id) else {
                    return Ok(None);
                };
                match self.visible_playlist(viewer, &playlist).await {
                    Ok(pl) => Some(titled(pl.title)),
                    Err(ServiceError::NotFound(_)) => None,
                    Err(e) => return Err(e),
                }
            }
            _ => self
                .store
                .item_title(rel.catalog_kind(), id)
                .await?
                .map(titled),
        })
    }

    /// Which of `ids` the user relates to as `kind`.
    pub(crate) async fn related(
        &self,
        user_id: &UserId,
        kind: &str,
        ids: &[String],
    ) -> ServiceResult<HashSet<String>> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let rows = self
            .store
            .targets(user_id, kind, ids, None, ids.len() as u32)
            .await?;
        Ok(rows.into_iter().map(|(id, _)| id).collect())
    }

    /// PUT (`on`) or DELETE a follow, or a track in the library; idempotent. Answers the
    /// target (a library track with its title).
    pub async fn set_relation<I: Followable>(
        &self,
        p: &Principal,
        target: &I,
        on: bool,
    ) -> ServiceResult<Target> {
        let (rel, id) = (I::RELATION, target.as_str());
        if rel == Relation::User && id == p.user.id.as_str() {
            // A request the body of which is fine, for an action no user may take.
            return Err(ServiceError::ActionNotAllowed(
                "a user cannot follow themselves".into(),
            ));
        }
        let missing = || not_found(target);
        let target = match rel {
            Relation::LibraryTrack => {
                let track = self
                    .tracks
                    .get(&[id.to_string()])
                    .await?
                    .pop()
                    .ok_or_else(missing)?;
                Target {
                    id: id.to_string(),
                    label: Some(track.title.clone()),
                }
            }
            _ => self.target(rel, id, p).await?.ok_or_else(missing)?,
        };
        self.store
            .set_relation(&p.user.id, rel.kind(), id, on, self.now_ms())
            .await?;
        Ok(target)
    }

    /// What `owner` relates to, newest first.
    async fn relation_page(
        &self,
        viewer: &Principal,
        owner: &User,
        rel: Relation,
        only: Option<&[String]>,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<RelationList> {
        // The cursor is read whatever the list holds: a bad one is refused even where nothing
        // would be listed.
        let after = time_cursor(cursor)?;
        let rows = match only {
            // Ids were named, but none that can exist.
            Some([]) => Vec::new(),
            _ => {
                self.store
                    .targets(
                        &owner.id,
                        rel.kind(),
                        only.unwrap_or_default(),
                        after,
                        limit + 1,
                    )
                    .await?
            }
        };
        self.list(viewer, owner, rows, limit, |id| async move {
            self.target(rel, &id, viewer).await
        })
        .await
    }

    /// A page of `rows` (ids with the time of the relation, one past `limit`), each made a
    /// target by `target` (or left out where it no longer exists).
    async fn list<F, Fut>(
        &self,
        viewer: &Principal,
        owner: &User,
        mut rows: Vec<(String, i64)>,
        limit: u32,
        target: F,
    ) -> ServiceResult<RelationList>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = ServiceResult<Option<Target>>>,
    {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let mut items = Vec::with_capacity(rows.len());
        for (id, _) in rows.iter() {
            if let Some(t) = target(id.clone()).await? {
                items.push(t);
            }
        }
        let next = more
            .then(|| {
                rows.last()
                    .map(|(id, ms)| cursor_of(shape::TIME, [&ms.to_string(), id]))
            })
            .flatten();
        Ok(RelationList {
            owner: user_target(owner, viewer),
            page: Page { items, next },
        })
    }

    /// The follows (or library tracks) of the caller (`user` None) or of another user, whose
    /// profile must be public; `only` checks those ids' status (the list holds those of them
    /// related).
    pub async fn relations<I: Followable>(
        &self,
        p: &Principal,
        user: Option<&UserId>,
        only: Option<&[I]>,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<RelationList> {
        let owner = match user {
            None => p.user.clone(),
            Some(id) => self.visible_user(p, id).await?,
        };
        let only = only.map(ids::strings);
        self.relation_page(p, &owner, I::RELATION, only.as_deref(), limit, cursor)
            .await
    }

    /// The followers of the caller (`user_id` None) or of another public user.
    pub async fn followers(
        &self,
        p: &Principal,
        user_id: Option<&UserId>,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<RelationList> {
        let owner = match user_id {
            None => p.user.clone(),
            Some(id) => self.visible_user(p, id).await?,
        };
        let rows = self
            .store
            .sources(
                Relation::User.kind(),
                owner.id.as_str(),
                time_cursor(cursor)?,
                limit + 1,
            )
            .await?;
        self.list(p, &owner, rows, limit, |id| async move {
            Ok(self
                .store
                .user(&UserId::stored(id))
                .await?
                .map(|u| user_target(&u, p)))
        })
        .await
    }

    async fn visible_user(&self, p: &Principal, id: &UserId) -> ServiceResult<User> {
        match self.store.user(id).await? {
            Some(u) if p.may_see(&u) => Ok(u),
            _ => Err(not_found(id)),
        }
    }
}
