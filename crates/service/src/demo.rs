//! The demo of `medley serve --demo`: the bundled catalog (which holds the spec's album, tracks
//! and artists), a demo user, client and token, and the playback sessions that Playback V1's event
//! examples refer to, so every example request works as written.

use medley_core::policy::Tier;
use medley_core::queue::{Continuation, Entry, LoopMode, Queue, Setup, Slot};
use medley_store::{Client, ContextKind, ContextRef, Session, SessionBody, User, Visibility};
use uuid::Uuid;

use std::path::Path;

use medley_core::catalog::CatalogFile;
use medley_core::ids::UserId;

use crate::{Medley, ServiceError, ServiceResult};
use medley_media::tunes::write_tunes;

pub const DEMO_CATALOG: &str = include_str!("../demo/catalog.json");
pub const DEMO_USER: &str = "ADEMOUSER0001";
pub const DEMO_CLIENT: &str = "amzn1.application-oa2-client.medleydemo";
/// The demo user's name and password, which sign-in takes (printed by `serve --demo`).
pub const DEMO_NAME: &str = "Demo Listener";
pub const DEMO_PASSWORD: &str = "medley-demo";
/// Demo tokens last a month so the printed command keeps working.
pub const DEMO_TOKEN_TTL: i64 = 30 * 24 * 3600;

const SPEC_ALBUM: &str = "B084KYMDXT";

/// What `serve --demo` prints.
pub struct DemoAccess {
    pub user_id: String,
    pub api_key: String,
    pub token: String,
    pub seeded: bool,
}

fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).expect("valid demo uuid")
}

impl Medley {
    /// Seeds an empty store with the demo; on a store that has it, issues a fresh demo token.
    /// With `audio_dir`, the demo's tracks get generated songs written there (they play).
    pub async fn ensure_demo(&self, audio_dir: Option<&Path>) -> ServiceResult<Option<DemoAccess>> {
        let seeded = if self.store.has_users().await? {
            false
        } else {
            self.seed_demo(audio_dir).await?;
            true
        };
        let demo = UserId::stored(DEMO_USER);
        if self.store.user(&demo).await?.is_none() {
            return Ok(None); // a store with real users of its own and no demo
        }
        // A demo seeded before sign-in existed gets its password now.
        if self.store.sign_in_candidates(DEMO_USER).await?.is_empty() {
            self.accounts.set_password(&demo, DEMO_PASSWORD).await?;
        }
        let token = self
            .accounts
            .issue_token(&demo, DEMO_CLIENT, None, DEMO_TOKEN_TTL)
            .await?;
        Ok(Some(DemoAccess {
            user_id: DEMO_USER.into(),
            api_key: DEMO_CLIENT.into(),
            token,
            seeded,
        }))
    }

    async fn seed_demo(&self, audio_dir: Option<&Path>) -> ServiceResult<()> {
        let mut catalog: CatalogFile = serde_json::from_str(DEMO_CATALOG)
            .map_err(|e| ServiceError::Internal(format!("the demo catalog: {e}")))?;
        if let Some(dir) = audio_dir {
            let tracks: Vec<(String, u32)> = catalog
                .tracks
                .iter()
                .map(|t| (t.id.clone(), t.duration))
                .collect();
            let dir = dir.to_path_buf();
            let paths = tokio::task::spawn_blocking(move || write_tunes(&dir, &tracks))
                .await
                .map_err(|e| ServiceError::Internal(format!("writing the demo songs: {e}")))?
                .map_err(|e| ServiceError::Internal(format!("writing the demo songs: {e}")))?;
            for (t, path) in catalog.tracks.iter_mut().zip(paths) {
                t.file = Some(path.to_string_lossy().into_owned());
            }
        }
        self.library.import_catalog(catalog).await?;
        let now = self.now_ms();
        self.store
            .create_user(&User {
                id: UserId::stored(DEMO_USER),
                name: DEMO_NAME.into(),
                tier: Tier::Unlimited,
                max_streams: 1,
                visibility: Visibility::Public,
                playback_visibility: Visibility::Public,
                created_ms: now,
                admin: true,
            })
            .await?;
        self.store
            .create_client(&Client {
                api_key: DEMO_CLIENT.into(),
                name: "Medley demo".into(),
                created_ms: now,
                redirect_uris: Vec::new(),
                secret_hash: None,
            })
            .await?;
        // Playback V1's "Report Single Event": session 849863cc…, entity 84c44b4e… (B084KW75Z6).
        let current = Entry {
            slot: Slot::Context { cycle: 0, index: 3 },
            track: "B084KW75Z6".into(),
            ref_id: Some(uuid("84c44b4e-48ce-47f8-936f-7f3fd7dcb867")),
        };
        self.seed_spec_session(
            uuid("849863cc-bee2-4d3c-9d69-bdaca8a37073"),
            current,
            vec![],
        )
        .await?;
        // Playback V1's "Report Multiple Events" and "Get Active Sessions": session 8f48fc53…, where
        // a6e35026… (B084KW75Z6) plays after e9c5ad6c… (B084KPC3Q7).
        let earlier = Entry {
            slot: Slot::Context { cycle: 0, index: 1 },
            track: "B084KPC3Q7".into(),
            ref_id: Some(uuid("e9c5ad6c-ebba-4c38-966d-c5b5b66ddfa4")),
        };
        let current = Entry {
            slot: Slot::Context { cycle: 0, index: 3 },
            track: "B084KW75Z6".into(),
            ref_id: Some(uuid("a6e35026-7d23-4a54-8b2c-6854d8a107ee")),
        };
        self.seed_spec_session(
            uuid("8f48fc53-b52a-4b68-950b-020fe89e3b46"),
            current.clone(),
            vec![earlier, current],
        )
        .await
    }

    async fn seed_spec_session(
        &self,
        id: Uuid,
        current: Entry,
        history: Vec<Entry>,
    ) -> ServiceResult<()> {
        let context = ContextRef {
            kind: ContextKind::Album,
            id: SPEC_ALBUM.into(),
        };
        let len = self.store.context_len(&context).await?.unwrap_or(1);
        let Slot::Context { index, .. } = current.slot else {
            unreachable!("demo sessions start in their album")
        };
        let mut queue = Queue::new(Setup {
            key: medley_core::rng::hash_str(&id.to_string()),
            len,
            start_index: Some(index),
            shuffle: None,
            shuffle_shown: false,
            loop_mode: LoopMode::LoopOff,
            continuation: Continuation::Autoplay,
        });
        queue.started = !history.is_empty();
        queue.hist_pos = history.len().saturating_sub(1);
        queue.history = history;
        queue.current = current;
        let now = self.now_ms();
        let session = Session {
            id,
            user_id: UserId::stored(DEMO_USER),
            device_id: "<your unique device ID>".into(),
            created_ms: now,
            updated_ms: now,
            version: 0,
            body: SessionBody {
                context,
                source_id: SPEC_ALBUM.into(),
                source_type: medley_core::mrn::ItemKind::Album,
                tier: Tier::Unlimited,
                station: false,
                fulfillment_id: Uuid::new_v4(),
                requested_track: None,
                taken_over: false,
                replaced_by: None,
                progress_ms: None,
                recent_events: Vec::new(),
                queue,
            },
        };
        Ok(self.store.create_session(&session, &[]).await?)
    }
}
