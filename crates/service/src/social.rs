//! The social graph and the library (User V1): following users, artists, playlists and
//! podcast shows, and the tracks a user keeps in their library. Every list is newest first,
//! paged by opaque cursors; another user's lists are shown only when their profile is public.

use std::collections::HashSet;

use medley_store::User;
use serde_json::{json, Value};

use crate::accounts::Principal;
use crate::paging::{comma_list, connection, cursor_of, time_cursor};
use crate::{Medley, ServiceError, ServiceResult};

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

    fn noun(self) -> &'static str {
        match self {
            Relation::User => "user",
            Relation::Artist => "artist",
            Relation::Playlist => "playlist",
            Relation::PodcastShow => "podcastShow",
            Relation::LibraryTrack => "track",
        }
    }

    fn list_key(self) -> &'static str {
        match self {
            Relation::User => "followedUsers",
            Relation::Artist => "followedArtists",
            Relation::Playlist => "followedPlaylists",
            Relation::PodcastShow => "followedPodcastShows",
            Relation::LibraryTrack => "libraryTracks",
        }
    }

    /// The key of a follow/unfollow answer, as User V1 names them (artists use one key for
    /// both; the library has its own).
    fn action_key(self, on: bool) -> &'static str {
        match (self, on) {
            (Relation::User, true) => "followUser",
            (Relation::User, false) => "unfollowUser",
            (Relation::Artist, _) => "followArtist",
            (Relation::Playlist, true) => "followPlaylist",
            (Relation::Playlist, false) => "unfollowPlaylist",
            (Relation::PodcastShow, true) => "followPodcastShow",
            (Relation::PodcastShow, false) => "unfollowPodcastShow",
            (Relation::LibraryTrack, _) => "libraryTrack",
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

    fn url_path(self) -> &'static str {
        match self {
            Relation::User => "users",
            Relation::Artist => "artists",
            Relation::Playlist => "playlists",
            Relation::PodcastShow => "podcasts/shows",
            Relation::LibraryTrack => "tracks",
        }
    }
}

impl Medley {
    fn url(&self, rel: Relation, id: &str) -> String {
        format!("{}/v1/{}/{id}", self.settings.public_url, rel.url_path())
    }

    /// `{id, name, url}` of a user as `viewer` may see it.
    fn user_node(&self, u: &User, viewer: &Principal) -> Value {
        let name = viewer.may_see(u).then_some(&u.name);
        json!({"id": u.id, "name": name, "url": self.user_url(&u.id)})
    }

    /// The node of a related target, `None` when it no longer exists.
    async fn node(
        &self,
        rel: Relation,
        id: &str,
        viewer: &Principal,
    ) -> ServiceResult<Option<Value>> {
        Ok(match rel {
            Relation::User => self
                .store
                .user(id)
                .await?
                .map(|u| self.user_node(&u, viewer)),
            Relation::LibraryTrack => Some(json!({"id": id})),
            // A playlist its owner made private is no longer shown to followers.
            Relation::Playlist => match self.visible_playlist(viewer, id).await {
                Ok(pl) => Some(json!({"id": id, "name": pl.title, "url": self.url(rel, id)})),
                Err(ServiceError::NotFound(_)) => None,
                Err(e) => return Err(e),
            },
            _ => self
                .store
                .item_title(rel.catalog_kind(), id)
                .await?
                .map(|title| {
                    let label = if rel == Relation::PodcastShow {
                        "title"
                    } else {
                        "name"
                    };
                    json!({"id": id, label: title, "url": self.url(rel, id)})
                }),
        })
    }

    /// Which of `ids` the user relates to as `kind`.
    pub(crate) async fn related(
        &self,
        user_id: &str,
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

    /// PUT (`on`) or DELETE a follow, or a track in the library; idempotent.
    pub async fn set_relation(
        &self,
        p: &Principal,
        rel: Relation,
        id: &str,
        on: bool,
    ) -> ServiceResult<Value> {
        p.require_scope("music::favorites")?;
        if rel == Relation::User && id == p.user.id {
            return Err(ServiceError::BadRequest(
                "a user cannot follow themselves".into(),
            ));
        }
        let missing = || ServiceError::NotFound(format!("no {} '{id}'", rel.noun()));
        let node = match rel {
            Relation::LibraryTrack => {
                let track = self
                    .tracks(&[id.to_string()])
                    .await?
                    .pop()
                    .ok_or_else(missing)?;
                json!({"id": id, "title": track.title, "url": self.url(rel, id)})
            }
            _ => self.node(rel, id, p).await?.ok_or_else(missing)?,
        };
        self.store
            .set_relation(&p.user.id, rel.kind(), id, on, self.now_ms())
            .await?;
        let mut answer = serde_json::Map::new();
        answer.insert(rel.noun().into(), node);
        if rel == Relation::LibraryTrack {
            answer.insert("inLibrary".into(), json!(on));
        } else {
            answer.insert(
                "followState".into(),
                json!(if on { "FOLLOW" } else { "UNFOLLOW" }),
            );
        }
        Ok(json!({ rel.action_key(on): answer }))
    }

    /// What `owner` relates to, as `{"user": {…, <list>: {pageInfo, edgeCount, edges}}}`.
    async fn relation_page(
        &self,
        viewer: &Principal,
        owner: &User,
        rel: Relation,
        only: Option<&str>,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<Value> {
        let mut rows = self
            .store
            .targets(
                &owner.id,
                rel.kind(),
                &comma_list(only),
                time_cursor(cursor)?,
                limit + 1,
            )
            .await?;
        self.page(
            viewer,
            owner,
            rel.list_key(),
            &mut rows,
            limit,
            |id| async move {
                let node = self.node(rel, &id, viewer).await?;
                Ok(node.map(|n| {
                    if rel == Relation::LibraryTrack {
                        json!({"uploaded": false, "purchased": false, "node": n})
                    } else {
                        json!({ "node": n })
                    }
                }))
            },
        )
        .await
    }

    async fn page<F, Fut>(
        &self,
        viewer: &Principal,
        owner: &User,
        key: &str,
        rows: &mut Vec<(String, i64)>,
        limit: u32,
        edge: F,
    ) -> ServiceResult<Value>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = ServiceResult<Option<Value>>>,
    {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let mut edges = Vec::with_capacity(rows.len());
        for (id, _) in rows.iter() {
            if let Some(e) = edge(id.clone()).await? {
                edges.push(e);
            }
        }
        let token = more
            .then(|| rows.last().map(|(id, ms)| cursor_of([&ms.to_string(), id])))
            .flatten();
        let mut user = self.user_node(owner, viewer);
        user[key] = connection(edges, token);
        Ok(json!({ "user": user }))
    }

    /// The caller's follows (or library tracks, optionally checking `only` ids' status).
    pub async fn my_relations(
        &self,
        p: &Principal,
        rel: Relation,
        only: Option<&str>,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<Value> {
        if rel == Relation::LibraryTrack {
            require_either(p, "music::profile:read", "music::profile")?;
        } else {
            require_either(p, "music::favorites:read", "music::favorites")?;
        }
        self.relation_page(p, &p.user, rel, only, limit, cursor)
            .await
    }

    /// Another user's follows: their profile must be public (or be the caller's own).
    pub async fn their_relations(
        &self,
        p: &Principal,
        user_id: &str,
        rel: Relation,
        only: Option<&str>,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<Value> {
        p.require_scope("music::catalog")?;
        let owner = self.visible_user(p, user_id).await?;
        self.relation_page(p, &owner, rel, only, limit, cursor)
            .await
    }

    /// The followers of the caller (`user_id` None) or of another public user.
    pub async fn followers(
        &self,
        p: &Principal,
        user_id: Option<&str>,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<Value> {
        let owner = match user_id {
            None => {
                require_either(p, "music::favorites:read", "music::favorites")?;
                p.user.clone()
            }
            Some(id) => {
                p.require_scope("music::catalog")?;
                self.visible_user(p, id).await?
            }
        };
        let mut rows = self
            .store
            .sources(
                Relation::User.kind(),
                &owner.id,
                time_cursor(cursor)?,
                limit + 1,
            )
            .await?;
        self.page(p, &owner, "followers", &mut rows, limit, |id| async move {
            Ok(self
                .store
                .user(&id)
                .await?
                .map(|u| json!({ "node": self.user_node(&u, p) })))
        })
        .await
    }

    async fn visible_user(&self, p: &Principal, id: &str) -> ServiceResult<User> {
        match self.store.user(id).await? {
            Some(u) if p.may_see(&u) => Ok(u),
            _ => Err(ServiceError::NotFound(format!("no user '{id}'"))),
        }
    }
}

fn require_either(p: &Principal, read: &str, write: &str) -> ServiceResult<()> {
    p.require_scope(read).or_else(|_| p.require_scope(write))
}
